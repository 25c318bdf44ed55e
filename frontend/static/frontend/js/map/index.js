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
 * is the city's districts (fills, outlines and names from /tiles/districts/…), drawn over the base
 * map when there is one: the vector archive of BASEMAP_PMTILES (Protomaps schema, served by this
 * server at /basemap/{z}/{x}/{y}.mvt), else the raster tiles of BASEMAP_TILE_URL; with neither
 * (offline) the districts are the base and nothing is fetched from anywhere but this server. Labels are drawn in the browser with
 * Noto Sans KR served from here (no glyph server). Options:
 *   center [lon, lat], zoom, bounds [[w, s], [e, n]] — the first view (default: all of Seoul; a deep
 *     link #zoom/lat/lon wins over them);
 *   hash (default true) — keep the view in the address as #zoom/lat/lon, so links share the view;
 *   dongs (default true) — add the 424 dong outlines to the base from zoom 12; without a base map (offline)
 *     every map also names the dongs and the city's landmarks at street zoom (addOrientation);
 *   controls (default true) — zoom/compass and scale; interactive (default true). No label is ever placed
 *     under a control (the attribution included): see keepControlsClear.
 * Every map is also on `window.geoplatformMaps` (and the last one on `window.gpMap`) for tests.
 */
import * as maplibregl from "maplibre-gl";
import { config } from "../config.js";
import { lang, t } from "../i18n/index.js";
import { fontFaces } from "../../vendor/map-font-faces.js";
import { addPlatformLayer, absoluteUrl, fetchTileJSON, MAP_FONT } from "./layers.js";
import { sheetPadding } from "../ui/sheet.js";

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
prefetchGlyphs("0123456789k●");  // ● is the invisible room of each point (layers.js withRooms)
const districtLabels = fetch("/frontend/district-labels.json").then((r) => r.json()).then((data) => {
  prefetchGlyphs(data.features.map((f) => (lang === "en" ? f.properties.name_en : f.properties.name_ko)).join(""));
  return data;
}).catch(() => null);

// Without a base map, the city's own data orients people at street zoom: dong names and landmarks.
const OFFLINE = !(config.basemap && (config.basemap.url || config.basemap.vector));
const orientation = OFFLINE ? fetch("/frontend/orientation.json").then((r) => r.json()).catch(() => null) : null;
const LANDMARK_COLORS = { station: "#3559a8", library: "#7a4fa3", toilets: "#2a8c82" };

export const SEOUL = { center: [126.9895, 37.5512], zoom: 10.2, bounds: [[126.764, 37.413], [127.184, 37.715]] };
const BASE_COLORS = { land: "#f3f1ea", fill: "#ffffff", outline: "#5b6b82", dong: "#b8c3d3", label: "#2d3a4d" };

// The Protomaps layers that draw only sprite icons (one-way arrows, road shields): no sprite is served.
const ICON_ONLY = new Set(["roads_oneway", "roads_shields"]);

/**
 * The vector base map's layers: npm @protomaps/basemaps' "light" flavour for the Protomaps schema,
 * labels in the reader's language (`name:ko` / `name:en`), drawn with our Noto Sans KR (no glyph
 * server) and without sprite icons (no sprite server): POIs keep their names.
 */
async function vectorBaseLayers() {
  const { layers, namedFlavor } = await import("../../vendor/protomaps-basemaps.js");
  const generated = layers("basemap", namedFlavor("light"), { lang: lang === "en" ? "en" : "ko" })
    .filter((layer) => layer.type !== "background" && !ICON_ONLY.has(layer.id));
  const [font] = MAP_FONT;
  // One language per reader: the flavour writes "English\n한국어" for places in another script; we show
  // the reader's own name, else the local one.
  const name = ["coalesce", ["get", `name:${lang === "en" ? "en" : "ko"}`], ["get", "name"]];
  return JSON.parse(JSON.stringify(generated).replace(/"Noto Sans [^"]*"/g, JSON.stringify(font))).map((layer) => {
    if (layer.layout) for (const key of Object.keys(layer.layout)) if (key.startsWith("icon-")) delete layer.layout[key];
    if (layer.layout && JSON.stringify(layer.layout["text-field"] || "").includes('"name')) layer.layout["text-field"] = name;
    return layer;
  });
}

async function baseStyle() {
  const style = {
    version: 8,
    "font-faces": fontFaces,
    sources: {},
    layers: [{ id: "background", type: "background", paint: { "background-color": BASE_COLORS.land } }],
  };
  const basemap = config.basemap || {};
  if (basemap.vector) {
    const { tiles, minzoom, maxzoom, bounds, attribution } = basemap.vector;
    style.sources.basemap = { type: "vector", tiles: tiles.map(absoluteUrl), minzoom, maxzoom, bounds, attribution };
    style.layers.push(...(await vectorBaseLayers()));
  } else if (basemap.url) {
    style.sources.basemap = { type: "raster", tiles: [basemap.url], tileSize: 256, attribution: basemap.attribution || "" };
    style.layers.push({ id: "basemap", type: "raster", source: "basemap" });
  }
  return style;
}

