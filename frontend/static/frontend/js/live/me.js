// The signed-in person's own socket (/ws/me/), shared by every module of a page: job progress,
// notifications, their reports' status changes and, for district officers, their queue's news.
//   import { onMine } from "../live/me.js";  onMine((message) => { if (message.type === "report.updated") … });
import { config } from "../config.js";
import { LiveSocket } from "./socket.js";

const listeners = new Set();
let socket = null;

export function onMine(listener) {
  listeners.add(listener);
  if (!socket && config.user) {
    socket = new LiveSocket("/ws/me/", { stateAttribute: "liveMe", on: (message) => {
      for (const each of listeners) each(message);
    } });
    window.gpLiveMe = socket;
  }
  return () => listeners.delete(listener);
}
