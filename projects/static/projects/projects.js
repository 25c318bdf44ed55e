// The projects page: every project on the map (coloured by status); city staff import many from a
// CSV/XLSX file (bad rows come back with their errors); they add one on /projects/new/.
import { createMap, addPlatformLayer, enablePopups } from "geoplatform/map/index.js";
import { request } from "geoplatform/api/request.js";
import { h, clear, showError, hideError } from "geoplatform/ui/dom.js";
import { projectPopup, text } from "./common.js";

const container = document.getElementById("projects-map");
const map = await createMap(container, { hash: false });
const layer = await addPlatformLayer(map, "projects");
enablePopups(map, layer.layerIds, projectPopup);
window.gpProjectsReady = true;

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
