// A proposal's page: support it, volunteer for evaluation groups, score it when drawn; city staff add
// the committee's review and publish the decision (accepted → a new or existing project, merged,
// declined with a reason). Every form goes through the API and reloads the page, whose timeline the
// server renders.
import { request } from "geoplatform/api/request.js";
import { lang } from "geoplatform/i18n/index.js";
import { h } from "geoplatform/ui/dom.js";
import { act, pageConfig } from "./common.js";

const id = pageConfig.proposal;
const reload = () => window.location.reload();

function voteButton() {
  const button = document.querySelector("[data-vote]");
  if (!button) return;
  button.addEventListener("click", async () => {
    const voted = button.getAttribute("aria-pressed") === "true";
    const result = await act(button, document.querySelector("[data-error]"),
      () => request(`/api/proposals/${id}/vote/`, { method: voted ? "DELETE" : "POST" }));
    if (result) reload();  // reaching the threshold starts the evaluation: the timeline changes
  });
}

function volunteer() {
  const button = document.querySelector("[data-volunteer]");
  if (!button) return;
  button.addEventListener("click", async () => {
    const join = button.dataset.volunteer === "join";
    const done = await act(button, document.getElementById("volunteer-error"),
      () => request("/api/evaluators/me/", { method: join ? "POST" : "DELETE" }));
    if (done) reload();
  });
}

function postForm(formId, errorId, url, body) {
  const form = document.getElementById(formId);
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const done = await act(form.querySelector("button[type=submit]"), document.getElementById(errorId),
      () => request(url, { method: "POST", json: body(form) }));
    if (done) reload();
  });
}

const number = (value) => (value === "" ? null : Number(value));

function decisionForm() {
  const form = document.getElementById("decision-form");
  if (!form) return;
  const project = form.querySelector("#d-project");
  for (const p of pageConfig.projects || []) {
    project.append(h("option", { value: p.id }, (lang === "en" && p.title_en) || p.title_ko));
  }
  const merge = form.querySelector("#d-merge");
  merge.append(h("option", { value: "" }, "—"));
  for (const p of pageConfig.mergeTargets || []) merge.append(h("option", { value: p.id }, p.title));
  const show = () => {
    const outcome = form.outcome.value;
    form.querySelectorAll("[data-when]").forEach((part) => { part.hidden = part.dataset.when !== outcome; });
    form.querySelector("[data-new-project]").hidden = Boolean(project.value);
  };
  form.querySelectorAll("input[name=outcome]").forEach((radio) => radio.addEventListener("change", show));
  project.addEventListener("change", show);
  show();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { outcome: form.outcome.value, feedback: form.feedback.value };
    if (body.outcome === "merged") body.merged_into = number(merge.value);
    if (body.outcome === "accepted") {
      if (project.value) body.project = Number(project.value);
      else {
        body.new_project = { title_ko: form.title_ko.value, department_ko: form.department_ko.value,
          districts: pageConfig.districts || [] };
        if (pageConfig.budget != null) body.new_project.budget_planned = pageConfig.budget;
      }
    }
    const done = await act(form.querySelector("button[type=submit]"), document.getElementById("decision-error"),
      () => request(`/api/proposals/${id}/decision/`, { method: "POST", json: body }));
    if (done) reload();
  });
}

async function placeMap() {
  const container = document.getElementById("proposal-map");
  if (!container || !pageConfig.place) return;
  const { createMap } = await import("geoplatform/map/index.js");
  const [lon, lat] = pageConfig.place.coordinates;
  const map = await createMap(container, { hash: false, center: [lon, lat], zoom: 15 });
  map.addSource("place", { type: "geojson", data: { type: "Feature", geometry: pageConfig.place, properties: {} } });
  map.addLayer({ id: "place", type: "circle", source: "place",
    paint: { "circle-radius": 9, "circle-color": "#d62828", "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });
}

voteButton();
volunteer();
postForm("score-form", "score-error", `/api/proposals/${id}/evaluation/score/`, (form) => ({
  need: number(form.need.value), feasibility: number(form.feasibility.value), benefit: number(form.benefit.value),
  comment: form.comment.value,
}));
postForm("review-form", "review-error", `/api/proposals/${id}/evaluation/review/`, (form) => ({
  score: number(form.score.value), comment: form.comment.value,
}));
decisionForm();
await placeMap();
document.body.dataset.proposalReady = "true";
