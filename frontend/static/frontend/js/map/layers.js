// Platform layers on a map: a layer's TileJSON (/tiles/{name}.json) gives its tiles, its style
// (/styles/{name}.json) how to draw it; a default drawing by geometry type stands in when a layer
// has no style of its own. Points aggregated by the server at low zooms carry a count.
import { request } from "../api/request.js";

/** An absolute URL (map workers need them), leaving `{z}/{x}/{y}` templates unescaped. */
export function absoluteUrl(url) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return url;
  return url.startsWith("/") ? `${window.location.origin}${url}` : new URL(url, window.location.href).href;
}

/** The font of map labels: Noto Sans KR from this server (see map-font-faces.js), no glyph server. */
export const MAP_FONT = ["Noto Sans KR"];
const GEOMETRY = { point: "Point", line: "LineString", polygon: "Polygon" };
const COUNT = ["coalesce", ["get", "count"], ["get", "point_count"], ["get", "n"], 1];

/** The drawing of a layer with no style of its own: circles (sized by count), lines, fills. */
export function defaultLayers(id, sourceId, sourceLayer, { geometryType = "mixed", color = "#e4572e", fillOpacity = 0.25 } = {}) {
  const src = { source: sourceId, "source-layer": sourceLayer };
  const layers = [];
  const only = (type) => (geometryType === "mixed" ? { filter: ["==", ["geometry-type"], GEOMETRY[type]] } : {});
  if (geometryType === "polygon" || geometryType === "mixed") {
    layers.push({ id: `${id}-fill`, type: "fill", ...src, ...only("polygon"), paint: { "fill-color": color, "fill-opacity": fillOpacity } });
    layers.push({ id: `${id}-outline`, type: "line", ...src, ...only("polygon"), paint: { "line-color": color, "line-width": 1.5 } });
  }
  if (geometryType === "line" || geometryType === "mixed") {
    layers.push({ id: `${id}-line`, type: "line", ...src, ...only("line"), layout: { "line-cap": "round", "line-join": "round" },
      paint: { "line-color": color, "line-width": 3.5 } });
  }
  if (geometryType === "point" || geometryType === "mixed") {
    layers.push({
      id: `${id}-circle`, type: "circle", ...src, ...only("point"),
      paint: {
        "circle-color": color,
        "circle-radius": ["interpolate", ["linear"], COUNT, 1, 5, 10, 9, 100, 15, 1000, 22],
        "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5, "circle-opacity": 0.9,
      },
    });
    layers.push({
      id: `${id}-count`, type: "symbol", ...src,
      filter: geometryType === "mixed" ? ["all", ["==", ["geometry-type"], "Point"], [">", COUNT, 1]] : [">", COUNT, 1],
      layout: { "text-field": ["to-string", COUNT], "text-font": MAP_FONT, "text-size": 12, "text-padding": 2 },
      paint: { "text-color": "#ffffff" },
    });
  }
  return layers;
}

function sourceFromTileJSON(tilejson) {
  const tiles = (tilejson.tiles || []).map(absoluteUrl);
  const raster = tiles.some((url) => /\.png(\?|$)/.test(url)) || tilejson.format === "png";
  const source = { type: raster ? "raster" : "vector", tiles };
  for (const key of ["minzoom", "maxzoom", "bounds", "attribution"]) if (tilejson[key] !== undefined) source[key] = tilejson[key];
  if (raster) source.tileSize = 256;
  return source;
}

/** Counts on the server's aggregated points (features that carry `count` at low zooms). */
function countLabels(id, sourceId, sourceLayer) {
  const count = ["get", "count"];
  return {
    id: `${id}::counts`, type: "symbol", source: sourceId, "source-layer": sourceLayer,
    filter: ["all", ["has", "count"], [">", count, 1]],
    layout: {
      "text-field": ["case", [">=", count, 10000], ["concat", ["to-string", ["round", ["/", count, 1000]]], "k"],
        [">=", count, 1000], ["concat", ["to-string", ["/", ["round", ["/", count, 100]], 10]], "k"], ["to-string", count]],
      "text-font": MAP_FONT, "text-size": 12, "text-padding": 2,
    },
    paint: { "text-color": "#ffffff", "text-halo-color": "rgba(0,0,0,0.35)", "text-halo-width": 1 },
  };
}

/** The server's style for a layer, re-pointed at our source; without glyph or sprite servers. */
function layersFromStyle(style, name, sourceId, sourceLayer) {
  const own = Object.keys(style.sources || {}).filter((key) => key === name || !key.startsWith("base-"));
  const layers = (style.layers || [])
    .filter((layer) => layer.type !== "background" && layer.source && own.includes(layer.source))
    .filter((layer) => !(layer.type === "symbol" && layer.layout && layer.layout["icon-image"] && !layer.layout["text-field"]))
    .map((layer) => {
      const copy = structuredClone(layer);
      copy.id = `${sourceId}::${layer.id}`;
      copy.source = sourceId;
      if (copy.type !== "raster") copy["source-layer"] = layer["source-layer"] || sourceLayer;
      if (copy.layout) {
        delete copy.layout["icon-image"];
        if (copy.layout["text-field"]) copy.layout["text-font"] = MAP_FONT;
      }
      return copy;
    });
  const aggregated = layers.some((layer) => layer.type === "circle" && JSON.stringify(layer.filter || []).includes('"count"'));
  if (aggregated) layers.push(countLabels(sourceId, sourceId, sourceLayer));
  return layers;
}

/**
 * Points and clusters keep their room: each circle layer gets an invisible twin in the collision index (a
 * glyph as wide as the circle), so labels placed after it, the district names among them, move aside instead
 * of being drawn over a point or a count; a count inside its circle is always drawn (its circle's room keeps
 * other labels off it). Up to zoom 14, where the district names end.
 */
