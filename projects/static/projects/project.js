// A project's page: its location on the map (only this project, the map fitted to it), the follow
// button, and for city staff the form that posts a dated update with photos.
import { createMap, addPlatformLayer, enablePopups } from "geoplatform/map/index.js";
import { pageConfig } from "geoplatform/config.js";
import { request } from "geoplatform/api/request.js";
import { showError, hideError } from "geoplatform/ui/dom.js";
import { projectPopup, text } from "./common.js";

const page = pageConfig();

async function mapSetup() {
  const container = document.getElementById("project-map");
  const map = await createMap(container, { hash: false, bounds: page.bounds, fitBoundsOptions: { padding: 40, maxZoom: 16 } });
  const layer = await addPlatformLayer(map, "projects");
  for (const id of layer.layerIds) {
    const own = ["==", ["get", "id"], page.project];
    const current = map.getFilter(id);
    map.setFilter(id, current ? ["all", current, own] : own);
  }
  enablePopups(map, layer.layerIds, projectPopup);
}

function followSetup() {
  const button = document.getElementById("follow-button");
  if (!button) return;
  button.addEventListener("click", async () => {
    const box = document.getElementById("follow-error");
    hideError(box);
    const following = button.getAttribute("aria-pressed") === "true";
    button.disabled = true;
    try {
      const result = await request(`/api/projects/${page.project}/follow/`, { method: following ? "DELETE" : "POST" });
      button.setAttribute("aria-pressed", result.following ? "true" : "false");
      button.textContent = result.following ? text("following") : text("follow");
      document.getElementById("follower-count").textContent = String(result.follower_count);
    } catch (error) {
      showError(box, error);
    } finally {
      button.disabled = false;
    }
  });
}

function updateSetup() {
  const form = document.getElementById("update-form");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = document.getElementById("update-error");
    hideError(box);
    const data = new FormData(form);
    if (!data.get("progress")) data.delete("progress");
    if (!form.photos.files.length) data.delete("photos");
    try {
      await request(`/api/projects/${page.project}/updates/`, { method: "POST", form: data });
      window.location.reload();
    } catch (error) {
      showError(box, error);
    }
  });
}

followSetup();
updateSetup();
await mapSetup();
window.gpProjectReady = true;
