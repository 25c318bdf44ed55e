// Editing a citizens' map: draw points, lines and areas with terra-draw, edit vertices, delete,
// undo/redo; the template's fields and photos per feature; visibility, contribution mode,
// collaborators and secret links for the owner; the suggestions to approve or reject on a moderated
// map (owner and editors; pending ones drawn grey). Live: others' edits appear as they happen (a socket,
// live/socket.js), with who is here and which feature each is editing; a save based on an older version
// is merged by the server, and only the same field changed by both opens the (non-modal) conflict dialog.
import { pageConfig } from "../config.js";
import { request, requestList } from "../api/request.js";
import * as maplibregl from "maplibre-gl";
import { createMap } from "../map/index.js";
import { createDraw, isDrawable } from "../editing/draw.js";
import { LiveSocket, liveBadge, presenceChips } from "../live/socket.js";
import { EditSession, Conflict, snapshotOf } from "../editing/session.js";
import { suggestionsPanel } from "../editing/suggestions.js";
import { h, clear, toast, showError, hideError, panelDialog, photoUrls, onSubmit } from "../ui/dom.js";
import { t, loc } from "../i18n/index.js";
import { placeLine } from "../ui/place.js";

const { mapId, key } = pageConfig();
const query = key ? `?key=${encodeURIComponent(key)}` : "";
const $ = (id) => document.getElementById(id);
const GEOMETRY_EDITS = new Set(["dragFeature", "dragCoordinate", "insertMidpoint", "deleteCoordinate", "edit", "dragCoordinateResize"]);

let mapObj;
let drawing;
let selected = null;
let formBase = null; // the server's feature the open form was filled from: a save is based on its version
let live = null;
let me = null; // this page's own presence id
let meGuest = false;
let describe = () => {};
const session = new EditSession(mapId, { key, onChange: () => refreshUndo() });

const PENDING_COLOR = "#8d99ae";

function colorOf(feature) {
  if (feature?.properties?.pending) return PENDING_COLOR;
  const category = feature?.properties?.category;
  return (mapObj.categories || []).find((c) => c.key === category)?.color || mapObj.categories?.[0]?.color || "#e4572e";
}

function fail(error, box = $("edit-error")) {
  showError(box, error);
  toast(box.textContent, "error");
}

function refreshUndo() {
  $("undo").disabled = !session.canUndo();
  $("redo").disabled = !session.canRedo();
}

function setMode(mode) {
  drawing.setMode(mode);
  for (const button of document.querySelectorAll(".edit-tools [data-mode]")) {
    button.setAttribute("aria-pressed", String(button.dataset.mode === mode));
  }
}

// --- the feature form --------------------------------------------------------------------------
function fieldInput(field, value) {
  const id = `f-prop-${field.key}`;
  const label = h("label", { for: id }, loc(field, "label"));
  let input;
  if (field.type === "boolean") {
    input = h("input", { type: "checkbox", id, dataset: { key: field.key, type: field.type }, checked: value === true });
    return h("div", { class: "field" }, h("label", { for: id }, input, " ", loc(field, "label")));
  }
  if (field.type === "choice") {
    input = h("select", { id, dataset: { key: field.key, type: field.type } }, h("option", { value: "" }, "—"),
      (field.choices || []).map((choice) => h("option", { value: choice, selected: value === choice }, choice)));
  } else {
    input = h("input", { type: field.type === "number" ? "number" : "text", id, dataset: { key: field.key, type: field.type },
      value: value ?? "", step: field.type === "number" ? "any" : null });
  }
  return h("div", { class: "field" }, label, input);
}

