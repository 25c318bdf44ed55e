// The "Suggestions" panel of a moderated map's editor: the pending features (name, category), each
// with a button to zoom to it, Approve and Reject (with an optional reason). Owner and editors only.
import { request, requestList } from "../api/request.js";
import { h, clear, toast, dialog } from "../ui/dom.js";
import { t, loc } from "../i18n/index.js";

function bounds(geometry) {
  const points = [];
  const walk = (coords) => (typeof coords[0] === "number" ? points.push(coords) : coords.forEach(walk));
  walk(geometry.coordinates);
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return [[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]];
}

/**
 * suggestionsPanel({mapObj, map, query, onReviewed(feature)}) fills #suggestions-panel and returns
 * {reload()}. `onReviewed` gets the API's answer (status "published" or "rejected").
 */
export function suggestionsPanel({ mapObj, map, query = "", onReviewed }) {
  const panel = document.getElementById("suggestions-panel");
  const list = document.getElementById("suggestions");
  const status = document.getElementById("suggestions-status");
  const base = `/api/maps/${mapObj.id}`;
  const categoryOf = (key) => {
    const found = (mapObj.categories || []).find((c) => c.key === key);
    return found ? loc(found, "label") : key;
  };

  async function review(feature, decision, note = "") {
    try {
      const answer = await request(`${base}/features/${feature.id}/review/${query}`, { method: "POST", json: { decision, note } });
      toast(decision === "approve" ? t("approved") : t("rejected"), "ok");
      onReviewed?.(answer);
      await reload();
    } catch (error) {
      toast(error.message, "error");
    }
  }

  function rejectDialog(feature, name) {
    const note = h("textarea", { id: "reject-note", name: "note", maxlength: "500", rows: "3" });
    const form = h("form", { novalidate: true },
      h("p", {}, name),
      h("div", { class: "field" }, h("label", { for: "reject-note" }, t("rejectReason")), note),
      h("p", { class: "toolbar" }, h("button", { type: "submit", class: "button danger" }, t("reject"))));
    const node = dialog(t("rejectTitle"), form);
    node.dataset.testid = "reject-dialog";
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      node.close();
      review(feature, "reject", note.value.trim());
    });
    note.focus();
  }

  function item(feature) {
    const p = feature.properties;
    const name = p.name || t("unnamed");
    const zoom = () => {
      const [[w, s], [e, n]] = bounds(feature.geometry);
      map.fitBounds([[w, s], [e, n]], { maxZoom: 17, padding: 60, duration: 0 });
    };
    return h("li", { class: "suggestion", dataset: { featureId: String(feature.id) } },
      h("strong", {}, name),
      p.category ? h("span", {}, " ", h("span", { class: "badge" }, categoryOf(p.category))) : null,
      h("p", { class: "toolbar" },
        h("button", { type: "button", class: "button small", "aria-label": `${t("zoomTo")}: ${name}`, onclick: zoom }, t("zoomTo")),
        h("button", { type: "button", class: "button small primary", "aria-label": `${t("approve")}: ${name}`,
          onclick: () => review(feature, "approve") }, t("approve")),
        h("button", { type: "button", class: "button small danger", "aria-label": `${t("reject")}: ${name}`,
          onclick: () => rejectDialog(feature, name) }, t("reject"))));
  }

  async function reload() {
    const pending = await requestList(`${base}/suggestions/${query}`, { max: 2000 });
    panel.hidden = mapObj.contribution_mode !== "moderated" && !pending.length;
    clear(list, pending.map(item));
    status.textContent = pending.length ? t("suggestionsCount", { n: pending.length }) : t("suggestionsEmpty");
    panel.dataset.loaded = "true";
  }

  reload().catch((error) => toast(error.message, "error"));
  return { reload };
}
