// The dashboard pages: a ranking chart per indicator (Chart.js), a time series on an indicator's own
// page, the indicator's choropleth layer on a MapLibre map (tiles and style from the layer registry),
// citizens' feedback and the staff tools (import, recompute). Data comes from the page's config
// (`page_config` in the view); nothing here builds HTML from strings.
import { Chart } from "chart.js";
import { createMap, addPlatformLayer, enablePopups, underBaseLabels } from "geoplatform/map/index.js";
import { pageConfig } from "geoplatform/config.js";
import { request, requestPage } from "geoplatform/api/request.js";
import { h, clear } from "geoplatform/ui/dom.js";
import { lang, loc, formatNumber, formatDate } from "geoplatform/i18n/index.js";

const page = pageConfig();
// Charts draw with the page's own (Korean-capable) fonts, not Chart.js's Helvetica default.
Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
Chart.defaults.color = "#1b2430";
const en = lang === "en";
const T = (ko, english) => (en ? english : ko);
const indicators = page.indicators || [];
const byId = new Map(indicators.map((ind) => [ind.id, ind]));

function classColor(ind, cls) {
  return (ind.legend.find((entry) => entry.value === cls) || {}).color || "#d9d9d9";
}

function rankingChart(ind) {
  const canvas = document.getElementById(`chart-${ind.id}`);
  if (!canvas || !ind.ranking.length) return null;
  const rows = page.detail ? ind.ranking : ind.ranking.slice(0, 10);
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: rows.map((r) => loc(r, "name")),
      datasets: [{
        label: `${loc(ind, "name")}${loc(ind, "unit") ? ` (${loc(ind, "unit")})` : ""} · ${ind.latest_period}`,
        data: rows.map((r) => r.value),
        backgroundColor: rows.map((r) => classColor(ind, r.class)),
        borderColor: "#1d3557",
        borderWidth: 1,
      }],
    },
    options: {
      indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
      plugins: {
        legend: { display: false },
        title: { display: !page.detail, text: T("상위 10개 자치구", "Top 10 districts") },
      },
      scales: { y: { ticks: { autoSkip: false, font: { size: 11 } } } },
    },
  });
}

function seriesChart(ind) {
  const canvas = document.getElementById(`series-${ind.id}`);
  if (!canvas) return null;
  const label = ind.aggregate === "sum" ? T("서울 합계", "Seoul total") : T("자치구 평균", "District average");
  return new Chart(canvas, {
    type: "line",
    data: {
      labels: ind.series.map((s) => s.period),
      datasets: [{ label, data: ind.series.map((s) => s.value), borderColor: "#2c7fb8", backgroundColor: "#2c7fb8",
        pointRadius: 4, tension: 0.2 }],
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false },
  });
}

function renderLegend(ind) {
  const box = document.getElementById("dash-legend");
  if (!box) return;
  clear(box,
    h("p", { class: "legend-title" }, h("strong", {}, loc(ind, "name")), ind.latest_period ? ` · ${ind.latest_period}` : ""),
    h("ul", {}, ind.legend.map((entry) => h("li", {},
      h("span", { class: "swatch", style: `background:${entry.color}` }), loc(entry, "label")))));
  const name = document.getElementById("dash-map-name");
  if (name) name.textContent = loc(ind, "name");
}

async function setupMap() {
  const container = document.getElementById("dash-map");
  if (!container || !indicators.length) return;
  const map = await createMap(container, { hash: false });
  const layerIds = [];
  let current = null;
  enablePopups(map, layerIds, (feature) => {
    const p = feature.properties;
    const ind = current && byId.get(current.id);
    const value = p.value === undefined || p.value === null ? T("자료 없음", "no data") : formatNumber(p.value);
    return h("div", { class: "popup" }, h("h3", {}, en ? p.name_en : p.name_ko),
      h("p", {}, `${value} ${ind ? loc(ind, "unit") : ""}`), h("p", { class: "muted" }, p.period || ""));
  });
  async function show(id) {
    const ind = byId.get(id);
    if (current) current.handle.remove();
    const handle = await addPlatformLayer(map, ind.layer, { beforeId: underBaseLabels(map) });
    layerIds.splice(0, layerIds.length, ...handle.layerIds);
    current = { id, handle };
    renderLegend(ind);
    for (const button of document.querySelectorAll("[data-show-map]")) {
      button.setAttribute("aria-pressed", String(Number(button.dataset.showMap) === id));
    }
  }
  for (const button of document.querySelectorAll("[data-show-map]")) {
    button.addEventListener("click", async () => {
      await show(Number(button.dataset.showMap));
      // the map fills the page: on a phone, lower the bottom sheet so the choropleth shows
      document.querySelector(".map-full > .map-panel")?.sheet?.peek();
    });
  }
  const first = indicators.find((ind) => ind.ranking.length) || indicators[0];
  await show(first.id);
  window.gpDashboardLayer = current.handle.name;
  document.body.dataset.mapReady = "true";
}