export function withRooms(layers) {
  const out = [];
  for (const layer of layers) {
    if (layer.type === "symbol" && JSON.stringify(layer.layout?.["text-field"] || "").includes('"count"')) {
      out.push({ ...layer, layout: { ...layer.layout, "text-allow-overlap": true, "text-ignore-placement": true } });
      continue;
    }
    out.push(layer);
    if (layer.type !== "circle") continue;
    const radius = layer.paint?.["circle-radius"] ?? 5;
    const zoomed = JSON.stringify(radius).includes('"zoom"');  // zoom may only drive a top-level curve
    out.push({
      id: `${layer.id}::room`, type: "symbol", source: layer.source, "source-layer": layer["source-layer"], maxzoom: 14,
      ...(layer.filter ? { filter: layer.filter } : {}),
      layout: { "text-field": "●", "text-font": MAP_FONT, "text-size": zoomed ? 14 : ["*", 1.7, radius], "text-padding": 0,
        "text-allow-overlap": true },
      paint: { "text-opacity": 0 },
    });
  }
  return out;
}

/** A layer's TileJSON (start it early and hand the promise to addPlatformLayer as `tilejson`). */
export function fetchTileJSON(name, query = "") {
  return request(`/tiles/${encodeURIComponent(name)}.json${query}`);
}

/** A layer's own style, or null when it has none. */
export function fetchStyle(name, query = "") {
  return request(`/styles/${encodeURIComponent(name)}.json${query}`).catch(() => null);
}

/** Start fetching what addPlatformLayer needs before the map is ready: spread it into its options. */
export function prefetchLayer(name, query = "") {
  return { tilejson: fetchTileJSON(name, query), serverStyle: fetchStyle(name, query) };
}

/**
 * Add the platform layer `name` to a map. Options: style (default true: the server's style; false:
 * only the source), layers((sourceId, sourceLayer) => [MapLibre layers]) to draw it your own way,
 * query (e.g. "?key=…" for an unlisted map), beforeId, visible, geometryType/color (default drawing).
 * Returns {name, sourceId, sourceLayer, layerIds, tilejson, legend, setVisible(bool), remove()}.
 */
export async function addPlatformLayer(map, name, options = {}) {
  const { style = true, query = "", beforeId, visible = true, register = true } = options;
  const wantStyle = style && !options.layers;
  const [tilejson, serverStyle] = await Promise.all([
    options.tilejson || fetchTileJSON(name, query),
    wantStyle ? options.serverStyle || fetchStyle(name, query) : null,
  ]);
  const sourceId = `gp-${name}`;
  const source = sourceFromTileJSON(tilejson);
  if (!map.getSource(sourceId)) map.addSource(sourceId, source);
  const sourceLayer = tilejson.vector_layers?.[0]?.id || name;
  let layers = [];
  if (source.type === "raster") {
    layers = [{ id: `${sourceId}-raster`, type: "raster", source: sourceId, paint: { "raster-opacity": 0.75 } }];
  } else if (options.layers) {
    layers = options.layers(sourceId, sourceLayer);
  } else if (style) {
    layers = serverStyle ? layersFromStyle(serverStyle, name, sourceId, sourceLayer) : [];
    if (!layers.length) {
      const geometryType = options.geometryType || tilejson.geometry_type || "mixed";
      layers = defaultLayers(sourceId, sourceId, sourceLayer, { geometryType, color: options.color });
    }
  }
  layers = withRooms(layers);
  const before = beforeId && map.getLayer(beforeId) ? beforeId : undefined;
  for (const layer of layers) {
    if (!map.getLayer(layer.id)) map.addLayer({ ...layer, layout: { ...(layer.layout || {}), visibility: visible ? "visible" : "none" } }, before);
  }
  const handle = {
    name,
    sourceId,
    sourceLayer,
    tilejson,
    layerIds: layers.map((layer) => layer.id),
    legend: tilejson.legend || [],
    setVisible(on) {
      for (const id of handle.layerIds) if (map.getLayer(id)) map.setLayoutProperty(id, "visibility", on ? "visible" : "none");
    },
    remove() {
      for (const id of handle.layerIds) if (map.getLayer(id)) map.removeLayer(id);
      if (map.getSource(sourceId)) map.removeSource(sourceId);
    },
  };
  if (register) {
    map.platformLayers = map.platformLayers || {};
    map.platformLayers[name] = handle;
  }
  return handle;
}

/**
 * Reload a layer's tiles (after an edit), keeping its drawing. The layer's TileJSON names its tiles
 * with the layer's current version (`?v=`), which every committed edit changes: asking it again gives
 * URLs that no browser or edge cache has seen. Without it (offline), a time stamp does the same.
 */
export async function refreshLayer(map, name) {
  const source = map.getSource(`gp-${name}`);
  if (!source || typeof source.setTiles !== "function") return;
  const first = (source.tiles || [])[0] || "";
  const key = new URL(first, window.location.href).searchParams.get("key");
  try {
    const tilejson = await fetchTileJSON(name, key ? `?key=${encodeURIComponent(key)}` : "");
    if (tilejson.tiles?.length) {
      source.setTiles(tilejson.tiles);
      return;
    }
  } catch (error) {
    // fall through to the time stamp
  }
  const stamp = `v=${Date.now()}`;
  source.setTiles((source.tiles || []).map((url) => {
    const bare = url.replace(/([?&])v=\d+&?/, "$1").replace(/[?&]$/, "");
    return `${bare}${bare.includes("?") ? "&" : "?"}${stamp}`;
  }));
}
