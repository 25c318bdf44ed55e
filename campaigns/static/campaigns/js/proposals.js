// Proposals page: propose a topic, vote and withdraw while the round is open, comment;
// city staff open and close rounds, answer proposals in public and start campaign maps.
import { request, requestList } from "geoplatform/api/request.js";
import { formatDate, lang } from "geoplatform/i18n/index.js";
import { createMap } from "geoplatform/map/index.js";
import { h } from "geoplatform/ui/dom.js";
import { placeLine } from "geoplatform/ui/place.js";
import { act, pageConfig, text } from "./common.js";

function districtOptions(select) {
  for (const district of pageConfig.districts || []) {
    select.append(h("option", { value: district.code }, lang === "en" ? district.name_en : district.name_ko));
  }
}

/** The optional place of a policy or local project: a tap on the map puts (or moves) the pin. */
function placePicker(form) {
  const box = form.querySelector("#p-place-box");
  const words = box.querySelector("[data-place-words]");
  const clearButton = box.querySelector("[data-place-clear]");
  const describe = placeLine(words);
  let place = null;
  let map = null;
  const draw = () => {
    map?.getSource("place")?.setData({ type: "FeatureCollection",
      features: place ? [{ type: "Feature", geometry: place, properties: {} }] : [] });
    clearButton.hidden = !place;
    words.hidden = !place;
    describe(place);
  };
  const show = async () => {
    box.hidden = form.kind.value === "map_topic";
    if (box.hidden || map) return;
    map = await createMap(box.querySelector("#p-place-map"), { hash: false });
    map.addSource("place", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({ id: "place", type: "circle", source: "place",
      paint: { "circle-radius": 9, "circle-color": "#d62828", "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });
    map.on("click", (event) => {
      place = { type: "Point", coordinates: [Number(event.lngLat.lng.toFixed(6)), Number(event.lngLat.lat.toFixed(6))] };
      draw();
    });
    document.body.dataset.placeMapReady = "true";
  };
  form.querySelectorAll("input[name=kind]").forEach((radio) => radio.addEventListener("change", show));
  clearButton.addEventListener("click", () => { place = null; draw(); });
  return () => (box.hidden ? null : place);
}

function proposeForm(form) {
  const select = form.querySelector("#p-districts");
  districtOptions(select);
  form.querySelectorAll("input[name=area_scope]").forEach((radio) => radio.addEventListener("change", () => {
    select.hidden = form.area_scope.value !== "districts";
  }));
  const placeOf = placePicker(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    const body = {
      title: form.title.value,
      why: form.why.value,
      area_scope: form.area_scope.value,
      districts: form.area_scope.value === "districts" ? [...select.selectedOptions].map((o) => o.value) : [],
      categories: form.categories.value.split(",").map((c) => c.trim()).filter(Boolean),
      kind: form.kind.value,
    };
    if (form.budget_estimate.value) body.budget_estimate = Number(form.budget_estimate.value);
    const place = placeOf();
    if (place) body.place = place;
    const created = await act(button, document.getElementById("propose-error"),
      () => request("/api/proposals/", { method: "POST", json: body }));
    if (created && body.kind !== "map_topic") window.location.assign(`/proposals/${created.id}/`);
    else if (created) window.location.assign(`/proposals/?proposed=${created.id}#proposal-${created.id}`);
  });
}

function voteButton(item) {
  const button = item.querySelector("[data-vote]");
  if (!button) return;
  button.addEventListener("click", async () => {
    const voted = button.getAttribute("aria-pressed") === "true";
    const result = await act(button, item.querySelector("[data-error]"),
      () => request(`/api/proposals/${item.dataset.id}/vote/`, { method: voted ? "DELETE" : "POST" }));
    if (!result) return;
    item.querySelector("[data-votes]").textContent = String(result.votes);
    button.setAttribute("aria-pressed", result.my_vote ? "true" : "false");
    button.textContent = result.my_vote ? text("unvote") : text("vote");
  });
}

function comments(item) {
  const box = item.querySelector("[data-comments]");
  const list = box.querySelector("[data-comment-list]");
  const show = (items) => list.replaceChildren(...items.map((c) =>
    h("li", {}, h("time", { datetime: c.created_at, class: "muted" }, formatDate(c.created_at)), " ", c.text)));
  box.addEventListener("toggle", async () => {
    if (!box.open || box.dataset.loaded) return;
    const items = await requestList(`/api/proposals/${item.dataset.id}/comments/`).catch(() => null);
    if (items) {
      box.dataset.loaded = "true";
      show(items);
    }
  });
  const form = box.querySelector("[data-comment-form]");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const posted = await act(form.querySelector("button"), item.querySelector("[data-error]"),
      () => request(`/api/proposals/${item.dataset.id}/comments/`, { method: "POST", json: { text: form.text.value } }));
    if (!posted) return;
    form.reset();
    const all = await requestList(`/api/proposals/${item.dataset.id}/comments/`);
    show(all);
    item.querySelector("[data-comment-count]").textContent = String(all.length);
  });
}

function staffAnswer(item) {
  const form = item.querySelector("[data-answer]");
  if (!form) return;
  const targets = form.querySelector("[data-merge-targets]");
  targets.append(h("option", { value: "" }, "—"));
  for (const target of pageConfig.mergeTargets || []) {
    if (String(target.id) !== targets.dataset.self) targets.append(h("option", { value: target.id }, target.title));
  }
  const showTargets = () => { targets.hidden = form.state.value !== "merged"; };
  form.state.addEventListener("change", showTargets);
  showTargets();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { state: form.state.value, answer: form.answer.value };
    if (body.state === "merged") body.merged_into = Number(form.merged_into.value) || null;
    const done = await act(form.querySelector("button"), item.querySelector("[data-error]"),
      () => request(`/api/proposals/${item.dataset.id}/answer/`, { method: "POST", json: body }));
    if (done) window.location.assign(`/proposals/?answered=${done.id}#proposal-${done.id}`);
  });
}

