// Shared by the project pages: one language per reader for the few strings the scripts write.
import { lang } from "geoplatform/i18n/index.js";
import { h } from "geoplatform/ui/dom.js";

const TEXT = {
  ko: { follow: "팔로우", following: "팔로우 중", created: "사업을 등록했습니다.", imported: "개 사업을 가져왔습니다.",
        row: "행", planned: "계획", in_progress: "진행 중", done: "완료", cancelled: "취소", progress: "진행률" },
  en: { follow: "Follow", following: "Following", created: "The project is added.", imported: " projects imported.",
        row: "Row", planned: "Planned", in_progress: "In progress", done: "Done", cancelled: "Cancelled", progress: "progress" },
};

export function text(key) {
  return (TEXT[lang] || TEXT.ko)[key];
}

/** The pop-up of a project feature on any map: title (linked), status and progress. */
export function projectPopup(feature) {
  const p = feature.properties;
  if (!p.id) return null;
  return h("div", { class: "popup" },
    h("h3", {}, h("a", { href: `/projects/${p.id}/` }, (lang === "en" && p.title_en) || p.title)),
    h("p", {}, `${text(p.status) || p.status} · ${text("progress")} ${p.progress}%`),
    h("p", { class: "muted" }, (lang === "en" && p.department_en) || p.department || ""));
}
