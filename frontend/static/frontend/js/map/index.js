/**
 * Maps for every page of the platform.
 *
 *   import { createMap, addPlatformLayer } from "geoplatform/map/index.js";
 *   const map = await createMap(document.getElementById("map"), { zoom: 11 });
 *   const layer = await addPlatformLayer(map, "reports");          // any name from /api/layers/
 *   layer.setVisible(false); layer.layerIds;                         // MapLibre layer ids
 *   enablePopups(map, layer.layerIds, (feature) => h("p", {}, feature.properties.name));
 *
 * createMap(container, options) resolves with a maplibre-gl Map once its style has loaded. The base
 * is the city's districts (fills, outlines and names from /tiles/districts/…), drawn over the raster
 * base map configured in BASEMAP_TILE_URL when there is one; with none (offline) the districts are
 * the base and nothing is fetched from anywhere but this server. Labels are drawn in the browser with
 * Noto Sans KR served from here (no glyph server). Options:
 *   center [lon, lat], zoom, bounds [[w, s], [e, n]] — the first view (default: all of Seoul; a deep
 *     link #zoom/lat/lon wins over them);
 *   hash (default true) — keep the view in the address as #zoom/lat/lon, so links share the view;
 *   dongs (default false) — add the 424 dong outlines to the base from zoom 12;
 *   controls (default true) — zoom/compass and scale; interactive (default true).
 * Every map is also on `window.geoplatformMaps` (and the last one on `window.gpMap`) for tests.
 */
import * as maplibregl from "maplibre-gl";
import { config } from "../config.js";
import { lang, t } from "../i18n/index.js";
import { fontFaces } from "../../vendor/map-font-faces.js";
import { addPlatformLayer, absoluteUrl, fetchTileJSON, MAP_FONT } from "./layers.js";

export { addPlatformLayer, prefetchLayer } from "./layers.js";
export { enablePopups } from "./popup.js";

// While the page is still setting up: start MapLibre's workers, and fetch the font slices the first
// labels need (digits of counts on aggregated points, the district names), so that MapLibre finds
// them in the HTTP cache instead of waiting for each in turn.
maplibregl.prewarm();
const fetched = new Set();
function prefetchGlyphs(text) {
  for (const char of new Set(text)) {
    const code = char.codePointAt(0);
    const face = fontFaces["Noto Sans KR"].find((f) => f["unicode-range"].some((range) => {
      const [from, to = from] = range.replace(/^U\+/i, "").split("-").map((hex) => parseInt(hex, 16));
      return code >= from && code <= to;
    }));
    if (face && !fetched.has(face.url)) {
      fetched.add(face.url);
      fetch(face.url).catch(() => {});
    }
  }
}
prefetchGlyphs("0123456789k");
const districtLabels = fetch("/frontend/district-labels.json").then((r) => r.json()).then((data) => {
  prefetchGlyphs(data.features.map((f) => (lang === "en" ? f.properties.name_en : f.properties.name_ko)).join(""));
  return data;
}).catch(() => null);

export const SEOUL = { center: [126.9895, 37.5512], zoom: 10.2, bounds: [[126.764, 37.413], [127.184, 37.715]] };
const BASE_COLORS = { land: "#f3f1ea", fill: "#ffffff", outline: "#5b6b82", dong: "#b8c3d3", label: "#2d3a4d" };

function baseStyle() {
  const style = {
    version: 8,
    "font-faces": fontFaces,
    sources: {},
    layers: [{ id: "background", type: "background", paint: { "background-color": BASE_COLORS.land } }],
  };
  const basemap = config.basemap || {};
  if (basemap.url) {
    style.sources.basemap = { type: "raster", tiles: [basemap.url], tileSize: 256, attribution: basemap.attribution || "" };
    style.layers.push({ id: "basemap", type: "raster", source: "basemap" });
  }
  return style;
}

