// My account: notifications about my reports, and deleting the account (DELETE /api/auth/me/).
import { config } from "../config.js";
import { request, requestPage } from "../api/request.js";
import { h, clear, showError } from "../ui/dom.js";
import { lang, formatDate } from "../i18n/index.js";

const list = document.getElementById("notifications");

async function loadNotifications() {
  if (!config.apis?.notifications) return clear(list);
  try {
    const { items } = await requestPage("/api/notifications/");
    if (!items.length) return clear(list, h("li", { class: "muted" }, lang === "en" ? "No notifications." : "알림이 없습니다."));
    clear(list, items.map((n) => {
      // the body ends with the page it is about (for e-mails): here the entry links there instead
      const path = (n.body || "").match(/\n\s*(\/[\w/.#?=&-]*)\s*$/);
      const link = n.report ? `/reports/${n.report}/` : path ? path[1] : null;
      const body = path ? n.body.slice(0, path.index).trim() : n.body;
      const text = [n.title, body].filter(Boolean).join(" — ");
      return h("li", { class: n.is_read ? "" : "unread" },
        h("time", { datetime: n.created_at }, formatDate(n.created_at)), " ",
        link ? h("a", { href: link }, text) : text);
    }));
    if (items.some((n) => !n.is_read)) await request("/api/notifications/read/", { method: "POST", json: { all: true } });
  } catch (error) {
    clear(list, h("li", { class: "muted" }, error.message));
  }
}
loadNotifications();

document.getElementById("delete-account").addEventListener("click", async () => {
  const question = lang === "en" ? "Delete your account? This cannot be undone." : "계정을 삭제할까요? 되돌릴 수 없습니다.";
  if (!window.confirm(question)) return;
  try {
    await request("/api/auth/me/", { method: "DELETE" });
    window.location.assign("/");
  } catch (error) {
    showError(document.getElementById("account-error"), error);
  }
});
