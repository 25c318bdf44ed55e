// Pop-ups for features under a click or a tap. `render(feature, map)` returns a DOM node (built with
// ui/dom.js `h`, never from HTML strings) or a Promise of one; null shows nothing.
import * as maplibregl from "maplibre-gl";

export function enablePopups(map, layerIds, render, { maxWidth = "320px" } = {}) {
  let popup = null;
  const ids = () => layerIds.filter((id) => map.getLayer(id));
  map.on("click", async (event) => {
    const live = ids();
    if (!live.length) return;
    const features = map.queryRenderedFeatures(event.point, { layers: live });
    if (!features.length) return;
    // A tapped cluster (the server aggregates points into counts at low zooms) zooms into it.
    const count = Number(features[0].properties.count ?? features[0].properties.point_count ?? 1);
    if (count > 1) {
      popup?.remove();
      map.easeTo({ center: event.lngLat, zoom: Math.min(map.getZoom() + 2, map.getMaxZoom()), duration: 400 });
      return;
    }
    const node = await render(features[0], map, event);
    if (!node) return;
    popup?.remove();
    popup = new maplibregl.Popup({ maxWidth, focusAfterOpen: true }).setLngLat(event.lngLat).setDOMContent(node).addTo(map);
  });
  for (const id of layerIds) {
    map.on("mouseenter", id, () => (map.getCanvas().style.cursor = "pointer"));
    map.on("mouseleave", id, () => (map.getCanvas().style.cursor = ""));
  }
  return () => popup?.remove();
}
