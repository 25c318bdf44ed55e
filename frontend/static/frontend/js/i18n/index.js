// UI text in Korean (default) and English. `t("key", {n: 3})` gives the active language's text with
// `{n}` filled in; `loc(obj, "title")` picks `title_en`/`title_ko` from an API object.
import { config } from "../config.js";
import { messages } from "./messages.js";

export const lang = config.lang === "en" ? "en" : "ko";

export function t(key, vars = {}) {
  const text = messages[lang][key] ?? messages.ko[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (vars[name] ?? `{${name}}`));
}

export function loc(obj, field) {
  if (!obj) return "";
  const own = lang === "en" ? obj[`${field}_en`] : obj[`${field}_ko`];
  return own || obj[`${field}_ko`] || obj[`${field}_en`] || obj[field] || "";
}

const dateFormat = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "ko-KR", { dateStyle: "medium", timeStyle: "short" });
const dayFormat = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "ko-KR", { dateStyle: "medium" });

export function formatDate(value, { time = true } = {}) {
  if (!value) return "";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return (time ? dateFormat : dayFormat).format(date);
}

export function formatNumber(value) {
  return new Intl.NumberFormat(lang === "en" ? "en-GB" : "ko-KR").format(value);
}