function showForm(drawId) {
  if (selected !== drawId) delete $("feature-form").dataset.saved;
  if (selected !== drawId) live?.raw({ type: "presence", selected: session.serverFeature(drawId)?.id ?? null });
  selected = drawId;
  const feature = session.serverFeature(drawId);
  formBase = feature || null;
  $("feature-empty").hidden = Boolean(feature);
  $("feature-form").hidden = !feature;
  hideError($("feature-error"));
  describe(feature?.geometry || null);
  const sheet = document.querySelector(".map-panel")?.sheet;
  if (feature) sheet?.open(); else sheet?.peek();
  if (!feature) return;
  const p = feature.properties;
  $("f-name").value = p.name || "";
  $("f-description").value = p.description || "";
  clear($("f-category"), h("option", { value: "" }, "—"), (mapObj.categories || []).map((c) =>
    h("option", { value: c.key, selected: c.key === p.category }, loc(c, "label"))));
  clear($("f-fields"), (mapObj.suggested_fields || []).map((field) => fieldInput(field, p.properties?.[field.key])));
  renderPhotos(feature);
}

function renderPhotos(feature) {
  clear($("f-photos"), (feature.properties.photos || []).map((photo) => {
    const { thumb } = photoUrls(photo);
    return h("li", {}, h("img", { src: thumb, alt: photo.caption || feature.properties.name || t("photos") }));
  }));
}

function formValues() {
  const properties = { ...(session.serverFeature(selected)?.properties.properties || {}) };
  for (const input of $("f-fields").querySelectorAll("[data-key]")) {
    const { key: field, type } = input.dataset;
    if (type === "boolean") properties[field] = input.checked;
    else if (type === "number") properties[field] = input.value === "" ? null : Number(input.value);
    else properties[field] = input.value;
  }
  return { name: $("f-name").value.trim(), description: $("f-description").value, category: $("f-category").value, properties };
}

// --- applying server state to the drawing ------------------------------------------------------------
/** Has the person changed the open form since it was filled? (Then a live change must not overwrite it.) */
function formDirty() {
  if (!selected || !formBase || $("feature-form").hidden) return false;
  const base = snapshotOf(formBase);
  const now = formValues();
  return ["name", "description", "category", "properties"].some((field) =>
    JSON.stringify(now[field] ?? "") !== JSON.stringify(field === "properties" ? { ...base.properties, ...pickKeys(now.properties, base.properties) } : base[field] ?? ""));
}

function pickKeys(values, base) {
  // Empty inputs of fields the feature never had are not a change.
  const out = {};
  for (const [k, v] of Object.entries(values)) if (!(k in base) && (v === "" || v === null || v === false)) out[k] = v;
  return out;
}

function applyToDrawing(kind, drawId, feature, { fromOthers = false } = {}) {
  const { draw } = drawing;
  if (kind === "remove") {
    if (draw.hasFeature(drawId)) draw.removeFeatures([drawId]);
    if (selected === drawId) showForm(null);
    return;
  }
  if (fromOthers && selected === drawId && formDirty()) {
    // Keep what the person is typing (and its base version): saving merges it with the change.
    if (draw.hasFeature(drawId)) draw.updateFeatureGeometry(drawId, feature.geometry);
    return;
  }
  if (draw.hasFeature(drawId)) {
    draw.updateFeatureGeometry(drawId, feature.geometry);
    draw.updateFeatureProperties(drawId, { category: feature.properties.category || "", pending: feature.properties.status === "pending" });
  } else {
    drawing.addServerFeature(feature, drawId);
  }
  if (selected === drawId) showForm(drawId);
}

// --- conflicts (the same field changed by two people from one version) ---------------------------------
function fieldLabel(field) {
  if (field === "geometry") return t("map");
  if (field === "name") return t("featureName");
  if (field === "description") return t("featureDescription");
  if (field === "category") return t("category");
  if (field.startsWith("properties.")) {
    const key = field.slice(11);
    const spec = (mapObj.suggested_fields || []).find((f) => f.key === key);
    return spec ? loc(spec, "label") : key;
  }
  return field;
}

