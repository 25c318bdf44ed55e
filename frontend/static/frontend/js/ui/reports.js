// How a report looks wherever it is shown: status badge, facts, photos, timeline, its shape on a map.
import { h, photoUrls } from "./dom.js";
import { t, lang, loc, formatDate } from "../i18n/index.js";
import { sheetPadding } from "./sheet.js";

export function statusBadge(status) {
  return h("span", { class: `badge status-${status}`, dataset: { status } }, t(`status_${status}`));
}

export function districtName(d) {
  return d ? loc(d, "name") : "";
}

function eventText(event) {
  if (event.kind === "created") return lang === "en" ? "Report received" : "신고 접수";
  if (event.kind === "transfer") {
    return `${t("transfer")}: ${districtName(event.district)} → ${districtName(event.to_district)}`;
  }
  if (event.kind === "note") return t("internalNote");
  const to = event.to_status ? t(`status_${event.to_status}`) : "";
  return [districtName(event.district), to].filter(Boolean).join(" · ");
}

export function timelineItems(events) {
  return (events || []).map((event) => h("li", { class: `event-${event.kind}`, dataset: { kind: event.kind, status: event.to_status || "" } },
    h("div", { class: "when" }, formatDate(event.created_at || event.date, { time: Boolean(event.created_at) }),
      event.actor ? ` · ${event.actor}` : ""),
    h("strong", {}, eventText(event)),
    event.message ? h("p", { class: "message-text" }, event.message) : null));
}

export function reportFacts(props) {
  const rows = [
    [t("category"), loc({ name_ko: props.category_name_ko, name_en: props.category_name_en }, "name")],
    [t("districtsResponsible"), (props.districts || []).map((d) => `${districtName(d)} (${t(`status_${d.status}`)})`).join(", ")],
    [t("reportedAt"), formatDate(props.created_at || props.created_on, { time: Boolean(props.created_at) })],
  ];
  if (props.responsible_body) rows.push([lang === "en" ? "Responsible" : "담당 기관", props.responsible_body]);
  if (props.duplicate_of) rows.push([t("status_duplicate"), h("a", { href: `/reports/${props.duplicate_of}/` }, `#${props.duplicate_of}`)]);
  return rows.flatMap(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]);
}

export function reportPhotos(props) {
  return (props.photos || []).map((photo) => {
    const { full, thumb } = photoUrls(photo);
    return h("li", {}, h("a", { href: full, target: "_blank", rel: "noopener" }, h("img", { src: thumb, alt: t("photos"), loading: "lazy" })));
  });
}

/** Show one report's geometry on a map (a GeoJSON source: one feature needs no tiles) and frame it. */
export function showReportOnMap(map, feature, { id = "report", maxZoom = 16 } = {}) {
  const data = { type: "FeatureCollection", features: feature ? [feature] : [] };
  const source = map.getSource(id);
  if (source) {
    source.setData(data);
  } else {
    map.addSource(id, { type: "geojson", data });
    map.addLayer({ id: `${id}-fill`, type: "fill", source: id, filter: ["==", ["geometry-type"], "Polygon"], paint: { "fill-color": "#c0392b", "fill-opacity": 0.3 } });
    map.addLayer({ id: `${id}-line`, type: "line", source: id, filter: ["!=", ["geometry-type"], "Point"], paint: { "line-color": "#c0392b", "line-width": 4 } });
    map.addLayer({ id: `${id}-point`, type: "circle", source: id, filter: ["==", ["geometry-type"], "Point"],
      paint: { "circle-color": "#c0392b", "circle-radius": 9, "circle-stroke-color": "#fff", "circle-stroke-width": 3 } });
  }
  if (!feature?.geometry) return;
  const coords = JSON.stringify(feature.geometry.coordinates).match(/-?\d+(\.\d+)?/g).map(Number);
  const xs = coords.filter((_, i) => i % 2 === 0);
  const ys = coords.filter((_, i) => i % 2 === 1);
  map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { maxZoom, padding: sheetPadding(40), duration: 0 });
}
