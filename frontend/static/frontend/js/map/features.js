// Drawing a citizens' map (layer `map-<id>`): colours by the map's categories, aggregated points with
// counts at low zooms, pending suggestions dashed. Also the legend and the feature pop-up (with a
// "report content" control when asked).
import { request } from "../api/request.js";
import { fieldValue, h, photoUrls } from "../ui/dom.js";
import { flagControl } from "../ui/flag.js";
import { t, loc } from "../i18n/index.js";
import { MAP_FONT } from "./layers.js";

const FALLBACK = "#e4572e";
const isType = (...types) => ["match", ["geometry-type"], types, true, false];

export function categoryColor(categories) {
  if (!categories?.length) return FALLBACK;
  return ["match", ["coalesce", ["get", "category"], ""], ...categories.flatMap((c) => [c.key, c.color]), FALLBACK];
}

/** MapLibre layers for a map's features, for addPlatformLayer's `layers` option. */
export function mapFeatureLayers(categories) {
  const color = categoryColor(categories);
  const count = ["get", "count"];
  const pending = ["==", ["get", "status"], "pending"];
  return (sourceId, sourceLayer) => {
    const src = { source: sourceId, "source-layer": sourceLayer };
    return [
      { id: `${sourceId}::fill`, type: "fill", ...src, filter: isType("Polygon", "MultiPolygon"),
        paint: { "fill-color": color, "fill-opacity": ["case", pending, 0.15, 0.35] } },
      { id: `${sourceId}::outline`, type: "line", ...src, filter: isType("Polygon", "MultiPolygon"),
        paint: { "line-color": color, "line-width": 2 } },
      { id: `${sourceId}::line`, type: "line", ...src, filter: isType("LineString", "MultiLineString"),
        layout: { "line-cap": "round", "line-join": "round" }, paint: { "line-color": color, "line-width": 4 } },
      { id: `${sourceId}::clusters`, type: "circle", ...src, filter: ["all", isType("Point", "MultiPoint"), ["has", "count"]],
        paint: { "circle-color": FALLBACK, "circle-opacity": 0.8, "circle-stroke-color": "#fff", "circle-stroke-width": 1.5,
          "circle-radius": ["interpolate", ["linear"], ["sqrt", count], 1, 8, 10, 14, 40, 24] } },
      { id: `${sourceId}::counts`, type: "symbol", ...src, filter: ["all", isType("Point", "MultiPoint"), ["has", "count"]],
        layout: { "text-field": ["to-string", count], "text-font": MAP_FONT, "text-size": 12, "text-padding": 2 },
        paint: { "text-color": "#ffffff" } },
      { id: `${sourceId}::points`, type: "circle", ...src, filter: ["all", isType("Point", "MultiPoint"), ["!", ["has", "count"]]],
        paint: { "circle-color": color, "circle-radius": ["interpolate", ["linear"], ["zoom"], 10, 5, 16, 8],
          "circle-stroke-color": "#ffffff", "circle-stroke-width": 2, "circle-opacity": ["case", pending, 0.55, 1] } },
    ];
  };
}

export function legendList(items) {
  if (!items?.length) return null;
  return h("ul", {}, items.map((item) => h("li", {},
    h("span", { class: "swatch", style: `background:${/^#[0-9a-f]{3,8}$/i.test(item.color || "") ? item.color : "#999"}` }),
    loc(item, "label"))));
}

export function categoryLabel(categories, key) {
  const found = (categories || []).find((c) => c.key === key);
  return found ? loc(found, "label") : key || "";
}

/** A pop-up for one feature of a map: its details and photos, fetched from the API. */
export async function featurePopup(mapObj, tileFeature, { key = "", flag = null } = {}) {
  const id = tileFeature.properties.id;
  if (tileFeature.properties.count) return h("p", {}, t("featuresCount", { n: tileFeature.properties.count }));
  const query = key ? `?key=${encodeURIComponent(key)}` : "";
  let feature;
  try {
    feature = await request(`/api/maps/${mapObj.id}/features/${id}/${query}`);
  } catch (error) {
    return h("p", {}, error.message);
  }
  const p = feature.properties;
  const box = h("div", { class: "popup", dataset: { featureId: String(feature.id) } },
    h("h3", {}, p.name || categoryLabel(mapObj.categories, p.category) || "—"),
    p.category ? h("p", {}, h("span", { class: "badge" }, categoryLabel(mapObj.categories, p.category))) : null,
    p.status && p.status !== "published" ? h("p", {}, h("span", { class: "badge" }, t(`status_${p.status}`))) : null);
  if (p.description_html) {
    // Markdown rendered and sanitised by the server.
    const description = h("div", { class: "description" });
    description.innerHTML = p.description_html;
    box.append(description);
  }
  const fields = mapObj.suggested_fields || [];
  const values = fields.filter((f) => p.properties && p.properties[f.key] !== undefined && p.properties[f.key] !== "");
  if (values.length) {
    box.append(h("dl", { class: "facts" }, values.flatMap((f) => [h("dt", {}, loc(f, "label")), h("dd", {}, fieldValue(p.properties[f.key]))])));
  }
  if (p.photos?.length) {
    box.append(h("div", { class: "photos" }, p.photos.map((photo) => {
      const { full, thumb } = photoUrls(photo);
      return h("a", { href: full, target: "_blank", rel: "noopener" }, h("img", { src: thumb, alt: photo.caption || p.name || t("photos"), loading: "lazy" }));
    })));
  }
  if (p.author) box.append(h("p", { class: "muted" }, t("mapBy", { name: p.author }),
    p.author_official ? h("span", { class: "badge official" }, ` ${t("officialBadge")}`) : ""));
  if (flag) box.append(h("p", { class: "popup-flag" }, flagControl({ targetType: "feature", targetId: feature.id, onFlagged: flag.onFlagged })));
  return box;
}
