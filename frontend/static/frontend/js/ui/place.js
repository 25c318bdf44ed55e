// Where a place is, in words, while a citizen places it: "역삼1동, 강남구 · 강남역에서 350 m · 접수: 강남구".
// Asks /api/districts/where/ (the report service's own routing rule), the latest request only.
import { request } from "../api/request.js";
import { t } from "../i18n/index.js";

const metres = (m) => (m >= 1000 ? `${(m / 1000).toFixed(1)} km` : `${m} m`);
const join = (names) => names.join(", ");

/** Words for a place: {where, station, receiving} (strings, empty when unknown). */
export function placeWords(place) {
  if (!place.in_seoul) return { where: t("placeOutside"), station: "", receiving: "" };
  const where = place.dong ? t("placeDongGu", { dong: place.dong.name, gu: place.district.name }) : place.district?.name || "";
  const station = place.station ? t("placeStation", { station: place.station.name, distance: metres(place.station.distance_m) }) : "";
  const receiving = t("placeReceiving", { districts: join(place.receiving.map((d) => d.name)) });
  return { where, station, receiving };
}

/**
 * placeLine(element, {receiving}) → update(geometry): fills `element` (an aria-live region) with the
 * place's words each time the geometry changes; `receiving` adds the district office(s) of a report.
 */
export function placeLine(element, { receiving = false } = {}) {
  let controller = null;
  let timer = null;
  // While a pin is dragged: one request per pause (120 ms), and only the latest answer is shown.
  return function update(geometry) {
    clearTimeout(timer);
    controller?.abort();
    if (!geometry) {
      element.hidden = true;
      return;
    }
    timer = setTimeout(() => show(geometry), 120);
  };

  async function show(geometry) {
    controller = new AbortController();
    const params = geometry.type === "Point"
      ? `lon=${geometry.coordinates[0]}&lat=${geometry.coordinates[1]}`
      : `geometry=${encodeURIComponent(JSON.stringify(geometry))}`;
    try {
      const place = await request(`/api/districts/where/?${params}`, { signal: controller.signal });
      const words = placeWords(place);
      const parts = [[words.where, "place-where"], [words.station, "place-station"],
        [receiving ? words.receiving : "", "place-receiving"]].filter(([text]) => text);
      element.replaceChildren(...parts.map(([text, className]) => {
        const span = document.createElement("span");
        span.className = className;
        span.textContent = text;
        return span;
      }));
      element.hidden = false;
      element.dataset.dong = place.dong?.code || "";
      element.dataset.receiving = place.receiving.map((d) => d.code).join(",");
    } catch (error) {
      if (error.name !== "AbortError") element.hidden = true;
    }
  }
}