function conflictDialog(conflict, drawId, changes) {
  const current = conflict.current;
  const mine = changes;
  const theirs = snapshotOf(current);
  const show = (field, value) => {
    if (field === "geometry") return value ? value.type : "";
    if (field === "properties") return JSON.stringify(value || {});
    if (field === "category") return (mapObj.categories || []).find((c) => c.key === value) ? loc(mapObj.categories.find((c) => c.key === value), "label") : value || "";
    if (value === null || value === undefined) return "";
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  };
  let rows;
  if (conflict.fields?.length) {
    rows = conflict.fields.map(({ field, theirs: their, mine: my }) => h("tr", { class: "changed", dataset: { field } },
      h("th", { scope: "row" }, fieldLabel(field)), h("td", {}, show(field.split(".")[0], their)), h("td", {}, show(field.split(".")[0], my))));
  } else {
    const fields = ["name", "category", "description", "properties", "geometry"].filter((field) => field in mine || field === "geometry");
    const changed = (field) => JSON.stringify(theirs[field] ?? "") !== JSON.stringify(session.serverFeature(drawId) ? snapshotOf(session.serverFeature(drawId))[field] ?? "" : "");
    rows = fields.map((field) => h("tr", { class: changed(field) ? "changed" : "" },
      h("th", { scope: "row" }, fieldLabel(field)), h("td", {}, show(field, theirs[field])),
      h("td", {}, field in mine ? show(field, mine[field]) : "—")));
  }
  const table = h("table", {},
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("field")), h("th", { scope: "col" }, t("theirs")), h("th", { scope: "col" }, t("mine")))),
    h("tbody", {}, rows));
  const reload = h("button", { type: "button", class: "button" }, conflict.fields?.length ? t("conflictKeepTheirs") : t("conflictReload"));
  const overwrite = h("button", { type: "button", class: "button primary" }, t("conflictOverwrite"));
  const node = panelDialog(t("conflictTitle"), h("div", { class: "conflict" },
    h("p", {}, t("conflictText")), h("p", { class: "muted" }, `${current.properties.author ? t("mapBy", { name: current.properties.author }) : ""} · v${current.properties.version}`),
    table, h("p", { class: "toolbar" }, reload, overwrite)));
  node.dataset.testid = "conflict-dialog";
  reload.addEventListener("click", () => {
    session.track(drawId, current);
    applyToDrawing("update", drawId, current);
    node.close();
  });
  overwrite.addEventListener("click", async () => {
    node.close();
    try {
      if (mine.deleted) {
        session.track(drawId, current);
        await session.remove(drawId);
        applyToDrawing("remove", drawId, null);
      } else {
        // Based on their version now: undo then goes back to what they had saved.
        session.track(drawId, current);
        const feature = await session.update(drawId, mine);
        applyToDrawing("update", drawId, feature);
        if (selected === drawId) $("feature-form").dataset.saved = String(feature.properties.version);
      }
      toast(t("saved"), "ok");
    } catch (error) {
      handle(error, drawId, mine);
    }
  });
}

function handle(error, drawId, changes) {
  if (error instanceof Conflict) conflictDialog(error, drawId, changes);
  else fail(error);
}

// Undo never discards saved work silently: removing a feature that already has a name, text, fields
// or photos asks first (photos cannot come back with redo), and every undo says what it did.
async function undoSafely() {
  const entry = session.undoStack.at(-1);
  if (!entry) return;
  if (entry.kind === "create") {
    const p = session.serverFeature(entry.drawId)?.properties || {};
    const saved = p.name || p.description || (p.photos || []).length || Object.keys(p.properties || {}).length;
    if (saved && !window.confirm(t("undoRemovesSaved", { name: p.name || t("thisFeature") }))) return;
  }
  await session.undo(applyToDrawing);
  toast(t(entry.kind === "create" ? "undoneRemoved" : entry.kind === "delete" ? "undoneRestored" : "undoneChanged"), "ok");
}