function districtBaseLayers(source, sourceLayer, withBasemap) {
  const name = lang === "en" ? ["coalesce", ["get", "name_en"], ["get", "name_ko"]] : ["get", "name_ko"];
  return [
    {
      id: "base-districts-fill", type: "fill", source, "source-layer": sourceLayer,
      paint: { "fill-color": BASE_COLORS.fill, "fill-opacity": withBasemap ? 0.05 : 0.9 },
    },
    {
      id: "base-districts-line", type: "line", source, "source-layer": sourceLayer,
      paint: { "line-color": BASE_COLORS.outline, "line-width": ["interpolate", ["linear"], ["zoom"], 9, 0.8, 14, 2.2] },
    },
    {
      id: "base-districts-label", type: "symbol", source: "base-district-labels", maxzoom: 14,
      layout: {
        "text-field": name, "text-font": MAP_FONT, "text-size": ["interpolate", ["linear"], ["zoom"], 9, 11, 13, 15],
        "symbol-placement": "point", "text-max-width": 10, "text-padding": 4,
      },
      paint: { "text-color": BASE_COLORS.label, "text-halo-color": "#ffffff", "text-halo-width": 1.5 },
    },
  ];
}

/** Add the districts (and optionally dongs) as the base of a map whose style has loaded. */
async function addDistrictBase(map, { dongs, prefetched }) {
  const districts = await addPlatformLayer(map, "districts", { style: false, register: false, tilejson: prefetched.districts });
  const withBasemap = Boolean(config.basemap && config.basemap.url);
  map.addSource("base-district-labels", { type: "geojson", data: (await districtLabels) || absoluteUrl("/frontend/district-labels.json") });
  for (const layer of districtBaseLayers(districts.sourceId, districts.sourceLayer, withBasemap)) map.addLayer(layer);
  if (dongs) {
    const dongLayer = await addPlatformLayer(map, "dongs", { style: false, register: false, tilejson: prefetched.dongs });
    map.addLayer({
      id: "base-dongs-line", type: "line", source: dongLayer.sourceId, "source-layer": dongLayer.sourceLayer, minzoom: 12,
      paint: { "line-color": BASE_COLORS.dong, "line-width": 0.8, "line-dasharray": [3, 2] },
    }, "base-districts-line");
  }
}

export async function createMap(container, options = {}) {
  const { center, zoom, bounds = center ? undefined : SEOUL.bounds, hash = true, dongs = false, controls = true,
    interactive = true, ...rest } = options;
  // The base's TileJSON is fetched while MapLibre starts.
  const prefetched = { districts: fetchTileJSON("districts"), dongs: dongs ? fetchTileJSON("dongs") : null };
  const map = new maplibregl.Map({
    container,
    style: baseStyle(),
    center: center || SEOUL.center,
    zoom: zoom ?? SEOUL.zoom,
    bounds,
    fitBoundsOptions: { padding: 8 },
    hash,
    interactive,
    attributionControl: { compact: true },
    maxZoom: 20,
    minZoom: 8,
    dragRotate: false,
    pitchWithRotate: false,
    cooperativeGestures: false,
    transformRequest: (url) => ({ url: absoluteUrl(url), credentials: "same-origin" }),
    locale: lang === "ko" ? {
      "NavigationControl.ZoomIn": "확대", "NavigationControl.ZoomOut": "축소", "NavigationControl.ResetBearing": "북쪽으로",
      "GeolocateControl.FindMyLocation": t("locateMe"), "AttributionControl.ToggleAttribution": "출처 보기",
      "Map.Title": "지도", "Popup.Close": t("close"), "ScaleControl.Meters": "m", "ScaleControl.Kilometers": "km",
    } : undefined,
    ...rest,
  });
  container.classList.add("gp-map");
  if (!container.hasAttribute("aria-label")) container.setAttribute("aria-label", lang === "en" ? "Map of Seoul" : "서울 지도");
  if (controls && interactive) {
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
  }
  // The compact attribution starts folded (the (i) button opens it), so it never covers a phone map.
  const fold = () => {
    const attribution = container.querySelector(".maplibregl-ctrl-attrib.maplibregl-compact");
    if (!attribution) return;
    attribution.classList.remove("maplibregl-compact-show");
    map.off("sourcedata", fold);
  };
  map.on("sourcedata", fold);
  window.geoplatformMaps = [...(window.geoplatformMaps || []), map];
  window.gpMap = map;
  await new Promise((resolve) => (map.loaded() && map.isStyleLoaded() ? resolve() : map.once("load", resolve)));
  await addDistrictBase(map, { dongs, prefetched });
  return map;
}

/** Resolve when the map has drawn everything it has asked for (sources loaded, no transitions). */
export function mapIdle(map) {
  return new Promise((resolve) => {
    if (map.loaded() && map.areTilesLoaded()) resolve();
    else map.once("idle", resolve);
  });
}

export { maplibregl };
