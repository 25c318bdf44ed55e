// On a phone every map page is map-first: the map fills the screen and the page's panel
// (`.map-panel`) is a bottom sheet with a handle: "peek" shows its first lines, "open" up to half
// the screen. The sheet's height is published as --sheet-h so notices sit above it, never over the
// map's controls. On wider screens the panel is a side column and nothing here applies.
import { t } from "../i18n/index.js";

const phone = window.matchMedia("(max-width: 47.99rem)");

function publishHeight(panel) {
  const height = phone.matches ? panel.getBoundingClientRect().height : 0;
  const tools = phone.matches ? panel.parentElement.querySelector(".edit-tools")?.getBoundingClientRect().height || 0 : 0;
  document.documentElement.style.setProperty("--sheet-h", `${Math.round(height)}px`);
  document.documentElement.style.setProperty("--tools-h", `${Math.round(tools)}px`);
}

/** Padding for fitBounds/easeTo that keeps what is shown clear of the bottom sheet and the tool row on a phone. */
export function sheetPadding(padding = 40) {
  const panel = document.querySelector(".map-full > .map-panel");
  if (!phone.matches || !panel) return padding;
  const tools = panel.parentElement.querySelector(".edit-tools")?.getBoundingClientRect().height || 0;
  return { top: padding, right: padding, left: padding, bottom: padding + panel.getBoundingClientRect().height + tools };
}

/** Make `panel` a bottom sheet on phones; returns {open(), peek()} for the page's own moments. */
export function bottomSheet(panel) {
  const handle = document.createElement("button");
  handle.type = "button";
  handle.className = "sheet-handle";
  handle.dataset.testid = "sheet-handle";
  panel.prepend(handle);
  const set = (state) => {
    panel.dataset.sheet = state;
    const open = state === "open";
    handle.setAttribute("aria-expanded", String(open));
    handle.setAttribute("aria-label", open ? t("sheetLess") : t("sheetMore"));
    requestAnimationFrame(() => publishHeight(panel));
  };
  handle.addEventListener("click", () => set(panel.dataset.sheet === "open" ? "peek" : "open"));
  new ResizeObserver(() => publishHeight(panel)).observe(panel);
  phone.addEventListener("change", () => publishHeight(panel));
  set(panel.dataset.sheet || "peek");
  return { open: () => set("open"), peek: () => set("peek") };
}

for (const panel of document.querySelectorAll(".map-full > .map-panel")) {
  if (!panel.sheet) panel.sheet = bottomSheet(panel);
}
