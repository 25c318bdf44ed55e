// The layer switcher: every layer of /api/layers/ the viewer may see, grouped, added on first use.
import { requestList } from "../api/request.js";
import { h } from "../ui/dom.js";
import { t, lang, loc } from "../i18n/index.js";
import { addPlatformLayer } from "./layers.js";
import { legendList } from "./features.js";

const GROUPS = [
  ["base", (n) => n === "districts" || n === "dongs", "기본 지도", "Base"],
  ["reports", (n) => n === "reports", "시민 신고", "Hazard reports"],
  ["datasets", (n) => n.startsWith("dataset-"), "공공데이터", "Open data"],
  ["indicators", (n) => n.startsWith("indicator-"), "지표", "Indicators"],
  ["meetings", (n) => n === "meetings", "회의", "Meetings"],
  ["analyses", (n) => n.startsWith("analysis-"), "분석", "Analyses"],
  ["campaigns", (n) => n === "campaigns" || n === "proposals", "캠페인", "Campaigns"],
];

/**
 * layerSwitcher(map, {own: {name: handle}, legendBox, onAdd}) → <details> element placed over the map.
 * `own` are layers already on the map (checked); the others are added when first ticked.
 */
export async function layerSwitcher(map, { own = {}, legendBox = null, exclude = [] } = {}) {
  const handles = { ...own };
  const list = h("ul", {});
  const box = h("details", { class: "layer-switcher" },
    h("summary", {}, t("layers")), list);
  map.getContainer().append(box);
  // The catalogue is fetched when the switcher is first opened, so it never slows the first map.
  let filled = null;
  const fill = () => (filled ??= fillList());
  box.addEventListener("toggle", () => box.open && fill());
  const legends = {};
  const renderLegend = () => {
    if (!legendBox) return;
    legendBox.replaceChildren(...Object.entries(legends).map(([name, node]) => h("div", { dataset: { layer: name } }, node)));
  };
  async function fillList() {
    let layers = [];
    try {
      layers = await requestList("/api/layers/?limit=500");
    } catch (error) {
      list.append(h("li", { class: "field-error", role: "alert" }, error.message));
    }
    for (const [group, test, ko, en] of GROUPS) {
      const members = layers.filter((layer) => test(layer.name) && !exclude.includes(layer.name));
      if (!members.length) continue;
      list.append(h("li", { class: "muted", role: "presentation" }, lang === "en" ? en : ko));
      for (const layer of members) {
        const id = `layer-toggle-${layer.name}`;
        const checkbox = h("input", { type: "checkbox", id, checked: Boolean(handles[layer.name]), dataset: { layer: layer.name } });
        checkbox.addEventListener("change", async () => {
          checkbox.disabled = true;
          try {
            if (!handles[layer.name]) handles[layer.name] = await addPlatformLayer(map, layer.name);  // above the district names: they never hide points
            handles[layer.name].setVisible(checkbox.checked);
            if (checkbox.checked && layer.legend?.length) legends[layer.name] = h("div", {}, h("h3", {}, loc(layer, "title")), legendList(layer.legend));
            else delete legends[layer.name];
            renderLegend();
          } catch (error) {
            checkbox.checked = false;
            box.append(h("p", { class: "field-error", role: "alert" }, error.message));
          } finally {
            checkbox.disabled = false;
          }
        });
        list.append(h("li", {}, h("label", { for: id }, checkbox, loc(layer, "title") || layer.title || layer.name)));
      }
    }
    box.dataset.loaded = "true";
  }
  return { element: box, handles, load: fill };
}
