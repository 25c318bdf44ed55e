// The map of an analysis page: one output layer at a time, with a pop-up for vector cells.
import { pageConfig } from "geoplatform/config.js";
import { lang, t } from "geoplatform/i18n/index.js";
import { addPlatformLayer, createMap, enablePopups, underBaseLabels } from "geoplatform/map/index.js";
import { h } from "geoplatform/ui/dom.js";

const page = pageConfig();
const container = document.getElementById("analysis-map");

// A cell's class in words: its legend entry's label, in the reader's language.
function classLabel(output, properties) {
  const klass = Number(properties.klass);
  const entry = (output.legend || []).find((e) => !e.suppressed && Number(e.value) === klass);
  return entry ? entry.label || "" : "";
}

function describe(output, properties) {
  const en = lang === "en";
  if (properties.suppressed === true || properties.suppressed === "true") {
    return h("p", {}, t("analysisHidden", { k: (output.stats || {}).k }));
  }
  const rows = [];
  const label = properties.label || classLabel(output, properties);
  if (label) rows.push(h("p", {}, label));
  if (properties.value !== undefined && properties.value !== null) rows.push(h("p", {}, `${en ? "value" : "값"}: ${properties.value}`));
  if (properties.count !== undefined && properties.count !== null) rows.push(h("p", {}, `${en ? "records" : "건수"}: ${properties.count}`));
  if (properties.count_before !== undefined && properties.count_before !== null) {
    rows.push(h("p", {}, `${en ? "first period" : "첫 기간"}: ${properties.count_before}`));
  }
  if (properties.p_value !== undefined && properties.p_value !== null) rows.push(h("p", {}, `p = ${properties.p_value}`));
  return h("div", { class: "popup" }, ...rows);
}

async function start() {
  if (!container || !(page.outputs || []).length) return;
  const map = await createMap(container, { hash: false });
  const shown = {};
  for (const output of page.outputs) {
    // areas and densities: the names of the base stay readable over them
    const layer = await addPlatformLayer(map, output.layer, { visible: output === page.outputs[0], beforeId: underBaseLabels(map) });
    shown[output.layer] = layer;
    if (output.kind === "vector") enablePopups(map, layer.layerIds, (feature) => describe(output, feature.properties));
  }
  // One output at a time: its map layer and, in the panel, what it shows and its legend.
  for (const input of document.querySelectorAll("#output-switch input[name=output]")) {
    input.addEventListener("change", () => {
      for (const [name, layer] of Object.entries(shown)) layer.setVisible(name === input.value);
      for (const section of document.querySelectorAll("section.output[data-layer]")) section.hidden = section.dataset.layer !== input.value;
    });
  }
  document.body.dataset.mapReady = "true";
}

start();