// --- drawing events ----------------------------------------------------------------------------------------
async function onFinish(drawId, context) {
  const { draw } = drawing;
  const drawn = draw.getSnapshotFeature(drawId);
  if (!drawn) return;
  if (context.action === "draw") {
    const category = mapObj.categories?.[0]?.key || "";
    try {
      const feature = await session.create(drawId, { geometry: drawn.geometry, name: "", description: "", category, properties: {} });
      draw.updateFeatureProperties(drawId, { category: feature.properties.category || "", pending: feature.properties.status === "pending" });
      setMode("select");
      draw.selectFeature(drawId);
      showForm(drawId);
      $("f-name").focus();
      toast(feature.properties.status === "pending" ? t("status_pending") : t("saved"), "ok");
    } catch (error) {
      draw.removeFeatures([drawId]);
      fail(error);
    }
  } else if (GEOMETRY_EDITS.has(context.action) && session.serverFeature(drawId)) {
    if (selected === drawId) describe(drawn.geometry);
    try {
      await session.update(drawId, { geometry: drawn.geometry });
    } catch (error) {
      handle(error, drawId, { geometry: drawn.geometry });
    }
  }
}

// --- settings, collaborators, secret links (owner) ----------------------------------------------------------------
async function loadCollaborators() {
  const people = await requestList(`/api/maps/${mapId}/collaborators/`);
  clear($("collaborators"), people.map((person) => h("li", {},
    `${person.name || person.username} (${t(`role_${person.role}`)}) `,
    h("button", { type: "button", class: "button small danger", "aria-label": `${t("delete")} ${person.username}`,
      onclick: async () => {
        try {
          await request(`/api/maps/${mapId}/collaborators/${person.user_id}/`, { method: "DELETE" });
          await loadCollaborators();
        } catch (error) {
          showError($("invite-error"), error);
        }
      } }, t("delete")))));
}

async function loadSecretLinks() {
  const links = await request(`/api/maps/${mapId}/secret-links/`);
  const row = (kind, label, url) => {
    const id = `link-${kind}`;
    const input = h("input", { type: "url", id, readonly: true, value: url || "" });
    return h("div", { class: "field" }, h("label", { for: id }, label), input,
      h("div", { class: "toolbar" },
        h("button", { type: "button", class: "button small", onclick: async () => {
          input.select();
          try { await navigator.clipboard.writeText(input.value); toast(t("copied"), "ok"); } catch { document.execCommand("copy"); }
        } }, h("span", { "aria-hidden": "true" }, "⧉ "), t("copyLink")),
        h("button", { type: "button", class: "button small danger", dataset: { rotate: kind }, onclick: async () => {
          try {
            await request(`/api/maps/${mapId}/secret-links/rotate/`, { method: "POST", json: { kind } });
            await loadSecretLinks();
            toast(t("saved"), "ok");
          } catch (error) {
            fail(error);
          }
        } }, t("rotate"))));
  };
  clear($("secret-links"), row("view", t("viewLink"), links.view_url), row("edit", t("editLink"), links.edit_url));
}

function settings() {
  $("settings-panel").hidden = false;
  $("s-visibility").value = mapObj.visibility;
  $("s-contribution").value = mapObj.contribution_mode;
  onSubmit($("settings-form"), $("settings-error"), async () => {
    mapObj = { ...mapObj, ...(await request(`/api/maps/${mapId}/`, { method: "PATCH",
      json: { visibility: $("s-visibility").value, contribution_mode: $("s-contribution").value } })) };
    toast(t("saved"), "ok");
  });
  onSubmit($("invite-form"), $("invite-error"), async () => {
    await request(`/api/maps/${mapId}/collaborators/`, { method: "POST", json: { username: $("i-username").value.trim(), role: $("i-role").value } });
    $("i-username").value = "";
    await loadCollaborators();
  });
  loadCollaborators().catch((error) => showError($("invite-error"), error));
  loadSecretLinks().catch((error) => fail(error));
}