function stars(n) {
  return n ? `${"★".repeat(n)}${"☆".repeat(5 - n)}` : "";
}

async function loadFeedback() {
  const list = document.getElementById("feedback-list");
  if (!list || !page.feedback_url) return;
  const { items } = await requestPage(page.feedback_url);
  clear(list, items.length ? items.map(feedbackItem) : h("li", { class: "muted" }, T("아직 의견이 없습니다.", "No feedback yet.")));
  const count = document.getElementById("feedback-count");
  if (count) count.textContent = String(items.length);
}

function feedbackItem(item) {
  const district = item.district_code ? (en ? item.district_name_en : item.district_name_ko) : "";
  const children = [
    h("p", { class: "muted" }, [formatDate(item.created_at), district, stars(item.rating)].filter(Boolean).join(" · ")),
    item.body ? h("p", {}, item.body) : null,
  ];
  if (item.reply) {
    children.push(h("blockquote", { class: "staff-reply" }, h("strong", {}, T("담당 부서 답변: ", "Department's answer: ")), item.reply));
  } else if (page.can_manage) {
    const input = h("textarea", { "aria-label": T("답변", "Reply"), maxlength: "4000" });
    const form = h("form", { class: "reply-form" }, input,
      h("button", { type: "submit", class: "button small" }, T("공개 답변", "Reply publicly")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      await request(`${page.feedback_url}${item.id}/reply/`, { method: "POST", json: { reply: input.value } });
      await loadFeedback();
    });
    children.push(form);
  }
  return h("li", { dataset: { feedback: item.id } }, children);
}

function setupFeedbackForm() {
  const form = document.getElementById("feedback-form");
  if (!form) return;
  const error = document.getElementById("fb-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const json = { body: data.get("body") || "" };
    if (data.get("rating")) json.rating = Number(data.get("rating"));
    if (data.get("district")) json.district = data.get("district");
    try {
      await request(page.feedback_url, { method: "POST", json });
      form.reset();
      error.hidden = true;
      await loadFeedback();
    } catch (exc) {
      error.textContent = exc.message;
      error.hidden = false;
    }
  });
}

function setupStaffTools() {
  const result = document.getElementById("staff-result");
  const form = document.getElementById("import-form");
  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const version = await request(page.import_url, { method: "POST", form: new FormData(form) });
        clear(result,
          h("p", { class: "message" }, T(`버전 ${version.version}: ${version.rows_imported}행을 가져왔습니다.`,
            `Version ${version.version}: ${version.rows_imported} rows imported.`)),
          version.errors.length ? h("ul", { class: "form-error" }, version.errors.map((e) => h("li", {}, `${T("행", "Row")} ${e.row}: ${e.message}`))) : null,
          h("p", {}, h("a", { href: window.location.pathname }, T("새로 고침", "Reload"))));
      } catch (exc) {
        const rows = exc.data && exc.data.errors ? exc.data.errors : [];
        clear(result, h("p", { class: "form-error" }, exc.message),
          rows.length ? h("ul", {}, rows.map((e) => h("li", {}, `${T("행", "Row")} ${e.row}: ${e.message}`))) : null);
      }
    });
  }
  const refresh = document.getElementById("refresh-button");
  if (refresh) {
    refresh.addEventListener("click", async () => {
      await request(page.refresh_url, { method: "POST" });
      window.location.reload();
    });
  }
}

for (const ind of indicators) {
  rankingChart(ind);
  if (page.detail) seriesChart(ind);
}
setupFeedbackForm();
setupStaffTools();
await Promise.all([setupMap(), loadFeedback()]);
window.gpDashboardReady = true;
