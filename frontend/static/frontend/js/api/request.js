// The one module that talks to the server's API. It adds the CSRF header to unsafe requests,
// sends and parses JSON, and turns error answers into an ApiError carrying the server's message.
import { config } from "../config.js";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

function csrfToken() {
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : config.csrfToken || "";
}

/** The human-readable message in a DRF error body (`detail`, a field's list, or nested). */
export function errorMessage(data, fallback = "") {
  if (data == null) return fallback;
  if (typeof data === "string") return data;
  if (Array.isArray(data)) return data.map((d) => errorMessage(d)).filter(Boolean).join(" ");
  if (typeof data === "object") {
    if (data.detail) return errorMessage(data.detail);
    if (data.message) return errorMessage(data.message);
    const parts = [];
    for (const [field, value] of Object.entries(data)) {
      const text = errorMessage(value);
      if (text) parts.push(field === "non_field_errors" ? text : `${field}: ${text}`);
    }
    return parts.join(" ") || fallback;
  }
  return String(data);
}

export class ApiError extends Error {
  constructor(status, data, response) {
    super(errorMessage(data, `HTTP ${status}`));
    this.status = status;
    this.data = data;
    this.response = response;
  }
}

/**
 * request(url, {method, json, form, headers, signal}) → parsed body (JSON, or text), or null for 204.
 * `json` is sent as application/json; `form` (FormData) as multipart. Throws ApiError on 4xx/5xx
 * and a TypeError when the network is down (callers that keep drafts check `navigator.onLine`).
 * The answer's headers are on `request.last` (e.g. the ETag) — use `requestWithResponse` for both.
 */
export async function requestWithResponse(url, { method = "GET", json, form, headers = {}, signal } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers }, credentials: "same-origin", signal };
  if (!SAFE.has(method)) init.headers["X-CSRFToken"] = csrfToken();
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (form !== undefined) {
    init.body = form;
  }
  const response = await fetch(url, init);
  let data = null;
  if (response.status !== 204) {
    const type = response.headers.get("Content-Type") || "";
    data = type.includes("json") ? await response.json().catch(() => null) : await response.text();
  }
  if (!response.ok) {
    // An HTML error page is no message for a person: keep the status line instead.
    const body = typeof data === "string" && data.trimStart().startsWith("<") ? `${response.status} ${response.statusText}` : data;
    throw new ApiError(response.status, body, response);
  }
  return { data, response };
}

export async function request(url, options) {
  return (await requestWithResponse(url, options)).data;
}

/**
 * One page of a list answer: every list of the API answers the one envelope (`count`, `next`, `previous`,
 * and the items under `results`, or under `features` when the page is a GeoJSON FeatureCollection), so this
 * is the one reader of it. → `{ items, count, next, previous, page }` (`page`: the whole answer, for the
 * members a list adds, e.g. the reports' `tilejson`; `count`: a number, or null when the list holds more than
 * the server counts, 100,000). Anything else is an error, never an empty list.
 */
export async function requestPage(url) {
  const page = await request(url);
  const items = page?.type === "FeatureCollection" ? page.features : page?.results;
  const counted = typeof page?.count === "number" || page?.count === null;
  if (!Array.isArray(items) || !counted || !("next" in page) || !("previous" in page)) {
    throw new ApiError(0, `${url}: not a page of the API's list envelope`);
  }
  return { items, count: page.count, next: page.next, previous: page.previous, page };
}

/** Every item of a list answer, following `next` from page to page (at most `max` items). */
export async function requestList(url, { max = 2000 } = {}) {
  const items = [];
  let next = url;
  while (next && items.length < max) {
    const page = await requestPage(next);
    items.push(...page.items);
    next = page.next;
  }
  return items.slice(0, max);
}
