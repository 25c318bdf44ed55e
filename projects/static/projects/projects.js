// The projects page: every project on the map (coloured by status); city staff add one by drawing
// on the map, or import many from a CSV/XLSX file (bad rows come back with their errors).
import { createMap, addPlatformLayer, enablePopups } from "geoplatform/map/index.js";
import { request } from "geoplatform/api/request.js";
import { h, clear, showError, hideError } from "geoplatform/ui/dom.js";
import { projectPopup, text } from "./common.js";

const container = document.getElementById("projects-map");
const map = await createMap(container, { hash: false });
const layer = await addPlatformLayer(map, "projects");
enablePopups(map, layer.layerIds, projectPopup);
window.gpProjectsReady = true;

function geometry(kind, vertices) {
  if (kind === "MultiPoint") return { type: "MultiPoint", coordinates: vertices };
  if (kind === "MultiLineString") return { type: "MultiLineString", coordinates: [vertices] };
  return { type: "MultiPolygon", coordinates: [[[...vertices, vertices[0]]]] };
}

const form = document.getElementById("project-form");
if (form) {
  let vertices = [];
  const counter = form.querySelector("[data-vertices]");
  map.addSource("draft", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  map.addLayer({ id: "draft-line", type: "line", source: "draft", paint: { "line-color": "#d62828", "line-width": 3 } });
  map.addLayer({ id: "draft-points", type: "circle", source: "draft", paint: { "circle-color": "#d62828", "circle-radius": 5 } });
  const redraw = () => {
    const features = vertices.map((c) => ({ type: "Feature", geometry: { type: "Point", coordinates: c } }));
    if (vertices.length > 1) features.push({ type: "Feature", geometry: { type: "LineString", coordinates: vertices } });
    map.getSource("draft").setData({ type: "FeatureCollection", features });
    counter.textContent = String(vertices.length);
  };
  map.on("click", (event) => {
    if (!form.closest("details").open) return;
    vertices.push([Number(event.lngLat.lng.toFixed(7)), Number(event.lngLat.lat.toFixed(7))]);
    redraw();
  });
  form.querySelector("[data-clear]").addEventListener("click", () => { vertices = []; redraw(); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = document.getElementById("project-error");
    hideError(box);
    const data = Object.fromEntries(new FormData(form));
    const body = { title_ko: data.title_ko, title_en: data.title_en, department_ko: data.department_ko,
      description_ko: data.description_ko, geometry: geometry(data.kind, vertices) };
    if (data.budget_planned) body.budget_planned = Number(data.budget_planned);
    if (data.starts_on) body.starts_on = data.starts_on;
    if (data.ends_on) body.ends_on = data.ends_on;
    try {
      const created = await request("/api/projects/", { method: "POST", json: body });
      window.location.assign(created.properties?.url || `/projects/${created.id}/`);
    } catch (error) {
      showError(box, error);
    }
  });
}

const importForm = document.getElementById("import-form");
if (importForm) {
  importForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = document.getElementById("import-error");
    const list = document.getElementById("import-errors");
    hideError(box);
    clear(list);
    let result;
    try {
      result = await request("/api/projects/import/", { method: "POST", form: new FormData(importForm) });
    } catch (error) {
      showError(box, error);
      result = error.data || error.body;
    }
    for (const row of result?.errors || []) {
      const messages = Object.entries(row.errors).map(([column, list_]) => `${column}: ${list_.join(" ")}`).join("; ");
      list.append(h("li", { "data-row": row.row }, `${text("row")} ${row.row}: ${messages}`));
    }
    if (result?.created?.length) {
      list.before(h("p", { class: "notice", "data-testid": "imported" }, `${result.created.length}${text("imported")}`));
    }
  });
}
