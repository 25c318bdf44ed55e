// terra-draw on a MapLibre map: points, lines and areas; select to drag vertices, insert midpoints
// and move features. Features carry the map's category colours.
import {
  TerraDraw, TerraDrawLineStringMode, TerraDrawMapLibreGLAdapter, TerraDrawPointMode, TerraDrawPolygonMode,
  TerraDrawRenderMode, TerraDrawSelectMode,
} from "terra-draw";

let counter = 0;
export const newDrawId = () => `td-${Date.now().toString(36)}-${(counter += 1)}`;

const MODE_OF = { Point: "point", LineString: "linestring", Polygon: "polygon" };

function editableFlags() {
  const coordinates = { draggable: true, midpoints: true, deletable: true };
  return {
    point: { feature: { draggable: true } },
    linestring: { feature: { draggable: true, coordinates } },
    polygon: { feature: { draggable: true, coordinates } },
  };
}

/**
 * createDraw(map, {colorOf(feature) → "#rrggbb"}) → {draw, setMode, addServerFeature(feature) → drawId}
 * The modes are "point", "linestring", "polygon", "select" and "static" (look only).
 */
export function createDraw(map, { colorOf }) {
  const color = (feature) => colorOf(feature) || "#e4572e";
  const draw = new TerraDraw({
    adapter: new TerraDrawMapLibreGLAdapter({ map }),
    idStrategy: { isValidId: (id) => typeof id === "string" && id.length > 0, getId: newDrawId },
    modes: [
      new TerraDrawRenderMode({ modeName: "static", styles: {} }),
      new TerraDrawPointMode({ styles: { pointColor: color, pointWidth: 7, pointOutlineColor: "#ffffff", pointOutlineWidth: 2 } }),
      new TerraDrawLineStringMode({ styles: { lineStringColor: color, lineStringWidth: 4 } }),
      new TerraDrawPolygonMode({ styles: { fillColor: color, fillOpacity: 0.35, outlineColor: color, outlineWidth: 2 } }),
      new TerraDrawSelectMode({
        flags: editableFlags(),
        keyEvents: { deselect: "Escape", delete: null, rotate: null, scale: null },
        styles: {
          selectedPolygonColor: "#1d3557", selectedPolygonOutlineColor: "#1d3557", selectedPolygonFillOpacity: 0.3,
          selectedLineStringColor: "#1d3557", selectedPointColor: "#1d3557", selectedPointWidth: 9,
          selectionPointColor: "#ffffff", selectionPointOutlineColor: "#1d3557", selectionPointWidth: 6, selectionPointOutlineWidth: 2,
          midPointColor: "#f4a261", midPointOutlineColor: "#1d3557", midPointWidth: 4,
        },
      }),
    ],
  });
  draw.start();
  draw.setMode("static");

  function addServerFeature(feature, drawId = newDrawId()) {
    const geometry = feature.geometry;
    const mode = MODE_OF[geometry?.type];
    if (!mode) return null;
    const result = draw.addFeatures([{ id: drawId, type: "Feature", geometry,
      properties: { mode, category: feature.properties?.category || "", pending: feature.properties?.status === "pending" } }]);
    return result[0]?.valid ? drawId : null;
  }

  return { draw, setMode: (mode) => draw.setMode(mode), addServerFeature };
}

/** Multi* features cannot be drawn by terra-draw: edited as their first part would lose data, so skip. */
export function isDrawable(feature) {
  return Boolean(MODE_OF[feature?.geometry?.type]);
}
