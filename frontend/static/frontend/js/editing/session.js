// An editing session on one map: every change goes to the server at once with the version it was based on
// (the server merges it with what others saved since; only the same field changed by both is a conflict),
// and undo/redo replay the inverse the same way. Changes go over the map's live socket as operations
// (docs/live.md: feature.create/update/delete with base_version, answered by ack/conflict/error) while it
// is live, else over the REST API: the server runs the same service for both.
import { requestWithResponse, request, ApiError } from "../api/request.js";
import { t } from "../i18n/index.js";

export class Conflict extends Error {
  /** `fields`: what both changed from the same base, [{field, base, theirs, mine}] (empty: not known). */
  constructor(current, attempted, fields = []) {
    super("conflict");
    this.current = current;
    this.attempted = attempted;
    this.fields = fields;
  }
}

const EDITABLE = ["name", "description", "category", "properties"];

export function snapshotOf(feature) {
  const p = feature.properties || {};
  return { geometry: feature.geometry, name: p.name || "", description: p.description || "", category: p.category || "",
    properties: p.properties || {} };
}

export class EditSession {
  /** `features` maps a draw id to the server's feature (GeoJSON with properties.version). */
  constructor(mapId, { key = "", onChange = () => {} } = {}) {
    this.mapId = mapId;
    this.query = key ? `?key=${encodeURIComponent(key)}` : "";
    this.features = new Map();
    this.creating = 0; // creations sent and not yet answered
    this.afterCreates = [];
    this.undoStack = [];
    this.redoStack = [];
    this.onChange = onChange;
    this.live = null;
  }

  /** Send operations over this LiveSocket while it is live (REST otherwise). */
  useSocket(live) {
    this.live = live;
  }

  /**
   * An operation over the socket: the ack, or throws Conflict / ApiError like the REST path. Returns null
   * when the socket is not live (the caller uses REST); an operation lost with a dropped connection
   * throws (its effect, if any, arrives with the replay after the reconnect).
   */
  async viaSocket(message, attempted) {
    if (this.live?.state !== "live") return null;
    let answer;
    try {
      answer = await this.live.request(message);
    } catch (error) {
      if (error.message === "not connected") return null;
      throw new ApiError(0, { detail: t("liveInterrupted") });
    }
    if (answer.type === "conflict") throw new Conflict(answer.current, attempted, answer.fields || []);
    if (answer.type === "error") throw new ApiError(answer.status, { detail: answer.detail });
    return answer;
  }

  url(fid = null, suffix = "") {
    return `/api/maps/${this.mapId}/features/${fid ? `${fid}/` : ""}${suffix}${this.query}`;
  }

  track(drawId, feature) {
    this.features.set(drawId, feature);
  }

  serverFeature(drawId) {
    return this.features.get(drawId);
  }

  /** The drawing's id of the server's feature `fid`, or null. */
  drawIdOf(fid) {
    for (const [drawId, feature] of this.features) if (feature.id === fid) return drawId;
    return null;
  }

  /** Run `fn` once no creation of ours is waiting for its answer (a live event may outrun the answer). */
  whenCreatesSettle(fn) {
    if (this.creating === 0) fn();
    else this.afterCreates.push(fn);
  }

  async create(drawId, snapshot, { record = true } = {}) {
    this.creating += 1;
    try {
      const body = { type: "Feature", geometry: snapshot.geometry,
        properties: { name: snapshot.name, description: snapshot.description, category: snapshot.category, properties: snapshot.properties } };
      const ack = await this.viaSocket({ type: "feature.create", feature: body }, body);
      const feature = ack ? ack.feature : await request(this.url(), { method: "POST", json: body });
      this.features.set(drawId, feature);
      if (record) this.push({ kind: "create", drawId, after: snapshotOf(feature) });
      return feature;
    } finally {
      this.creating -= 1;
      if (this.creating === 0) for (const fn of this.afterCreates.splice(0)) fn();
    }
  }

