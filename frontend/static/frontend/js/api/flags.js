// Flags: a signed-in person reports a map, feature, photo or report to city staff (once per target).
import { request } from "./request.js";

export const FLAG_REASONS = ["spam", "abuse", "personal_data", "wrong"];

export function flagCreate({ targetType, targetId, reason, comment = "" }) {
  return request("/api/flags/", { method: "POST", json: { target_type: targetType, target_id: targetId, reason, comment } });
}
