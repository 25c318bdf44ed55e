// Hazard reports: create one (GeoJSON Feature) and attach its photos.
import { request } from "./request.js";

export async function reportSend({ feature, photos = [] }) {
  const report = await request("/api/reports/", { method: "POST", json: feature });
  for (const photo of photos) {
    const form = new FormData();
    form.append("image", photo, photo.name || "photo.jpg");
    await request(`/api/reports/${report.id}/photos/`, { method: "POST", form });
  }
  return report;
}

export const REPORT_STATUSES = ["submitted", "acknowledged", "in_progress", "resolved", "rejected", "duplicate", "not_our_responsibility"];
