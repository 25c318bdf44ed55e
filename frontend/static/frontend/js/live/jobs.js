// A long job's progress (imports, tileset builds, analyses, campaign maps): from the person's own socket
// (/ws/me/, `job` messages, docs/live.md) while it is live; GET /api/jobs/{id}/ every few seconds only while
// it is not (the fallback).
//   followJob(id, (job) => …)  calls back with {id, state, progress, total, percent, message} until it ends.
//   <div data-job="ID" data-job-done="reload"></div>  on any page shows a progress bar (app.js wires it).
import { request } from "../api/request.js";
import { onMine } from "./me.js";

const FINISHED = new Set(["succeeded", "failed"]);
const POLL_EVERY = 3000;

export function followJob(id, update, { every = POLL_EVERY } = {}) {
  let done = false;
  let stopListening = () => {};
  const finish = () => { done = true; clearInterval(timer); stopListening(); };
  const seen = (job) => {
    if (done || String(job.id) !== String(id)) return;
    update(job);
    if (FINISHED.has(job.state)) finish();
  };
  const fetchOnce = async () => {
    try {
      seen({ ...(await request(`/api/jobs/${id}/`)), id });
    } catch {
      // the next round tries again
    }
  };
  stopListening = onMine((message) => {
    if (message.type === "job") seen(message);
    else if (message.type === "hello") fetchOnce();  // (re)connected: what happened while it was not live
  });
  const poll = () => {
    if (!done && document.body.dataset.liveMe !== "live") fetchOnce();  // live: the socket tells us
  };
  const timer = setInterval(poll, every);
  return finish;
}

/** Progress bars for the page's `[data-job]` elements. */
export function jobProgressElements(root = document) {
  for (const element of root.querySelectorAll("[data-job]")) {
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.removeAttribute("value");  // indeterminate until the first news
    const text = document.createElement("span");
    text.className = "job-message";
    element.replaceChildren(bar, " ", text);
    followJob(element.dataset.job, (job) => {
      element.dataset.state = job.state;
      bar.value = job.percent ?? 0;
      text.textContent = job.message || "";
      if (FINISHED.has(job.state) && element.dataset.jobDone === "reload") location.reload();
    });
  }
}
