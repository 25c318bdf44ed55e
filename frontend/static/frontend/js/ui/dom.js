// Building DOM safely: user text always goes in as text nodes (never innerHTML).
import { t } from "../i18n/index.js";

/**
 * h("a", {href: "/x", class: "btn", onclick: fn, dataset: {id: 3}}, "text", child…)
 * Attributes starting with "on" become listeners; `null`/`false` attributes are skipped;
 * strings among the children become text nodes.
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** A short message in the page's live region (`role=status`, or `alert` for errors). */
export function toast(message, kind = "info") {
  let region = document.getElementById("toasts");
  if (!region) {
    region = h("div", { id: "toasts", class: "toasts", "aria-live": "polite" });
    document.body.append(region);
  }
  const item = h("p", { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status" }, message);
  region.append(item);
  setTimeout(() => item.remove(), kind === "error" ? 9000 : 4500);
  return item;
}

/** Show an error (an ApiError carries the server's own message) in a form's error box. */
export function showError(box, error) {
  const message = error instanceof TypeError ? t("networkError") : error?.message || String(error);
  box.textContent = message;
  box.hidden = false;
  box.setAttribute("role", "alert");
  return message;
}

export function hideError(box) {
  box.textContent = "";
  box.hidden = true;
}

/** Run `action(event)` on a form's submit; its error (the server's message) goes to `errorBox`. */
export function onSubmit(form, errorBox, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    hideError(errorBox);
    try {
      await action(event);
    } catch (error) {
      showError(errorBox, error);
    }
  });
}

/** A modal dialog (native <dialog>), closed by Escape or its close button; resolves on close. */
export function dialog(title, ...body) {
  const node = dialogNode(title, ...body);
  node.showModal();
  return node;
}

/** The same dialog, but the page behind it stays usable (live notices, conflicts while others edit). */
export function panelDialog(title, ...body) {
  const node = dialogNode(title, ...body);
  node.classList.add("panel-dialog");
  node.show();
  return node;
}

function dialogNode(title, ...body) {
  const closeButton = h("button", { type: "button", class: "dialog-close", "aria-label": t("close") }, "×");
  const node = h("dialog", { class: "dialog", "aria-labelledby": "dialog-title" },
    h("div", { class: "dialog-head" }, h("h2", { id: "dialog-title" }, title), closeButton),
    h("div", { class: "dialog-body" }, ...body));
  document.body.append(node);
  closeButton.addEventListener("click", () => node.close());
  node.addEventListener("close", () => node.remove());
  return node;
}

/** The stored photo URLs of an API photo object, whatever the field names. */
export function photoUrls(photo) {
  const full = photo.image || photo.url || photo.file || photo.original || "";
  const thumb = photo.thumbnail || photo.thumb || photo.thumbnail_url || full;
  return { full, thumb };
}

// A value from an open dataset as people read it: percent-encoding decoded ("02-2133-0001~6", not "%7E").
export function fieldValue(value) {
  const text = String(value);
  if (!/%[0-9A-Fa-f]{2}/.test(text)) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
