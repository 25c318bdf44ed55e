// Runs on every page: the phone menu toggle and the unread notifications badge.
import { config } from "./config.js";
import { requestPage } from "./api/request.js";
import "./ui/sheet.js";
import { onMine } from "./live/me.js";
import { jobProgressElements } from "./live/jobs.js";

const toggle = document.querySelector(".nav-toggle");
const nav = document.getElementById("site-nav");
if (toggle && nav) {
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  });
}

async function unreadNotifications() {
  const badge = document.getElementById("notif-badge");
  if (!badge || !config.user || !config.apis?.notifications) return;
  try {
    const { page } = await requestPage("/api/notifications/?unread=1&limit=1");
    // The page's own member: the number of unread ones, or null when more than the server counts (100,000).
    const count = page.unread;
    if (count === null || count > 0) {
      badge.textContent = count === null || count > 99 ? "99+" : String(count);
      const many = count === null ? "100,000+" : count.toLocaleString("en");
      badge.title = config.lang === "en" ? `${many} unread notifications` : `읽지 않은 알림 ${many}건`;
      badge.hidden = false;
      toggle?.classList.add("has-unread"); // a dot on the phone menu button
    }
  } catch {
    // notifications are optional decoration of the header
  }
}
unreadNotifications();
// A new notification updates the badge at once (the person's own socket).
onMine((message) => { if (message.type === "notification") unreadNotifications(); });
// Long jobs shown on the page ([data-job]) follow their progress over the same socket.
jobProgressElements();
