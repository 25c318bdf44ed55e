// Report a hazard, phone first: locate me (geolocation) or tap the map, a category, a description,
// photos, send. Without a connection the report is kept on the device and sent when back online.
import { config } from "../config.js";
import { requestList } from "../api/request.js";
import { reportSend } from "../api/reports.js";
import { draftSave, draftList, draftsFlush } from "../offline/drafts.js";
import { createMap, maplibregl } from "../map/index.js";
import { createDraw } from "../editing/draw.js";
import { h, clear, toast, showError, hideError } from "../ui/dom.js";
import { t, loc } from "../i18n/index.js";
import { placeLine } from "../ui/place.js";

const $ = (id) => document.getElementById(id);
const state = { lngLat: null, geometry: null, shape: "point", photos: [] };
let map;
let marker;
let describe = () => {};

function place(lngLat, { fly = false } = {}) {
  if (state.shape !== "point") return;
  state.lngLat = lngLat;
  state.geometry = { type: "Point", coordinates: [Number(lngLat.lng.toFixed(7)), Number(lngLat.lat.toFixed(7))] };
  if (!marker) {
    marker = new maplibregl.Marker({ color: "#c0392b", draggable: true }).setLngLat(lngLat).addTo(map);
    marker.on("dragend", () => place(marker.getLngLat()));
    marker.on("drag", () => place(marker.getLngLat()));
  } else {
    marker.setLngLat(lngLat);
  }
  if (fly) map.jumpTo({ center: lngLat, zoom: Math.max(map.getZoom(), 16) });
  $("location-status").textContent = t("locationChosen", { lat: lngLat.lat.toFixed(5), lon: lngLat.lng.toFixed(5) });
  document.body.dataset.located = "true";
  describe(state.geometry);
}

function locate() {
  if (!navigator.geolocation) {
    $("location-status").textContent = t("locationDenied");
    return;
  }
  $("location-status").textContent = t("locating");
  navigator.geolocation.getCurrentPosition(
    (position) => place({ lng: position.coords.longitude, lat: position.coords.latitude }, { fly: true }),
    () => ($("location-status").textContent = t("locationDenied")),
    { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 },
  );
}

async function loadCategories() {
  try {
    const categories = (await requestList("/api/reports/categories/")).filter((c) => c.is_active !== false);
    clear($("categories"), categories.map((c) => h("label", { class: "choice" },
      h("input", { type: "radio", name: "category", value: c.code, required: true,
        "data-sensitive": c.is_sensitive ? "true" : null, onchange: descriptionChoice }),
      h("span", {}, loc(c, "name")))));
  } catch (error) {
    showError($("report-error"), error);
  }
}

// A description can be public only outside sensitive categories (the server enforces it too).
function descriptionChoice(event) {
  const box = $("description_public");
  box.disabled = event.target.dataset.sensitive === "true";
  if (box.disabled) box.checked = false;
}

function previews() {
  clear($("photo-previews"), state.photos.map((file) => h("li", {}, h("img", { src: URL.createObjectURL(file), alt: file.name }))));
}

async function showDrafts() {
  const drafts = await draftList().catch(() => []);
  const banner = $("drafts-banner");
  banner.hidden = drafts.length === 0;
  if (drafts.length) clear(banner, t("draftsPending", { n: drafts.length }));
  return drafts.length;
}

async function flushDrafts() {
  if (!config.user || !navigator.onLine) return;
  try {
    const sent = await draftsFlush(reportSend);
    if (sent) toast(t("draftsSent", { n: sent }), "ok");
  } catch (error) {
    showError($("report-error"), error);
  }
  await showDrafts();
}

async function submit(event) {
  event.preventDefault();
  hideError($("report-error"));
  const category = new FormData(event.target).get("category");
  const description = $("description").value.trim();
  if (!state.geometry) return showError($("report-error"), new Error(t("pickLocationFirst")));
  if (!category) return showError($("report-error"), new Error(t("pickCategory")));
  const descriptionPublic = $("description_public").checked && !$("description_public").disabled;
  const feature = { type: "Feature", geometry: state.geometry,
    properties: { category, description, description_public: descriptionPublic } };
  const draft = { feature, photos: state.photos };
  const button = $("send");
  button.disabled = true;
  try {
    if (!navigator.onLine) throw new TypeError("offline");
    const report = await reportSend(draft);
    toast(t("reportSent"), "ok");
    window.location.assign(`/reports/${report.id}/`);
  } catch (error) {
    if (error instanceof TypeError) {
      await draftSave(draft);
      toast(t("draftSaved"));
      event.target.reset();
      state.photos = [];
      previews();
      await showDrafts();
    } else {
      showError($("report-error"), error);
    }
  } finally {
    button.disabled = false;
  }
}

// A report may be a line (a whole street) or an area, not only a spot: drawn with terra-draw.
let drawing = null;
function setShape(shape) {
  state.shape = shape;
  for (const button of document.querySelectorAll("[data-shape]")) button.setAttribute("aria-pressed", String(button.dataset.shape === shape));
  if (!drawing) {
    drawing = createDraw(map, { colorOf: () => "#c0392b" });
    drawing.draw.on("finish", (id) => {
      const drawn = drawing.draw.getSnapshotFeature(id);
      if (!drawn) return;
      for (const other of drawing.draw.getSnapshot()) if (other.id !== id) drawing.draw.removeFeatures([other.id]);
      state.geometry = drawn.geometry;
      const count = drawn.geometry.type === "Polygon" ? drawn.geometry.coordinates[0].length - 1 : drawn.geometry.coordinates.length;
      $("location-status").textContent = `${state.shape === "polygon" ? "⬠" : "╱"} ${t("count", { n: count })}`;
      document.body.dataset.located = "true";
      describe(state.geometry);
    });
  }
  drawing.draw.clear();
  state.geometry = null;
  marker?.remove();
  marker = null;
  delete document.body.dataset.located;
  describe(null);
  drawing.setMode(shape === "point" ? "static" : shape);
  $("location-status").textContent = shape === "point" ? t("tapMap") : t("drawShapeHint");
}

async function main() {
  describe = placeLine($("place-words"), { receiving: true });
  loadCategories();
  showDrafts().then((n) => n && flushDrafts());
  window.addEventListener("online", flushDrafts);
  map = await createMap($("map"), { hash: false, dongs: true });
  map.on("click", (event) => place(event.lngLat));
  $("locate").addEventListener("click", () => {
    if (state.shape !== "point") setShape("point");
    locate();
  });
  for (const button of document.querySelectorAll("[data-shape]")) button.addEventListener("click", () => setShape(button.dataset.shape));
  $("photos").addEventListener("change", (event) => {
    state.photos = [...event.target.files];
    previews();
  });
  $("report-form").addEventListener("submit", submit);
  if (!config.user) $("send").disabled = true;
  document.body.dataset.mapReady = "true";
}

main();
