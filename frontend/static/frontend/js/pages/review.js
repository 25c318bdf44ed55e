// The district officer's queue: reports of their districts as a list and on the map, filters, a
// detail pane with the timeline, status changes with a public message, internal notes, transfer.
import { pageConfig } from "../config.js";
import { onMine } from "../live/me.js";
import { request, requestList, requestPage } from "../api/request.js";
import { REPORT_STATUSES } from "../api/reports.js";
import { createMap } from "../map/index.js";
import { h, clear, toast, showError, hideError, onSubmit } from "../ui/dom.js";
import { statusBadge, districtName, timelineItems, reportFacts, reportPhotos, showReportOnMap } from "../ui/reports.js";
import { t, loc, formatDate } from "../i18n/index.js";

const { districts = [], mine = [], bounds = null } = pageConfig();
const $ = (id) => document.getElementById(id);
const state = { reports: [], selected: null, checked: new Set() };
let map;

const STATUS_COLORS = ["match", ["get", "status"], "submitted", "#b7791f", "acknowledged", "#1a5fb4", "in_progress", "#6d3fc0",
  "resolved", "#1e7b4a", "#6b7280"];

function filterOptions(categories) {
  clear($("q-status"), h("option", { value: "" }, t("allStatuses")),
    h("option", { value: "submitted,acknowledged,in_progress", selected: true }, `${t("status_submitted")}·${t("status_acknowledged")}·${t("status_in_progress")}`),
    REPORT_STATUSES.map((s) => h("option", { value: s }, t(`status_${s}`))));
  clear($("q-category"), h("option", { value: "" }, t("allCategories")), categories.map((c) => h("option", { value: c.code }, loc(c, "name"))));
  clear($("s-status"), REPORT_STATUSES.filter((s) => s !== "submitted").map((s) => h("option", { value: s }, t(`status_${s}`))));
  clear($("t-district"), districts.filter((d) => !mine.includes(d.code)).map((d) => h("option", { value: d.code }, loc(d, "name"))));
}

function queueUrl() {
  const params = new URLSearchParams({ queue: "mine", limit: "500" });
  if ($("q-status").value) params.set("status", $("q-status").value);
  if ($("q-category").value) params.set("category", $("q-category").value);
  if ($("q-overdue").checked) params.set("overdue", "true");
  if ($("q-bbox").checked && map) {
    const b = map.getBounds();
    params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(","));
  }
  return `/api/reports/?${params}`;
}

function myDistrict(report) {
  return (report.properties.districts || []).find((d) => mine.includes(d.code));
}

function myDistrictStatus(report) {
  return myDistrict(report)?.status || report.properties.status;
}

// The detail's status: the report's own; for a report that is also another district's, when the officer's
// district's part (the queue's badge) differs from it, both, each named ("강남구: 확인 · 전체: 접수").
function statusLine(report) {
  const own = myDistrict(report);
  const overall = report.properties.status;
  if (!own || own.status === overall) return [statusBadge(overall)];
  return [h("span", { dataset: { part: "district" } }, `${districtName(own)}: `, statusBadge(own.status)), " · ",
    h("span", { dataset: { part: "overall" } }, `${t("overallStatus")}: `, statusBadge(overall))];
}

function queueItem(report) {
  const p = report.properties;
  const checkbox = h("input", { type: "checkbox", "aria-label": `#${report.id}`, checked: state.checked.has(report.id) });
  checkbox.addEventListener("change", () => {
    if (checkbox.checked) state.checked.add(report.id);
    else state.checked.delete(report.id);
    $("bulk-ack").disabled = state.checked.size === 0;
  });
  const button = h("button", { type: "button", class: "queue-item", "aria-current": String(state.selected === report.id), dataset: { reportId: String(report.id) },
    onclick: () => select(report.id) },
  h("span", { class: "title" }, `#${report.id} ${loc({ name_ko: p.category_name_ko, name_en: p.category_name_en }, "name")}`),
  h("span", { class: "meta" }, statusBadge(myDistrictStatus(report)), " ", p.overdue ? h("span", { class: "badge overdue" }, t("overdue")) : null,
    " ", formatDate(p.created_at || p.created_on, { time: Boolean(p.created_at) })),
  h("span", { class: "meta" }, (p.description || "").slice(0, 90)));
  return h("div", { role: "listitem", style: "display:flex;gap:.4rem;align-items:flex-start" }, checkbox, button);
}

// The queue's order: newest first (default), most overdue first (overdue ones, earliest due date
// first), or oldest first. Chosen with the "Sort" select; kept in the list and on the map alike.
const due = (p) => (p.status === "submitted" ? p.acknowledge_due : p.resolve_due) || p.resolve_due || "9999";
const when = (p) => p.created_at || p.created_on || "";
const ORDERS = {
  newest: (a, b) => when(b.properties).localeCompare(when(a.properties)) || b.id - a.id,
  overdue: (a, b) => Number(Boolean(b.properties.overdue)) - Number(Boolean(a.properties.overdue))
    || due(a.properties).localeCompare(due(b.properties)) || a.id - b.id,
  oldest: (a, b) => when(a.properties).localeCompare(when(b.properties)) || a.id - b.id,
};

function sortQueue() {
  state.reports.sort(ORDERS[$("q-sort").value] || ORDERS.newest);
  clear($("queue"), state.reports.map(queueItem));
}

async function loadQueue() {
  $("queue-status").textContent = t("loading");
  try {
    state.reports = (await requestPage(queueUrl())).items;
  } catch (error) {
    $("queue-status").textContent = error.message;
    return;
  }
  sortQueue();
  $("queue-status").textContent = state.reports.length ? t("count", { n: state.reports.length }) : t("queueEmpty");
  if (map) {
    map.getSource("queue").setData({ type: "FeatureCollection", features: state.reports.map((r) => ({ ...r, properties: { ...r.properties, id: r.id, status: myDistrictStatus(r) } })) });
  }
}