  /** PATCH the fields in `changes` (geometry and/or EDITABLE ones) based on the version we hold. */
  async update(drawId, changes, { record = true, version } = {}) {
    const feature = this.features.get(drawId);
    if (!feature) throw new Error("unknown feature");
    const before = snapshotOf(feature);
    const base = version ?? feature.properties.version;
    const body = {};
    if (changes.geometry) body.geometry = changes.geometry;
    for (const field of EDITABLE) if (changes[field] !== undefined) body[field] = changes[field];
    let answer;
    try {
      const ack = await this.viaSocket({ type: "feature.update", id: feature.id, base_version: base, changes: body }, body);
      answer = ack ? { data: ack.feature } : await requestWithResponse(this.url(feature.id), { method: "PATCH", json: body,
        headers: { "If-Match": `"f${feature.id}-v${base}"` } });
    } catch (error) {
      if (error instanceof Conflict) throw error;
      if (error instanceof ApiError && error.status === 409 && error.data?.current) {
        throw new Conflict(error.data.current, body, error.data.conflicts || []);
      }
      throw error;
    }
    // A photo added while this edit was on its way is kept (the answer was made before it existed).
    const known = new Set((answer.data.properties.photos || []).map((photo) => photo.id));
    const added = (this.features.get(drawId)?.properties.photos || []).filter((photo) => !known.has(photo.id));
    answer.data.properties.photos = [...(answer.data.properties.photos || []), ...added];
    this.features.set(drawId, answer.data);
    if (record) this.push({ kind: "update", drawId, before: pick(before, body), after: pick(snapshotOf(answer.data), body) });
    return answer.data;
  }

  async remove(drawId, { record = true } = {}) {
    const feature = this.features.get(drawId);
    if (!feature) return;
    try {
      const ack = await this.viaSocket({ type: "feature.delete", id: feature.id, base_version: feature.properties.version },
        { deleted: true });
      if (!ack) await request(this.url(feature.id), { method: "DELETE", headers: { "If-Match": `"f${feature.id}-v${feature.properties.version}"` } });
    } catch (error) {
      if (error instanceof Conflict) throw error;
      if (error instanceof ApiError && error.status === 409 && error.data?.current) throw new Conflict(error.data.current, { deleted: true });
      throw error;
    }
    this.features.delete(drawId);
    if (record) this.push({ kind: "delete", drawId, before: snapshotOf(feature) });
  }

  async addPhoto(drawId, file) {
    const feature = this.features.get(drawId);
    const form = new FormData();
    form.append("image", file);
    const photo = await request(this.url(feature.id, "photos/"), { method: "POST", form });
    const current = this.features.get(drawId);
    current.properties.photos = [...(current.properties.photos || []), photo];
    return photo;
  }

  push(entry) {
    this.undoStack.push(entry);
    this.redoStack = [];
    this.onChange();
  }

  canUndo() { return this.undoStack.length > 0; }

  canRedo() { return this.redoStack.length > 0; }

  /** Undo the last change on the server; `apply(kind, drawId, snapshot|null)` mirrors it in the drawing. */
  undo(apply) {
    return this.step(this.undoStack, this.redoStack, "undo", apply);
  }

  redo(apply) {
    return this.step(this.redoStack, this.undoStack, "redo", apply);
  }

  async step(from, to, direction, apply) {
    const entry = from.pop();
    if (!entry) return;
    try {
      await this.replay(entry, direction, apply);
      to.push(entry);
    } catch (error) {
      from.push(entry);
      throw error;
    } finally {
      this.onChange();
    }
  }

  async replay(entry, direction, apply) {
    const { kind, drawId } = entry;
    const removing = (kind === "create" && direction === "undo") || (kind === "delete" && direction === "redo");
    const adding = (kind === "delete" && direction === "undo") || (kind === "create" && direction === "redo");
    if (removing) {
      await this.remove(drawId, { record: false });
      apply("remove", drawId, null);
    } else if (adding) {
      const snapshot = kind === "delete" ? entry.before : entry.after;
      const feature = await this.create(drawId, snapshot, { record: false });
      apply("add", drawId, feature);
    } else {
      const target = direction === "undo" ? entry.before : entry.after;
      const feature = await this.update(drawId, target, { record: false });
      apply("update", drawId, feature);
    }
  }
}

function pick(snapshot, body) {
  const out = {};
  for (const key of Object.keys(body)) out[key] = snapshot[key];
  return out;
}
