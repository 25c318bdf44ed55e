// One catalogue layer on its own map: drawn with its server style, pop-ups listing its public fields.
import { pageConfig } from "../config.js";
import { createMap, addPlatformLayer, enablePopups, prefetchLayer } from "../map/index.js";
import { layerSwitcher } from "../map/switcher.js";
import { fieldValue, h } from "../ui/dom.js";
import { t } from "../i18n/index.js";

const { layer: name } = pageConfig();

// Open-data fields are shown by their label ("개방 시간", never `opening_hours`) and their values
// decoded ("02-2133-0001~6", not "%7E"); a field without a label of ours keeps its own name.
const FIELD_LABELS = ["name", "address", "district", "opening_hours", "phone", "homepage", "line", "station_id",
  "category", "description", "title", "status", "value", "period"];

function fieldLabel(key) {
  return FIELD_LABELS.includes(key) ? t(`field_${key}`) : key.replace(/_/g, " ");
}

function popup(feature) {
  const props = Object.entries(feature.properties).filter(([key, value]) => value !== null && value !== "" && key !== "id");
  if (feature.properties.count) return h("p", {}, t("featuresCount", { n: feature.properties.count }));
  return h("div", { class: "popup" }, h("dl", { class: "facts" },
    props.flatMap(([key, value]) => [h("dt", {}, fieldLabel(key)), h("dd", {}, fieldValue(value))])));
}

async function main() {
  const early = prefetchLayer(name);
  const map = await createMap(document.getElementById("map"), { dongs: name !== "dongs" });
  // drawn above the district names: a name never hides the points under it
  const layer = await addPlatformLayer(map, name, { ...early });
  enablePopups(map, layer.layerIds, popup);
  await layerSwitcher(map, { own: { [name]: layer }, exclude: ["districts"] });
  document.body.dataset.mapReady = "true";
}

main();