// The district names: under everything a page adds (a name never hides a point), placed after the page's
// points and clusters have taken their room (addPlatformLayer gives each circle an invisible room), each name
// moving to a free side of its anchor rather than giving way.
const DISTRICT_LABEL_LAYOUT = {
  "text-font": MAP_FONT, "text-size": ["interpolate", ["linear"], ["zoom"], 9, 10.5, 13, 15],
  "symbol-placement": "point", "text-max-width": 10, "text-padding": 0,
  // on the anchor if free, else beside it, then further (in ems), clear of a large cluster's circle
  "text-variable-anchor-offset": ["center", [0, 0], "top", [0, 1], "bottom", [0, -1], "left", [1, 0], "right", [-1, 0],
    "top", [0, 2.2], "bottom", [0, -2.2], "left", [2.2, 0], "right", [-2.2, 0]],
};

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
      layout: { "text-field": name, ...DISTRICT_LABEL_LAYOUT },
      paint: { "text-color": BASE_COLORS.label, "text-halo-color": "#ffffff", "text-halo-width": 1.5 },
    },
  ];
}

/**
 * The offline base's street-zoom layers: each dong's name, and the city's landmarks (subway stations from
 * zoom 13.5, libraries from 15, public toilets from 16.5) as small dots with their names. They go under the
 * district names and under everything a page adds later, so they never cover the points drawn on a map;
 * their labels take part in collision (never over one another, nor over the page's labels).
 */
async function addOrientation(map) {
  const data = await orientation;
  if (!data) return;
  const before = map.getLayer("base-districts-label") ? "base-districts-label" : undefined;
  const text = (field) => (lang === "en" ? ["coalesce", ["get", `${field}_en`], ["get", `${field}_ko`]] : ["get", `${field}_ko`]);
  map.addSource("base-dong-labels", { type: "geojson", data: data.dongs });
  map.addLayer({
    id: "base-dongs-label", type: "symbol", source: "base-dong-labels", minzoom: 13.5,
    layout: { "text-field": text("name"), "text-font": MAP_FONT, "text-size": 12, "text-max-width": 8, "text-padding": 6 },
    paint: { "text-color": "#5f6f86", "text-halo-color": "#ffffff", "text-halo-width": 1.5 },
  }, before);
  const dot = (kind) => ({ "circle-radius": 3.5, "circle-color": LANDMARK_COLORS[kind], "circle-stroke-color": "#ffffff",
    "circle-stroke-width": 1 });
  const label = (kind, field) => ({
    layout: {
      "text-field": field, "text-font": MAP_FONT, "text-size": kind === "station" ? 12 : 11, "text-max-width": 9,
      "text-variable-anchor": ["top", "bottom", "left", "right"], "text-radial-offset": 0.6, "text-padding": 2,
    },
    paint: { "text-color": LANDMARK_COLORS[kind], "text-halo-color": "#ffffff", "text-halo-width": 1.5 },
  });
  const landmarks = [{ kind: "station", minzoom: 13.5, source: { type: "geojson", data: data.stations }, common: {},
    name: text("name") }];
  for (const landmark of data.landmarks) {
    landmarks.push({
      ...landmark,
      source: { type: "vector", tiles: landmark.tiles.map(absoluteUrl), maxzoom: landmark.maxzoom, attribution: landmark.attribution },
      common: { "source-layer": landmark.sourceLayer },  // from zoom 15: single points (clusters end at 13)
      // their names are in Korean only: an English reader reads what they are
      name: lang === "en" ? t(landmark.kind === "library" ? "landmarkLibrary" : "landmarkToilet") : ["get", "name"],
    });
  }
  for (const { kind, minzoom, source, common, name } of landmarks) {
    const id = `base-landmarks-${kind}`;
    map.addSource(id, source);
    map.addLayer({ id: `${id}-dot`, type: "circle", source: id, minzoom, ...common, paint: dot(kind) }, before);
    map.addLayer({ id: `${id}-label`, type: "symbol", source: id, minzoom, ...common, ...label(kind, name) }, before);
  }
}

/**
 * No label under a control: each of the map's controls (zoom buttons, scale, attribution) holds an invisible box
 * of its own size in the collision index, kept under the control as the map moves and as a control changes size
 * (the scale with the zoom, the attribution when opened). The boxes' layer stays the top one, so it is placed
 * before every label of the base and of the page: a name moves to a free side of its anchor or waits.
 */