// --- live: others' edits, presence, connection state ---------------------------------------------------------
function fromServer(feature, author) {
  if (!feature?.id) return;
  const drawId = session.drawIdOf(feature.id);
  if (!drawId && session.creating > 0) {
    // Perhaps our own creation, announced before its answer reached us: decide once the answer is in.
    session.whenCreatesSettle(() => fromServer(feature, author));
    return;
  }
  const local = drawId ? session.serverFeature(drawId) : null;
  if (local && (local.properties.version ?? 0) >= (feature.properties.version ?? 0)) return;
  if (feature.properties.status === "rejected") {
    if (drawId) {
      session.features.delete(drawId);
      applyToDrawing("remove", drawId, null);
    }
    return;
  }
  if (!drawId) {
    if (!isDrawable(feature)) return;
    const added = drawing.addServerFeature(feature);
    if (added) session.track(added, feature);
    return;
  }
  const dirty = selected === drawId && formDirty();
  session.track(drawId, feature);
  applyToDrawing("update", drawId, feature, { fromOthers: true });
  if (dirty) toast(t("liveChangedBy", { name: author || t("someone") }), "info");
}

function goneOnServer(fid, author) {
  const drawId = session.drawIdOf(fid);
  if (!drawId) return;
  if (selected === drawId) toast(t("liveDeletedBy", { name: author || t("someone") }), "info");
  session.features.delete(drawId);
  applyToDrawing("remove", drawId, null);
}

async function reloadFeatures() {
  const features = await requestList(`/api/maps/${mapId}/features/${query}${query ? "&" : "?"}limit=1000`, { max: 5000 });
  const seen = new Set();
  for (const feature of features.filter(isDrawable)) {
    seen.add(feature.id);
    fromServer(feature, "");
  }
  for (const [drawId, feature] of [...session.features]) {
    if (!seen.has(feature.id)) {
      session.features.delete(drawId);
      applyToDrawing("remove", drawId, null);
    }
  }
}

const markers = new Map();

function anchorOf(geometry) {
  let c = geometry?.coordinates;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
  return Array.isArray(c) && c.length >= 2 ? c : null;
}

let chips = null;

function showPresence(people, guestCount, map) {
  const others = chips.show(people, guestCount, { me, meGuest });
  // A marker on each feature someone else has selected.
  const wanted = new Map();
  for (const p of others) if (p.selected) wanted.set(p.selected, [...(wanted.get(p.selected) || []), p.name || t("someone")]);
  for (const [fid, marker] of markers) if (!wanted.has(fid)) { marker.remove(); markers.delete(fid); }
  for (const [fid, names] of wanted) {
    const drawId = session.drawIdOf(fid);
    const at = drawId ? anchorOf(session.serverFeature(drawId)?.geometry) : null;
    if (!at) continue;
    const text = t("presenceEditing", { name: names.join(", ") });
    let marker = markers.get(fid);
    if (!marker) {
      const element = h("div", { class: "editing-marker", dataset: { testid: "editing-marker", feature: String(fid) } });
      marker = new maplibregl.Marker({ element, anchor: "bottom", offset: [0, -10] }).setLngLat(at).addTo(map);
      markers.set(fid, marker);
    }
    marker.setLngLat(at);
    marker.getElement().textContent = text;
  }
}

function startLive(map) {
  const badge = liveBadge(t);
  chips = presenceChips(t, h);
  $("map-title").after(badge.node, chips.node);
  live = new LiveSocket(`/ws/maps/${mapId}/`, { key,
    onState: (state, code) => {
      badge.show(state);
      if (code === 4403) toast(t("liveRevoked"), "error");
    },
    on: (message) => {
      if (message.type === "hello") {
        me = message.socket;
        meGuest = !message.you;
        const current = selected ? session.serverFeature(selected)?.id : null;
        if (current) live.raw({ type: "presence", selected: current });
      } else if (message.type === "feature.created" || message.type === "feature.updated") {
        fromServer(message.feature, message.author);
      } else if (message.type === "feature.deleted") {
        goneOnServer(message.id, message.author);
      } else if (message.type === "features.imported" || message.type === "refetch") {
        reloadFeatures().catch((error) => fail(error));
      } else if (message.type === "presence") {
        showPresence(message.people, message.guests || 0, map);
      } else if (message.type === "permissions") {
        toast(t("livePermissions"), "info");
      } else if (message.type === "map.updated") {
        mapObj = { ...mapObj, title: message.title, categories: message.categories, suggested_fields: message.suggested_fields };
        $("map-title").textContent = mapObj.title;
      }
    } });
  session.useSocket(live);  // edits go over the socket while it is live, else over REST
  window.gpLive = live;
}

