// A live socket to the server (docs/live.md): reconnects with backoff, says the last revision it saw so
// the server replays what was missed (or asks for a refetch), pings every 5 s so presence stays true,
// and matches answers (ack, conflict, error) to the operation that asked.
const PING_EVERY = 5000;
const BACKOFF = [500, 1000, 2000, 4000, 8000, 15000];

export class LiveSocket {
  /**
   * path: "/ws/maps/12/"; key: a secret link's key; on(message) for server events;
   * onState("connecting" | "live" | "reconnecting" | "closed", code) for the connection.
   */
  constructor(path, { key = "", on = () => {}, onState = () => {}, stateAttribute = "live" } = {}) {
    this.path = path;
    this.stateAttribute = stateAttribute;
    this.key = key;
    this.on = on;
    this.onState = onState;
    this.revision = null;
    this.attempt = 0;
    this.pending = new Map();
    this.counter = 0;
    this.stopped = false;
    this.state = "connecting";
    this.connect();
  }

  url() {
    const params = new URLSearchParams();
    if (this.key) params.set("key", this.key);
    if (this.revision !== null) params.set("since", String(this.revision));
    const query = params.toString();
    return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${this.path}${query ? `?${query}` : ""}`;
  }

  setState(state, code) {
    this.state = state;
    document.body.dataset[this.stateAttribute] = state;
    this.onState(state, code);
  }

  connect() {
    this.setState(this.attempt ? "reconnecting" : "connecting");
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.attempt = 0;
      this.timer = setInterval(() => this.raw({ type: "ping" }), PING_EVERY);
    });
    ws.addEventListener("message", (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      if (message.type === "hello") {
        if (this.revision === null) this.revision = message.revision ?? null;
        this.setState("live");
      }
      if (typeof message.revision === "number" && message.type !== "hello") {
        this.revision = Math.max(this.revision ?? 0, message.revision);
      }
      if (message.type === "refetch") this.revision = message.revision;
      if (message.ref !== undefined && this.pending.has(message.ref) && ["ack", "conflict", "error"].includes(message.type)) {
        const { resolve } = this.pending.get(message.ref);
        this.pending.delete(message.ref);
        resolve(message);
        return;
      }
      this.on(message);
    });
    ws.addEventListener("close", (event) => {
      clearInterval(this.timer);
      for (const { reject } of this.pending.values()) reject(new Error("socket closed"));
      this.pending.clear();
      if (this.stopped || event.code === 4403) {
        this.setState("closed", event.code);
        return;
      }
      const wait = BACKOFF[Math.min(this.attempt, BACKOFF.length - 1)] * (0.75 + Math.random() / 2);
      this.attempt += 1;
      this.setState("reconnecting", event.code);
      setTimeout(() => { if (!this.stopped) this.connect(); }, wait);
    });
  }

  raw(message) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  /** Send an operation; resolves with the server's ack, conflict or error for it. */
  request(message) {
    const ref = `r${(this.counter += 1)}`;
    return new Promise((resolve, reject) => {
      if (this.ws?.readyState !== WebSocket.OPEN) { reject(new Error("not connected")); return; }
      this.pending.set(ref, { resolve, reject });
      this.raw({ ...message, ref });
    });
  }

  stop() {
    this.stopped = true;
    this.ws?.close();
  }
}

/**
 * Who is here, as chips (display names; guests only counted), leaving out this page's own socket:
 * `const chips = presenceChips(t, h); chips.show(message.people, message.guests, { me, meGuest })`.
 */
export function presenceChips(t, h) {
  const node = h("ul", { id: "live-presence", class: "presence", "aria-label": t("presenceLabel") });
  const show = (people, guestCount, { me = null, meGuest = false } = {}) => {
    const others = people.filter((p) => p.id !== me);
    const guests = guestCount - (meGuest ? 1 : 0);
    node.replaceChildren(...others.map((p) => h("li", { class: `chip${p.editing ? " editing" : ""}`,
      title: p.selected ? t("presenceEditing", { name: p.name }) : p.name }, p.name)),
    ...(guests > 0 ? [h("li", { class: "chip guests" }, t("presenceGuests", { n: guests }))] : []));
    return others;
  };
  return { node, show };
}

/** A small status chip: "live" / "reconnecting…" in the reader's language. */
export function liveBadge(t) {
  const node = document.createElement("span");
  node.className = "live-state";
  node.setAttribute("role", "status");
  node.dataset.testid = "live-state";
  const show = (state) => {
    node.dataset.state = state;
    node.textContent = state === "live" ? t("liveOn") : state === "closed" ? t("liveClosed") : t("liveReconnecting");
  };
  show("connecting");
  return { node, show };
}
