// "Report content" for signed-in people: a button opening a dialog with the reasons and an optional
// comment. Anonymous visitors get a link to sign in instead.
import { config } from "../config.js";
import { ApiError, errorMessage } from "../api/request.js";
import { flagCreate, FLAG_REASONS } from "../api/flags.js";
import { h, clear, dialog, showError, hideError } from "./dom.js";
import { t } from "../i18n/index.js";

/** The server's own words for a refused flag (e.g. a second flag by the same person), without field names. */
function refusal(error) {
  if (error instanceof ApiError && error.data && typeof error.data === "object" && !error.data.detail) {
    return errorMessage(Object.values(error.data), error.message);
  }
  return null;
}

function openFlagDialog({ targetType, targetId, onFlagged }) {
  const comment = h("textarea", { id: "flag-comment", name: "comment", maxlength: "500", rows: "3" });
  const error = h("p", { class: "form-error", id: "flag-error", hidden: true });
  const form = h("form", { class: "flag-form", novalidate: true },
    h("p", {}, t("flagIntro")),
    h("fieldset", { class: "field" }, h("legend", {}, t("flagReason")),
      FLAG_REASONS.map((reason) => h("div", {},
        h("label", {}, h("input", { type: "radio", name: "reason", value: reason, required: true }), " ", t(`flagReason_${reason}`))))),
    h("div", { class: "field" }, h("label", { for: "flag-comment" }, t("flagComment")), comment),
    error,
    h("p", { class: "toolbar" }, h("button", { type: "submit", class: "button primary" }, t("flagSend"))));
  const node = dialog(t("flagTitle"), form);
  node.dataset.testid = "flag-dialog";
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    hideError(error);
    const reason = form.querySelector("input[name=reason]:checked")?.value;
    if (!reason) {
      showError(error, new Error(t("flagPickReason")));
      return;
    }
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      await flagCreate({ targetType, targetId, reason, comment: comment.value.trim() });
    } catch (failure) {
      submit.disabled = false;
      const message = refusal(failure);
      showError(error, message ? new Error(message) : failure);
      return;
    }
    const done = h("button", { type: "button", class: "button", onclick: () => node.close() }, t("close"));
    clear(node.querySelector(".dialog-body"), h("p", { class: "flag-thanks", role: "status" }, t("flagThanks")), h("p", { class: "toolbar" }, done));
    done.focus();
    onFlagged?.();
  });
  node.querySelector("input[name=reason]").focus();
  return node;
}

/** A "Report content" button (signed in) or a sign-in link (anonymous) for one target. */
export function flagControl({ targetType, targetId, onFlagged } = {}) {
  if (!config.user) {
    const next = encodeURIComponent(`${location.pathname}${location.search}`);
    return h("a", { class: "flag-signin small", href: `/accounts/login/?next=${next}` }, t("flagSignIn"));
  }
  return h("button", { type: "button", class: "button small flag-button", "aria-haspopup": "dialog",
    onclick: () => openFlagDialog({ targetType, targetId, onFlagged }) }, h("span", { "aria-hidden": "true" }, "⚑ "), t("flagContent"));
}
