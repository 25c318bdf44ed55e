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
