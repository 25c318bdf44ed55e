// A citizens' map: its features from vector tiles (map-<id>), legend, pop-ups with photos, and the
// layer switcher for the platform's other layers; signed-in people can flag a feature from its pop-up.
// The view is kept in the address (#zoom/lat/lon). Live: a change anyone makes redraws the map's tiles
// (a socket, live/socket.js), so new features appear without a reload; chips show who else is here and
// the badge the connection's state (live / reconnecting…; missed events are replayed on reconnect).
import { pageConfig } from "../config.js";
import { request } from "../api/request.js";
import { createMap, addPlatformLayer, enablePopups } from "../map/index.js";
import { layerSwitcher } from "../map/switcher.js";
import { refreshLayer } from "../map/layers.js";
import { mapFeatureLayers, legendList, featurePopup } from "../map/features.js";
import { h, clear } from "../ui/dom.js";
import { LiveSocket, liveBadge, presenceChips } from "../live/socket.js";
import { t, formatDate } from "../i18n/index.js";

const { mapId, key } = pageConfig();
const query = key ? `?key=${encodeURIComponent(key)}` : "";

async function main() {
  let mapObj;
  try {
    mapObj = await request(`/api/maps/${mapId}/${query}`);
  } catch (error) {
    document.getElementById("map-title").textContent = error.message;
    await createMap(document.getElementById("map"));
    return;
  }
  document.title = `${mapObj.title} · geoplatform`;
  document.getElementById("map-title").textContent = mapObj.title;
  document.getElementById("map-meta").textContent = [t(`theme_${mapObj.theme}`), mapObj.owner ? t("mapBy", { name: mapObj.owner }) + (mapObj.owner_official ? ` ${t("officialBadge")}` : "") : "",
    t("featuresCount", { n: mapObj.feature_count }), formatDate(mapObj.updated_at, { time: false }), mapObj.license].filter(Boolean).join(" · ");
  // description_html is Markdown the server rendered and sanitised.
  document.getElementById("map-description").innerHTML = mapObj.description_html || "";
  const perms = mapObj.permissions || {};
  const actions = document.getElementById("map-actions");
  if (perms.edit || perms.contribute || perms.suggest) {
    actions.append(h("a", { class: "button primary", href: `/maps/${mapObj.id}/edit/${query}` }, t("editMap")));
  }
  clear(document.getElementById("map-legend"), legendList(mapObj.categories));
  clear(document.getElementById("map-exports"), ["geojson", "gpkg", "kml", "csv", "shp"].map((fmt) =>
    h("a", { class: "button small", href: `/api/maps/${mapObj.id}/export.${fmt}${query}`, download: "" }, fmt.toUpperCase())));

  const center = mapObj.center?.coordinates;
  const map = await createMap(document.getElementById("map"), { ...(center ? { center, zoom: mapObj.zoom } : {}), dongs: true });
  const own = await addPlatformLayer(map, mapObj.layer, { query, layers: mapFeatureLayers(mapObj.categories) });  // above the district names
  // A flagged feature may now be hidden (enough people flagged it): fetch the tiles again.
  const flag = { onFlagged: () => refreshLayer(map, mapObj.layer) };
  enablePopups(map, own.layerIds, (feature) => featurePopup(mapObj, feature, { key, flag }));
  await layerSwitcher(map, { own: { [mapObj.layer]: own }, legendBox: document.getElementById("extra-legend"), exclude: ["districts"] });
  const badge = liveBadge(t);
  const chips = presenceChips(t, h);
  document.getElementById("map-title").after(badge.node, chips.node);
  let me = null;
  let meGuest = false;
  let redraw = null;
  const changed = () => {
    clearTimeout(redraw);
    redraw = setTimeout(() => refreshLayer(map, mapObj.layer), 150);
  };
  window.gpLive = new LiveSocket(`/ws/maps/${mapObj.id}/`, { key, onState: (state) => badge.show(state),
    on: (message) => {
      if (message.type === "hello") {
        me = message.socket;
        meGuest = !message.you;
      } else if (message.type === "presence") {
        chips.show(message.people, message.guests || 0, { me, meGuest });
      }
      if (message.type.startsWith("feature.") || message.type === "features.imported" || message.type === "refetch") changed();
      if (message.type === "map.updated") document.getElementById("map-title").textContent = message.title;
    } });
  document.body.dataset.mapReady = "true";
}

main();
