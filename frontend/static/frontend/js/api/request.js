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

/** Every item of a paged list, following `next` (a page's items are `results`, or `features` in GeoJSON). */
export async function requestAll(url, { max = 2000 } = {}) {
  const items = [];
  let next = url;
  while (next && items.length < max) {
    const data = await request(next);
    items.push(...listOf(data));
    next = data.next || null;
  }
  return items;
}

/** The items of a list answer: a page (`results`, or `features` when they are GeoJSON) or an unpaged list. */
export function listOf(data) {
  if (Array.isArray(data)) return data;
  return data?.results ?? data?.features ?? [];
}
