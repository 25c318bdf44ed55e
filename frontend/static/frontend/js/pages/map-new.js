// A new map from a theme template (POST /api/maps/ with `template`), then on to drawing it.
import { request, requestList } from "../api/request.js";
import { h, clear, showError, hideError } from "../ui/dom.js";
import { t, loc } from "../i18n/index.js";

const box = document.getElementById("templates");
const error = document.getElementById("new-map-error");

async function loadTemplates() {
  try {
    const templates = (await requestList("/api/templates/")).filter((tpl) => tpl.is_active !== false);
    const wanted = new URLSearchParams(window.location.search).get("template");
    clear(box, templates.map((tpl, index) => h("label", { class: "choice" },
      h("input", { type: "radio", name: "template", value: tpl.slug, checked: wanted ? wanted === tpl.slug : index === 0 }),
      h("span", {}, h("span", { class: "swatch", style: `background:${tpl.categories?.[0]?.color || "#999"}` }),
        h("span", {}, h("strong", {}, loc(tpl, "title")), h("br"), h("small", { class: "muted" }, t(`theme_${tpl.theme}`)))))));
  } catch (err) {
    showError(error, err);
  }
}

document.getElementById("new-map").addEventListener("submit", async (event) => {
  event.preventDefault();
  hideError(error);
  const form = new FormData(event.target);
  const body = { title: String(form.get("title") || "").trim(), description: String(form.get("description") || ""),
    visibility: form.get("visibility"), contribution_mode: form.get("contribution_mode") };
  if (form.get("template")) body.template = form.get("template");
  try {
    const created = await request("/api/maps/", { method: "POST", json: body });
    window.location.assign(`/maps/${created.id}/edit/`);
  } catch (err) {
    showError(error, err);
  }
});

loadTemplates();