const CONTROL_ROOMS = "gp-control-rooms";
function keepControlsClear(map, container) {
  let frame = 0;
  const soon = () => { if (!frame) frame = requestAnimationFrame(update); };
  const resized = new ResizeObserver(soon);  // a page's own controls, added later, are watched from the next move
  const rooms = () => {
    const canvas = map.getCanvas().getBoundingClientRect();
    const features = [];
    for (const control of container.querySelectorAll(".maplibregl-ctrl")) {
      const box = control.getBoundingClientRect();
      resized.observe(control);
      if (!box.width || !box.height) continue;
      // a pixel more on every side: no rounding lets a label's edge under the control's
      const width = Math.ceil(box.width) + 2;
      const height = Math.ceil(box.height) + 2;
      const image = `${CONTROL_ROOMS}-${width}x${height}`;
      if (!map.hasImage(image)) map.addImage(image, { width, height, data: new Uint8Array(width * height * 4) });
      const at = map.unproject([box.left + box.width / 2 - canvas.left, box.top + box.height / 2 - canvas.top]);
      features.push({ type: "Feature", properties: { image }, geometry: { type: "Point", coordinates: [at.lng, at.lat] } });
    }
    return { type: "FeatureCollection", features };
  };
  function update() {
    frame = 0;
    map.getSource(CONTROL_ROOMS)?.setData(rooms());
  }
  map.addSource(CONTROL_ROOMS, { type: "geojson", data: rooms() });
  map.addLayer({
    id: CONTROL_ROOMS, type: "symbol", source: CONTROL_ROOMS,
    layout: { "icon-image": ["get", "image"], "icon-allow-overlap": true, "icon-padding": 0 },
    paint: { "icon-opacity": 0 },
  });
  map.on("move", soon);
  map.on("resize", soon);
  // the page's later layers go on top: the boxes move back above them, to be placed before any label
  map.on("styledata", () => {
    const order = map.getLayersOrder();
    if (map.getLayer(CONTROL_ROOMS) && order[order.length - 1] !== CONTROL_ROOMS) map.moveLayer(CONTROL_ROOMS);
  });
}

/** Add the districts (and optionally dongs) as the base of a map whose style has loaded. */
async function addDistrictBase(map, { dongs, prefetched }) {
  const districts = await addPlatformLayer(map, "districts", { style: false, register: false, tilejson: prefetched.districts });
  const withBasemap = Boolean(config.basemap && (config.basemap.url || config.basemap.vector));
  map.addSource("base-district-labels", { type: "geojson", data: (await districtLabels) || absoluteUrl("/frontend/district-labels.json") });
  for (const layer of districtBaseLayers(districts.sourceId, districts.sourceLayer, withBasemap)) map.addLayer(layer);
  if (dongs) {
    const dongLayer = await addPlatformLayer(map, "dongs", { style: false, register: false, tilejson: prefetched.dongs });
    map.addLayer({
      id: "base-dongs-line", type: "line", source: dongLayer.sourceId, "source-layer": dongLayer.sourceLayer, minzoom: 12,
      paint: { "line-color": BASE_COLORS.dong, "line-width": 0.8, "line-dasharray": [3, 2] },
    }, "base-districts-line");
  }
  if (OFFLINE) await addOrientation(map);
}

export async function createMap(container, options = {}) {
  const { center, zoom, bounds = center ? undefined : SEOUL.bounds, hash = true, dongs = true, controls = true,
    interactive = true, ...rest } = options;
  // The base's TileJSON is fetched while MapLibre starts.
  const prefetched = { districts: fetchTileJSON("districts"), dongs: dongs ? fetchTileJSON("dongs") : null };
  const map = new maplibregl.Map({
    container,
    style: await baseStyle(),
    center: center || SEOUL.center,
    zoom: zoom ?? SEOUL.zoom,
    bounds,
    fitBoundsOptions: { padding: sheetPadding(8) },  // on a phone, the first view clears the bottom sheet
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
  keepControlsClear(map, container);  // first: its boxes are in place when the first names are
  await addDistrictBase(map, { dongs, prefetched });
  return map;
}

/**
 * Where a page's area layer (a choropleth, an analysis's cells or density) goes: under every name of the base
 * (dongs, landmarks, districts), so the names stay readable over the colours. Points go on top instead.
 */
export function underBaseLabels(map) {
  return ["base-dongs-label", "base-districts-label"].find((id) => map.getLayer(id));
}

/** Resolve when the map has drawn everything it has asked for (sources loaded, no transitions). */
export function mapIdle(map) {
  return new Promise((resolve) => {
    if (map.loaded() && map.areTilesLoaded()) resolve();
    else map.once("idle", resolve);
  });
}

export { maplibregl };
