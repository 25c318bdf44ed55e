// Platform layers on a map: a layer's TileJSON (/tiles/{name}.json) gives its tiles, its style
// (/styles/{name}.json) how to draw it; a default drawing by geometry type stands in when a layer
// has no style of its own. Points aggregated by the server at low zooms carry a count.
import { request } from "../api/request.js";

export function absoluteUrl(url) {
  return new URL(url, window.location.origin).href;
}

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
      layout: { "text-field": ["to-string", COUNT], "text-font": ["sans-serif"], "text-size": 11, "text-allow-overlap": true },
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

/** The server's style for a layer, re-pointed at our source; without glyph or sprite servers. */
function layersFromStyle(style, id, sourceId, sourceLayer) {
  const sources = Object.keys(style.sources || {});
  return (style.layers || [])
    .filter((layer) => layer.type !== "background" && (!layer.source || sources.includes(layer.source) || layer.source === sourceId))
    .filter((layer) => !(layer.type === "symbol" && layer.layout && layer.layout["icon-image"] && !layer.layout["text-field"]))
    .map((layer) => {
      const copy = structuredClone(layer);
      copy.id = `${id}::${layer.id}`;
      copy.source = sourceId;
      if (copy.type !== "raster") copy["source-layer"] = layer["source-layer"] || sourceLayer;
      if (copy.layout) {
        delete copy.layout["icon-image"];
        if (copy.layout["text-field"]) copy.layout["text-font"] = ["sans-serif"];
      }
      return copy;
    });
}

/**
 * Add the platform layer `name` to a map. Options: style (default true: the server's style),
 * query (e.g. "?key=…" for an unlisted map), beforeId, visible, geometryType/color (default drawing).
 * Returns {name, sourceId, sourceLayer, layerIds, tilejson, legend, setVisible(bool), remove()}.
 */
export async function addPlatformLayer(map, name, options = {}) {
  const { style = true, query = "", beforeId, visible = true, register = true } = options;
  const tilejson = await request(`/tiles/${encodeURIComponent(name)}.json${query}`);
  const sourceId = `gp-${name}`;
  const source = sourceFromTileJSON(tilejson);
  if (!map.getSource(sourceId)) map.addSource(sourceId, source);
  const sourceLayer = tilejson.vector_layers?.[0]?.id || name;
  let layers = [];
  if (source.type === "raster") {
    layers = [{ id: `${sourceId}-raster`, type: "raster", source: sourceId, paint: { "raster-opacity": 0.75 } }];
  } else if (style) {
    let serverStyle = null;
    try {
      serverStyle = await request(`/styles/${encodeURIComponent(name)}.json${query}`);
    } catch {
      serverStyle = null;
    }
    layers = serverStyle ? layersFromStyle(serverStyle, sourceId, sourceId, sourceLayer) : [];
    if (!layers.length) {
      const geometryType = options.geometryType || tilejson.geometry_type || tilejson.vector_layers?.[0]?.geometry_type || "mixed";
      layers = defaultLayers(sourceId, sourceId, sourceLayer, { geometryType, color: options.color });
    }
  }
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

/** Reload a layer's tiles (after an edit), keeping its drawing. */
export function refreshLayer(map, name) {
  const source = map.getSource(`gp-${name}`);
  if (!source) return;
  const tiles = (source.tiles || []).map((url) => {
    const u = new URL(url);
    u.searchParams.set("v", String(Date.now()));
    return u.href;
  });
  if (typeof source.setTiles === "function") source.setTiles(tiles);
}
