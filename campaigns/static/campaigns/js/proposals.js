// Proposals page: propose a topic, vote and withdraw while the round is open.
import { request } from "geoplatform/api/request.js";
import { lang } from "geoplatform/i18n/index.js";
import { h } from "geoplatform/ui/dom.js";
import { act, pageConfig, text } from "./common.js";

function districtOptions(select) {
  for (const district of pageConfig.districts || []) {
    select.append(h("option", { value: district.code }, lang === "en" ? district.name_en : district.name_ko));
  }
}

function proposeForm(form) {
  const select = form.querySelector("#p-districts");
  districtOptions(select);
  form.querySelectorAll("input[name=area_scope]").forEach((radio) => radio.addEventListener("change", () => {
    select.hidden = form.area_scope.value !== "districts";
  }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    const body = {
      title: form.title.value,
      why: form.why.value,
      area_scope: form.area_scope.value,
      districts: form.area_scope.value === "districts" ? [...select.selectedOptions].map((o) => o.value) : [],
      categories: form.categories.value.split(",").map((c) => c.trim()).filter(Boolean),
    };
    const created = await act(button, document.getElementById("propose-error"),
      () => request("/api/proposals/", { method: "POST", json: body }));
    if (created) window.location.assign(`/proposals/?proposed=${created.id}#proposal-${created.id}`);
  });
}

function voteButton(item) {
  const button = item.querySelector("[data-vote]");
  if (!button) return;
  button.addEventListener("click", async () => {
    const voted = button.getAttribute("aria-pressed") === "true";
    const result = await act(button, item.querySelector("[data-error]"),
      () => request(`/api/proposals/${item.dataset.id}/vote/`, { method: voted ? "DELETE" : "POST" }));
    if (!result) return;
    item.querySelector("[data-votes]").textContent = String(result.votes);
    button.setAttribute("aria-pressed", result.my_vote ? "true" : "false");
    button.textContent = result.my_vote ? text("unvote") : text("vote");
  });
}

const form = document.getElementById("propose-form");
if (form) proposeForm(form);
document.querySelectorAll("li.proposal").forEach(voteButton);
