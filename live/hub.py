"""One hub per server process (per event loop): the broadcast path of the map sockets.

Fan-out: the hub is the process's only member of each map's group on the channel layer. An event arrives
once per process (one Redis message, decoded once), already JSON text (encoded once, after commit, by
`live.services`); the hub puts that same text in each local socket's outbox, and each socket's own writer
sends it, so a client that does not read stalls only itself. Sockets have no channel of their own: no
per-socket Redis subscription, message or round trip, and none of Channels' per-message dispatch (which
would hop to a thread for `close_old_connections` once per socket per event).

Presence: the hub keeps its sockets' entries in memory and writes them to Redis as one field per process
(`live:presence:{map}` → node → {people, guests, expires}), coalesced at most every BROADCAST_DELAY, and
refreshed every REFRESH seconds. The merged view of every process is announced to the map's group. A socket
whose client has been silent for PRESENCE_TTL is closed (4408) by the next SWEEP, and a field not refreshed
within PRESENCE_TTL (a dead process) is dropped by another process's next refresh: a dropped connection
leaves presence within 15 seconds.
"""
import asyncio
import json
import logging
import time
import uuid
from collections import defaultdict

from channels.layers import get_channel_layer

from .presence import BROADCAST_DELAY, PRESENCE_TTL, presence_state, presence_store
from .services import map_group

log = logging.getLogger(__name__)

SWEEP = 2.5  # seconds between checks for silent sockets (in memory)
REFRESH = 5.0  # seconds between rewrites of this process's presence fields (one Redis write per map)
OUTBOX_MAX = 1000  # events queued for one socket whose client does not read; beyond it, it is closed


class Hub:
    def __init__(self):
        self.layer = get_channel_layer()
        self.store = presence_store()
        self.node = uuid.uuid4().hex[:12]
        self.channel = None
        self.sockets: dict[int, set] = defaultdict(set)
        self.subscribed: set[int] = set()
        self.dirty: set[int] = set()
        self.lock = asyncio.Lock()
        self.tasks: list[asyncio.Task] = []
        self.flush_due = None

    # --- membership -------------------------------------------------------------------------------------
    async def join(self, consumer):
        await self._start()
        self.sockets[consumer.map_id].add(consumer)
        await self._sync_group(consumer.map_id)
        self.changed(consumer.map_id)

    async def leave(self, consumer):
        self.sockets[consumer.map_id].discard(consumer)
        self.changed(consumer.map_id)
        await self._sync_group(consumer.map_id)

    async def _sync_group(self, map_id):
        async with self.lock:
            want, have = bool(self.sockets.get(map_id)), map_id in self.subscribed
            if want and not have:
                await self.layer.group_add(map_group(map_id), self.channel)
                self.subscribed.add(map_id)
            elif have and not want:
                await self.layer.group_discard(map_group(map_id), self.channel)
                self.subscribed.discard(map_id)
                self.sockets.pop(map_id, None)

    async def _start(self):
        if self.channel is not None:
            return
        async with self.lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel("live-hub.")
                loop = asyncio.get_running_loop()
                self.tasks = [loop.create_task(self._read()), loop.create_task(self._sweep())]

    # --- events from the channel layer ----------------------------------------------------------------------
    async def _read(self):
        while True:
            try:
                message = await self.layer.receive(self.channel)
                self.deliver(message)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - one bad message must not stop the process's live updates
                log.exception("live: hub could not deliver a message")

    def deliver(self, message):
        members = self.sockets.get(message.get("map_id"))
        if not members:
            return
        kind = message["type"]
        if kind == "map.event":
            for consumer in members:
                consumer.map_event(message)
        elif kind == "presence.state":
            for consumer in members:
                if consumer.ready:
                    consumer.push(message["text"])
        elif kind == "map.access":
            for consumer in list(members):
                asyncio.ensure_future(consumer.map_access())

    # --- presence -------------------------------------------------------------------------------------------
    def changed(self, map_id):
        """This process's presence on the map changed: write and announce it soon (changes coalesce)."""
        self.dirty.add(map_id)
        if self.flush_due is None:
            self.flush_due = asyncio.get_running_loop().call_later(
                BROADCAST_DELAY, lambda: asyncio.ensure_future(self._flush()))

    def _field(self, map_id):
        members = self.sockets.get(map_id) or ()
        people = [{"id": c.socket_id, "name": c.access["name"], "official": c.access["official"], "editing": c.editing,
                   "selected": c.selected}
                  for c in members if c.ready and c.access["name"]]
        return {"people": people, "guests": sum(1 for c in members if c.ready and not c.access["name"]),
                "expires": time.time() + PRESENCE_TTL}

    async def _flush(self):
        self.flush_due = None
        maps, self.dirty = self.dirty, set()
        for map_id in maps:
            try:
                await self._write(map_id, announce=True)
            except Exception:  # noqa: BLE001 - Redis gone: presence catches up at the next change
                log.warning("live: presence update failed", exc_info=True)

    async def _write(self, map_id, *, announce):
        if self.sockets.get(map_id):
            await self.store.put(map_id, self.node, self._field(map_id))
        else:
            await self.store.remove(map_id, self.node)
        fields = await self.store.all(map_id)
        now = time.time()
        stale = [node for node, value in fields.items() if value.get("expires", 0) <= now]
        if stale:
            await self.store.drop(map_id, stale)
            announce = True
        if announce:
            live = [value for value in fields.values() if value.get("expires", 0) > now]
            text = json.dumps({"type": "presence", "map": map_id, **presence_state(live)}, ensure_ascii=False)
            await self.layer.group_send(map_group(map_id), {"type": "presence.state", "map_id": map_id, "text": text})

    async def _sweep(self):
        """Close sockets whose clients went silent; every REFRESH seconds rewrite this process's fields."""
        refreshed = time.monotonic()
        while True:
            await asyncio.sleep(SWEEP)
            try:
                now = time.monotonic()
                for members in list(self.sockets.values()):
                    for consumer in list(members):
                        if now - consumer.last_heard > PRESENCE_TTL:
                            asyncio.ensure_future(consumer.close_idle())
                if now - refreshed >= REFRESH:
                    refreshed = now
                    for map_id in list(self.sockets):
                        await self._write(map_id, announce=False)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001
                log.warning("live: presence sweep failed", exc_info=True)


_hubs: dict = {}


def hub() -> Hub:
    """The hub of the running event loop (uvicorn runs one loop per worker process)."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        found = _hubs[loop] = Hub()
    return found
