// Staff add or edit a project: every field, and its location drawn on the map as points, lines or areas
// (several parts: "finish this part" starts the next one). An edit sends the geometry only when it was
// redrawn, and only the fields' values; the server checks everything and answers in the reader's language.
import { createMap } from "geoplatform/map/index.js";
import { request } from "geoplatform/api/request.js";
import { lang } from "geoplatform/i18n/index.js";
import { h, showError, hideError } from "geoplatform/ui/dom.js";
import { pageConfig } from "geoplatform/config.js";

const page = pageConfig();
const form = document.getElementById("project-form");
const existing = page.project;
const MIN = { MultiPoint: 1, MultiLineString: 2, MultiPolygon: 3 };

// --- the drawing: parts of vertices ([lon, lat]) of one kind ---------------------------------------
let kind = existing?.geometry?.type || "MultiPoint";
let parts = [[]];
let redrawn = false;
if (existing?.geometry) {
  const c = existing.geometry.coordinates;
  if (kind === "MultiPoint") parts = [c.map((p) => [...p])];
  else if (kind === "MultiLineString") parts = c.map((line) => line.map((p) => [...p]));
  else parts = c.map((polygon) => polygon[0].slice(0, -1).map((p) => [...p]));  // the outer rings
  parts.push([]);
}
form.querySelector(`input[name=kind][value=${kind}]`).checked = true;

const complete = () => parts.filter((part) => part.length >= MIN[kind]);

function geometry() {
  const done = complete();
  if (!done.length) return null;
  if (kind === "MultiPoint") return { type: "MultiPoint", coordinates: done.flat() };
  if (kind === "MultiLineString") return { type: "MultiLineString", coordinates: done };
  return { type: "MultiPolygon", coordinates: done.map((ring) => [[...ring, ring[0]]]) };
}

function features() {
  const out = [];
  for (const part of parts) {
    for (const vertex of part) out.push({ type: "Feature", properties: {}, geometry: { type: "Point", coordinates: vertex } });
    if (kind === "MultiLineString" && part.length > 1) {
      out.push({ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: part } });
    }
    if (kind === "MultiPolygon" && part.length > 2) {
      out.push({ type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [[...part, part[0]]] } });
    }
  }
  return { type: "FeatureCollection", features: out };
}

const map = await createMap(document.getElementById("draw-map"), { hash: false, bounds: page.bounds,
  fitBoundsOptions: { padding: 40, maxZoom: 16 } });
map.addSource("draft", { type: "geojson", data: features() });
map.addLayer({ id: "draft-fill", type: "fill", source: "draft", filter: ["==", ["geometry-type"], "Polygon"],
  paint: { "fill-color": "#d62828", "fill-opacity": 0.2 } });
map.addLayer({ id: "draft-line", type: "line", source: "draft", filter: ["!=", ["geometry-type"], "Point"],
  paint: { "line-color": "#d62828", "line-width": 3 } });
map.addLayer({ id: "draft-points", type: "circle", source: "draft", filter: ["==", ["geometry-type"], "Point"],
  paint: { "circle-color": "#d62828", "circle-radius": 5, "circle-stroke-color": "#fff", "circle-stroke-width": 1 } });

function redraw() {
  map.getSource("draft").setData(features());
  form.querySelector("[data-vertices]").textContent = String(parts.reduce((n, part) => n + part.length, 0));
  form.querySelector("[data-parts]").textContent = String(kind === "MultiPoint" ? complete().flat().length : complete().length);
}

map.on("click", (event) => {
  parts[parts.length - 1].push([Number(event.lngLat.lng.toFixed(7)), Number(event.lngLat.lat.toFixed(7))]);
  redrawn = true;
  redraw();
});
form.querySelector("[data-finish-part]").addEventListener("click", () => {
  if (parts[parts.length - 1].length >= MIN[kind]) parts.push([]);
  redraw();
});
form.querySelector("[data-undo]").addEventListener("click", () => {
  if (!parts[parts.length - 1].length && parts.length > 1) parts.pop();
  parts[parts.length - 1].pop();
  redrawn = true;
  redraw();
});
form.querySelector("[data-clear]").addEventListener("click", () => { parts = [[]]; redrawn = true; redraw(); });
form.querySelectorAll("input[name=kind]").forEach((radio) => radio.addEventListener("change", () => {
  kind = form.kind.value;
  redrawn = true;
  redraw();
}));
redraw();

// --- the fields ------------------------------------------------------------------------------
const districts = form.querySelector("#f-districts");
for (const d of page.districts || []) {
  const option = h("option", { value: d.code }, lang === "en" ? d.name_en : d.name_ko);
  option.selected = Boolean(existing?.districts?.includes(d.code));
  districts.append(option);
}
for (const name of ["proposals", "meetings", "reports"]) form[name].value = (existing?.[name] || []).join(", ");
const reason = form.querySelector("[data-cancel-reason]");
const showReason = () => { reason.hidden = form.status.value !== "cancelled"; };
form.status.addEventListener("change", showReason);
showReason();

const ids = (value) => value.split(/[\s,]+/).filter(Boolean).map(Number);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const box = document.getElementById("project-error");
  hideError(box);
  const body = {};
  for (const name of ["title_ko", "title_en", "description_ko", "description_en", "department_ko", "department_en",
    "status", "cancel_reason"]) body[name] = form[name].value;
  for (const name of ["budget_planned", "budget_spent", "progress"]) body[name] = form[name].value === "" ? 0 : Number(form[name].value);
  for (const name of ["starts_on", "ends_on"]) body[name] = form[name].value || null;
  body.districts = [...districts.selectedOptions].map((o) => o.value);
  for (const name of ["proposals", "meetings", "reports"]) body[name] = ids(form[name].value);
  if (!existing || redrawn) body.geometry = geometry();
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const saved = existing
      ? await request(`/api/projects/${existing.id}/`, { method: "PATCH", json: body })
      : await request("/api/projects/", { method: "POST", json: body });
    window.location.assign(`/projects/${saved.id}/`);
  } catch (error) {
    showError(box, error);
  } finally {
    button.disabled = false;
  }
});
window.gpProjectFormReady = true;
