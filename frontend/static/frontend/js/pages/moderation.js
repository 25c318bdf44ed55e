// City staff's queue of flagged content (most flagged first): restore or remove each target.
import { request, requestList } from "../api/request.js";
import { h, clear, toast } from "../ui/dom.js";
import { t, lang, formatDate } from "../i18n/index.js";

const REASONS = { spam: ["스팸", "Spam"], abuse: ["욕설·혐오", "Abuse"], personal_data: ["개인정보", "Personal data"], wrong: ["사실과 다름", "Wrong"] };
const TARGETS = { map: ["지도", "Map"], feature: ["지도 항목", "Map feature"], photo: ["사진", "Photo"], report: ["신고", "Report"] };
const pick = ([ko, en]) => (lang === "en" ? en : ko);
let state = "open";

function targetLink(group) {
  if (group.target_type === "map") return `/maps/${group.target_id}/`;
  if (group.target_type === "report") return `/reports/${group.target_id}/`;
  return null;
}

function card(group) {
  const link = targetLink(group);
  const title = `${pick(TARGETS[group.target_type] || [group.target_type, group.target_type])} #${group.target_id}`;
  const decide = (decision) => async () => {
    try {
      await request(`/api/moderation/flags/${group.target_type}/${group.target_id}/`, { method: "POST", json: { decision, note: "" } });
      toast(t("saved"), "ok");
      load();
    } catch (error) {
      toast(error.message, "error");
    }
  };
  return h("li", { class: "map-card", dataset: { target: `${group.target_type}-${group.target_id}` } },
    h("h3", {}, link ? h("a", { href: link }, title) : title),
    group.label ? h("p", {}, group.label) : null,
    h("p", {}, `${lang === "en" ? "Flagged by" : "신고한 사람"} ${group.flaggers} · `,
      group.is_hidden ? h("span", { class: "badge overdue" }, lang === "en" ? "hidden" : "숨김") : h("span", { class: "badge" }, lang === "en" ? "visible" : "표시 중")),
    h("ul", { class: "plain-list" }, (group.flags || []).map((flag) => h("li", {},
      h("strong", {}, pick(REASONS[flag.reason] || [flag.reason, flag.reason])), " · ", formatDate(flag.created_at),
      flag.comment ? h("p", { class: "message-text" }, flag.comment) : null))),
    state === "open" ? h("p", { class: "toolbar" },
      h("button", { type: "button", class: "button", onclick: decide("restore") }, t("restore")),
      h("button", { type: "button", class: "button danger", onclick: decide("remove") }, t("remove"))) : null);
}

async function load() {
  const status = document.getElementById("flags-status");
  status.textContent = t("loading");
  try {
    const groups = await requestList(`/api/moderation/flags/?state=${state}&limit=500`, { max: 500 });
    clear(document.getElementById("flags"), groups.map(card));
    status.textContent = groups.length ? "" : t("flagsEmpty");
  } catch (error) {
    status.textContent = error.message;
  }
}

for (const tab of document.querySelectorAll("[role=tab]")) {
  tab.addEventListener("click", () => {
    state = tab.dataset.state;
    for (const other of document.querySelectorAll("[role=tab]")) other.setAttribute("aria-selected", String(other === tab));
    load();
  });
}
load();