// --- start ----------------------------------------------------------------------------------------------------------
async function main() {
  describe = placeLine($("place-words"));
  try {
    mapObj = await request(`/api/maps/${mapId}/${query}`);
  } catch (error) {
    $("map-title").textContent = error.message;
    return;
  }
  document.title = `${t("editMap")}: ${mapObj.title} · geoplatform`;
  $("map-title").textContent = mapObj.title;
  $("view-link").href = `/maps/${mapId}/${query}`;
  const center = mapObj.center?.coordinates;
  const map = await createMap($("map"), { ...(center ? { center, zoom: mapObj.zoom } : {}), dongs: true });
  drawing = createDraw(map, { colorOf });
  const features = await requestList(`/api/maps/${mapId}/features/${query}${query ? "&" : "?"}limit=1000`, { max: 5000 });
  for (const feature of features.filter(isDrawable)) {
    const drawId = drawing.addServerFeature(feature);
    if (drawId) session.track(drawId, feature);
  }
  drawing.draw.on("finish", onFinish);
  drawing.draw.on("select", (drawId) => showForm(drawId));
  drawing.draw.on("deselect", () => showForm(null));
  startLive(map);

  for (const button of document.querySelectorAll(".edit-tools [data-mode]")) {
    button.addEventListener("click", () => setMode(button.dataset.mode));
  }
  $("undo").addEventListener("click", () => undoSafely().catch((error) => fail(error)));
  $("redo").addEventListener("click", () => session.redo(applyToDrawing).catch((error) => fail(error)));
  document.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.target.closest("input, textarea, select")) return;
    if (event.key === "z" && !event.shiftKey) { event.preventDefault(); $("undo").click(); }
    if (event.key === "y" || (event.key === "z" && event.shiftKey)) { event.preventDefault(); $("redo").click(); }
  });
  $("feature-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!selected) return;
    const changes = formValues();
    const form = event.target;
    hideError($("feature-error"));
    form.setAttribute("aria-busy", "true");
    delete form.dataset.saved;
    try {
      const feature = await session.update(selected, changes, { version: formBase?.properties.version });
      applyToDrawing("update", selected, feature);
      form.dataset.saved = String(feature.properties.version);
      toast(t("saved"), "ok");
    } catch (error) {
      if (error instanceof Conflict) conflictDialog(error, selected, changes);
      else showError($("feature-error"), error);
    } finally {
      form.setAttribute("aria-busy", "false");
    }
  });
  $("f-delete").addEventListener("click", async () => {
    const drawId = selected;
    if (!drawId) return;
    try {
      await session.remove(drawId);
      applyToDrawing("remove", drawId, null);
      toast(t("saved"), "ok");
    } catch (error) {
      handle(error, drawId, { deleted: true });
    }
  });
  $("f-photo").addEventListener("change", async (event) => {
    const file = event.target.files?.[0];
    if (!file || !selected) return;
    hideError($("feature-error"));
    try {
      await session.addPhoto(selected, file);
      renderPhotos(session.serverFeature(selected));
      toast(t("saved"), "ok");
    } catch (error) {
      showError($("feature-error"), error);
    } finally {
      event.target.value = "";
    }
  });
  if (mapObj.permissions?.manage) settings();
  if (mapObj.permissions?.moderate) {
    suggestionsPanel({ mapObj, map, query, onReviewed: (feature) => {
      const drawId = session.drawIdOf(feature.id);
      if (!drawId) return;
      session.track(drawId, feature);
      applyToDrawing(feature.properties.status === "published" ? "update" : "remove", drawId, feature);
    } });
  }
  window.gpDraw = drawing.draw;
  document.body.dataset.editorReady = "true";
}

main();