function staffCampaign(item) {
  const form = item.querySelector("[data-campaign]");
  if (!form) return;
  for (const template of pageConfig.templates || []) {
    form.template.append(h("option", { value: template.slug }, lang === "en" ? template.title_en : template.title_ko));
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { proposal: Number(item.dataset.id), template: form.template.value, goal: form.goal.value,
                   contribution_mode: form.contribution_mode.value,
                   target_features: form.target_features.value ? Number(form.target_features.value) : null };
    const campaign = await act(form.querySelector("button"), item.querySelector("[data-error]"),
      () => request("/api/campaigns/", { method: "POST", json: body }));
    if (campaign) window.location.assign(`/campaigns/#campaign-${campaign.id}`);
  });
}

function staffRound() {
  const errorBox = document.getElementById("round-error");
  const close = document.querySelector("[data-close-round]");
  if (close) {
    close.addEventListener("click", async () => {
      const closed = await act(close, errorBox,
        () => request(`/api/rounds/${close.dataset.closeRound}/close/`, { method: "POST" }));
      if (closed) window.location.assign(`/proposals/?closed=${closed.id}#results-title`);
    });
  }
  const form = document.getElementById("round-form");
  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const when = (value) => (value ? new Date(value).toISOString() : value);
      const body = { title: form.title.value, starts_at: when(form.starts_at.value), ends_at: when(form.ends_at.value) };
      if (form.budget_cap.value) body.budget_cap = Number(form.budget_cap.value);
      const rules = {};
      form.querySelectorAll("[data-rule-kind]").forEach((row) => {
        const kind = row.dataset.ruleKind;
        for (const name of ["threshold", "group_size", "days"]) {
          const value = form[`${kind}_${name}`].value;
          if (value !== "") (rules[kind] ||= {})[name] = Number(value);
        }
      });
      if (Object.keys(rules).length) body.evaluation_rules = rules;
      const created = await act(form.querySelector("button"), errorBox,
        () => request("/api/rounds/", { method: "POST", json: body }));
      if (created) window.location.assign(`/proposals/?round=${created.id}`);
    });
  }
}

const form = document.getElementById("propose-form");
if (form) proposeForm(form);
document.querySelectorAll("li.proposal").forEach((item) => {
  voteButton(item);
  comments(item);
  staffAnswer(item);
  staffCampaign(item);
});
staffRound();