async function select(id, { reveal = true } = {}) {
  state.selected = id;
  for (const item of document.querySelectorAll(".queue-item")) item.setAttribute("aria-current", String(item.dataset.reportId === String(id)));
  $("detail-empty").hidden = true;
  $("detail-body").hidden = false;
  if (reveal) showDetail();
  for (const box of ["status-error", "note-error", "transfer-error"]) hideError($(box));
  let report;
  try {
    report = await request(`/api/reports/${id}/`);
  } catch (error) {
    showError($("status-error"), error);
    return;
  }
  const p = report.properties;
  $("detail-title").textContent = `#${report.id} ${loc({ name_ko: p.category_name_ko, name_en: p.category_name_en }, "name")}`;
  clear($("d-status"), statusLine(report), " ", p.overdue ? h("span", { class: "badge overdue" }, t("overdue")) : null);
  $("d-description").textContent = p.description;
  clear($("d-facts"), reportFacts(p));
  clear($("d-photos"), reportPhotos(p));
  clear($("d-timeline"), timelineItems(p.timeline));
  if (map) showReportOnMap(map, report, { id: "selected", maxZoom: 13 });
  loadNotes(id);
  document.body.dataset.selectedReport = String(id);
}

// The selected report's details and actions come into view: on a phone the bottom sheet opens on them;
// where the panel is one column (phones, tablets) it scrolls to them. The map keeps the report in sight.
function showDetail() {
  document.querySelector(".review-panel").sheet?.open();
  if (window.matchMedia("(max-width: 63.99rem)").matches) $("detail").scrollIntoView({ block: "start" });
}

async function loadNotes(id) {
  try {
    const notes = await requestList(`/api/reports/${id}/notes/`);
    clear($("notes"), notes.map((n) => h("li", {}, h("span", { class: "muted" }, `${formatDate(n.created_at)}${n.actor ? ` · ${n.actor}` : ""}`), h("br"), n.note)));
  } catch (error) {
    showError($("note-error"), error);
  }
}

function wireForms() {
  $("s-status").addEventListener("change", () => {
    $("s-duplicate-field").hidden = $("s-status").value !== "duplicate";
    $("s-body-field").hidden = $("s-status").value !== "not_our_responsibility";
  });
  onSubmit($("status-form"), $("status-error"), async () => {
    const body = { status: $("s-status").value, message: $("s-message").value.trim() };
    if (body.status === "duplicate" && $("s-duplicate").value) body.duplicate_of = Number($("s-duplicate").value);
    if (body.status === "not_our_responsibility") body.responsible_body = $("s-body").value.trim();
    await request(`/api/reports/${state.selected}/status/`, { method: "POST", json: body });
    $("s-message").value = "";
    toast(t("saved"), "ok");
    await Promise.all([select(state.selected, { reveal: false }), loadQueue()]);
  });
  onSubmit($("note-form"), $("note-error"), async () => {
    await request(`/api/reports/${state.selected}/notes/`, { method: "POST", json: { note: $("n-note").value.trim() } });
    $("n-note").value = "";
    await loadNotes(state.selected);
  });
  onSubmit($("transfer-form"), $("transfer-error"), async () => {
    await request(`/api/reports/${state.selected}/transfer/`, { method: "POST",
      json: { to_district: $("t-district").value, reason: $("t-reason").value.trim() } });
    $("t-reason").value = "";
    toast(t("saved"), "ok");
    await loadQueue();
    await select(state.selected, { reveal: false });
  });
  $("bulk-ack").addEventListener("click", async () => {
    try {
      await request("/api/reports/acknowledge/", { method: "POST", json: { ids: [...state.checked], message: "" } });
      state.checked.clear();
      $("bulk-ack").disabled = true;
      toast(t("saved"), "ok");
      await loadQueue();
    } catch (error) {
      toast(error.message, "error");
    }
  });
  for (const id of ["q-status", "q-category", "q-overdue", "q-bbox"]) $(id).addEventListener("change", loadQueue);
  $("q-sort").addEventListener("change", sortQueue);
}

async function main() {
  let categories = [];
  try {
    categories = await requestList("/api/reports/categories/");
  } catch (error) {
    $("queue-status").textContent = error.message;
  }
  filterOptions(categories);
  wireForms();
  map = await createMap($("map"), { hash: false, dongs: true, ...(bounds ? { bounds } : {}) });
  map.addSource("queue", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  map.addLayer({ id: "queue-line", type: "line", source: "queue", filter: ["!=", ["geometry-type"], "Point"], paint: { "line-color": STATUS_COLORS, "line-width": 4 } });
  map.addLayer({ id: "queue-point", type: "circle", source: "queue", filter: ["==", ["geometry-type"], "Point"],
    paint: { "circle-color": STATUS_COLORS, "circle-radius": 7, "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });
  map.on("click", (event) => {
    const hit = map.queryRenderedFeatures(event.point, { layers: ["queue-point", "queue-line"] })[0];
    if (hit) select(hit.properties.id);
  });
  map.on("moveend", () => $("q-bbox").checked && loadQueue());
  await loadQueue();
  const wanted = Number(new URLSearchParams(window.location.search).get("report"));
  if (wanted) select(wanted);
  document.body.dataset.mapReady = "true";
}

// The queue stays current: new reports in my districts and colleagues' changes arrive over my socket.
let requeue = null;
onMine((message) => {
  if (message.type !== "report.created" && message.type !== "report.updated") return;
  clearTimeout(requeue);
  requeue = setTimeout(() => {
    loadQueue();
    if (state.selected === message.id) select(message.id, { reveal: false });
  }, 200);
});

main();
