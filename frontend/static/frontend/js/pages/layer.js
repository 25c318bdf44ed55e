// One catalogue layer on its own map: drawn with its server style, pop-ups listing its public fields.
import { pageConfig } from "../config.js";
import { createMap, addPlatformLayer, enablePopups, prefetchLayer } from "../map/index.js";
import { layerSwitcher } from "../map/switcher.js";
import { h } from "../ui/dom.js";
import { t } from "../i18n/index.js";

const { layer: name } = pageConfig();

function popup(feature) {
  const props = Object.entries(feature.properties).filter(([key, value]) => value !== null && value !== "" && key !== "id");
  if (feature.properties.count) return h("p", {}, t("featuresCount", { n: feature.properties.count }));
  return h("div", { class: "popup" }, h("dl", { class: "facts" }, props.flatMap(([key, value]) => [h("dt", {}, key), h("dd", {}, String(value))])));
}

async function main() {
  const early = prefetchLayer(name);
  const map = await createMap(document.getElementById("map"), { dongs: name !== "dongs" });
  const layer = await addPlatformLayer(map, name, { beforeId: "base-districts-label", ...early });
  enablePopups(map, layer.layerIds, popup);
  await layerSwitcher(map, { own: { [name]: layer }, exclude: ["districts"] });
  document.body.dataset.mapReady = "true";
}

main();
