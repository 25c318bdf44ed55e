// Home: a map of Seoul, campaigns in progress, public maps by theme with search.
import { config } from "../config.js";
import { requestPage } from "../api/request.js";
import { createMap, addPlatformLayer, enablePopups } from "../map/index.js";
import { h, clear } from "../ui/dom.js";
import { t, lang, loc, formatDate, formatNumber } from "../i18n/index.js";

const THEMES = ["safety", "neighbourhood", "food", "history", "accessibility", "other"];
const state = { theme: "", q: "" };
const list = document.getElementById("maps");
const status = document.getElementById("maps-status");

function mapCard(m) {
  const count = m.feature_count ?? m.features_count;
  return h("li", { class: "map-card" },
    h("h3", {}, h("a", { href: `/maps/${m.id}/` }, m.title)),
    h("div", {}, h("span", { class: "badge" }, t(`theme_${m.theme}`)), " ",
      count !== undefined ? h("span", { class: "muted" }, t("featuresCount", { n: formatNumber(count) })) : null),
    m.description_text || m.summary ? h("p", {}, (m.description_text || m.summary).slice(0, 160)) : null,
    h("p", {}, [m.owner_name ? t("mapBy", { name: m.owner_name }) : "", formatDate(m.updated_at, { time: false })].filter(Boolean).join(" · ")));
}

async function loadMaps() {
  if (!config.apis?.maps) return;
  const params = new URLSearchParams({ limit: "60" });
  if (state.q) params.set("q", state.q);
  if (state.theme) params.set("theme", state.theme);
  status.textContent = t("loading");
  try {
    const { items: maps } = await requestPage(`/api/maps/?${params}`);
    clear(list, maps.map(mapCard));
    list.dataset.query = params.toString();
    status.textContent = maps.length ? "" : t("noResults");
  } catch (error) {
    status.textContent = error.message;
  }
}

function themeChips() {
  const box = document.getElementById("themes");
  const chips = ["", ...THEMES].map((theme) => h("button", {
    type: "button", "aria-pressed": String(theme === state.theme), dataset: { theme },
    onclick: () => {
      state.theme = theme;
      for (const chip of box.children) chip.setAttribute("aria-pressed", String(chip.dataset.theme === theme));
      loadMaps();
    },
  }, theme ? t(`theme_${theme}`) : t("allThemes")));
  clear(box, chips);
}

async function loadCampaigns() {
  if (!config.apis?.campaigns) return;
  try {
    const { items: campaigns } = await requestPage("/api/campaigns/?limit=6");
    if (!campaigns.length) return;
    clear(document.getElementById("campaigns"), campaigns.map((c) => {
      const progress = c.progress || {};
      const goal = c.goal_count || progress.goal || 0;
      const done = progress.features ?? c.feature_count ?? 0;
      const mapId = c.map_id || c.map?.id || c.map;
      return h("li", { class: "map-card" },
        h("h3", {}, mapId ? h("a", { href: `/maps/${mapId}/` }, loc(c, "title")) : loc(c, "title")),
        h("p", {}, loc(c, "goal") || c.goal_text || ""),
        h("p", {}, `${formatNumber(done)}${goal ? ` / ${formatNumber(goal)}` : ""} · ${lang === "en" ? "contributors" : "참여자"} ${formatNumber(progress.contributors ?? 0)}`),
        goal ? h("div", { class: "progress", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": goal, "aria-valuenow": done },
          h("span", { style: `width:${Math.min(100, (100 * done) / goal)}%` })) : null);
    }));
    document.getElementById("campaigns-section").hidden = false;
  } catch {
    // the campaigns area is shown only when campaigns answer
  }
}

async function homeMap() {
  const map = await createMap(document.getElementById("home-map"), { hash: false });
  if (!config.apis?.layers) return;
  try {
    const reports = await addPlatformLayer(map, "reports");
    enablePopups(map, reports.layerIds, (f) => h("div", { class: "popup" },
      h("h3", {}, f.properties.category_name || f.properties.category || ""),
      h("p", {}, h("span", { class: `badge status-${f.properties.status}` }, t(`status_${f.properties.status}`))),
      f.properties.id ? h("p", {}, h("a", { href: `/reports/${f.properties.id}/` }, t("timeline"))) : null));
  } catch {
    // the districts base alone is a fine home map
  }
}

document.getElementById("map-search").addEventListener("submit", (event) => {
  event.preventDefault();
  state.q = document.getElementById("map-q").value.trim();
  loadMaps();
});
themeChips();
loadMaps();
loadCampaigns();
homeMap().finally(() => (document.body.dataset.mapReady = "true"));
