// Meeting pages: the `meetings` layer (upcoming and past meeting places) on a MapLibre map, with
// pop-ups linking to each meeting; on a meeting's own page the map is centred on its place.
import { createMap, addPlatformLayer, enablePopups } from "geoplatform/map/index.js";
import { pageConfig } from "geoplatform/config.js";
import { h } from "geoplatform/ui/dom.js";
import { lang } from "geoplatform/i18n/index.js";
import { sheetPadding } from "geoplatform/ui/sheet.js";

const page = pageConfig();
const en = lang === "en";

async function setup() {
  const container = document.getElementById("meeting-map") || document.getElementById("meetings-map");
  if (!container) return;
  // a meeting's place is shown clear of the page's panel (the bottom sheet on a phone)
  const options = page.location ? { bounds: [page.location, page.location], fitBoundsOptions: { maxZoom: 15, padding: sheetPadding(40) } } : {};
  const map = await createMap(container, { hash: false, ...options });
  const layer = await addPlatformLayer(map, "meetings");
  if (page.meeting) {
    // a meeting's own page shows its place only (others may meet at the same address)
    for (const id of layer.layerIds) {
      const own = ["==", ["get", "id"], page.meeting];
      const current = map.getFilter(id);
      map.setFilter(id, current ? ["all", current, own] : own);
    }
  }
  enablePopups(map, layer.layerIds, (feature) => {
    const p = feature.properties;
    if (!p.id) return null;
    const when = p.start ? new Date(p.start).toLocaleString(en ? "en-GB" : "ko-KR", { dateStyle: "medium", timeStyle: "short" }) : "";
    return h("div", { class: "popup" },
      h("h3", {}, h("a", { href: `/meetings/${p.id}/` }, (en && p.title_en) || p.title)),
      h("p", {}, (en && p.committee_name_en) || p.committee_name || ""),
      h("p", { class: "muted" }, `${when} · ${p.status === "upcoming" ? (en ? "upcoming" : "예정") : (en ? "past" : "지난 회의")}`));
  });
  window.gpMeetingsLayer = layer.name;
}

await setup();
window.gpMeetingsReady = true;
