// Roadmap page: send feedback (with an optional screenshot), say "me too", and staff triage in public.
import { request } from "geoplatform/api/request.js";
import { act, text } from "../../campaigns/js/common.js";

function feedbackForm(form) {
  if (document.referrer) {
    const from = new URL(document.referrer);
    if (from.origin === window.location.origin && from.pathname !== "/roadmap/") form.page_url.value = from.pathname;
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    if (!form.screenshot.files.length) data.delete("screenshot");
    const sent = await act(form.querySelector("button[type=submit]"), document.getElementById("feedback-error"),
      () => request("/api/feedback/", { method: "POST", form: data }));
    if (sent) window.location.assign(`/roadmap/?sent=${sent.id}#feedback-list`);
  });
}

function supportButton(item) {
  const button = item.querySelector("[data-support]");
  if (!button) return;
  button.addEventListener("click", async () => {
    const asked = button.getAttribute("aria-pressed") === "true";
    const result = await act(button, item.querySelector("[data-error]"),
      () => request(`/api/feedback/${item.dataset.id}/support/`, { method: asked ? "DELETE" : "POST" }));
    if (!result) return;
    item.querySelector("[data-people]").textContent = String(result.people);
    button.setAttribute("aria-pressed", result.i_asked ? "true" : "false");
    button.textContent = result.i_asked ? text("takeBack") : text("meToo");
  });
}

function triageForm(item) {
  const form = item.querySelector("[data-triage]");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const done = await act(form.querySelector("button[type=submit]"), item.querySelector("[data-error]"),
      () => request(`/api/feedback/${item.dataset.id}/triage/`, {
        method: "POST", json: { state: form.state.value, answer: form.answer.value } }));
    if (done) window.location.reload();
  });
}

const form = document.getElementById("feedback-form");
if (form) feedbackForm(form);
document.querySelectorAll("li.feedback").forEach((item) => {
  supportButton(item);
  triageForm(item);
});
