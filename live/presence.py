"""Who is on a map: kept in Redis so that every web node sees everyone (a process-local dict without Redis).

One hash per map: socket → {name, editing, selected, expires}. A socket refreshes its entry whenever its
client speaks (the web app pings every 5 s); an entry not refreshed for PRESENCE_TTL (10) seconds is swept
away by the next sweep (every 5 s), so a dropped connection, or a web node that died, leaves presence within
15 seconds. Changes are announced
to the map's sockets at most every BROADCAST_DELAY seconds (joins of many viewers coalesce); a ping only
refreshes the entry, it announces nothing.
"""
import json
import time

PRESENCE_TTL = 10.0
BROADCAST_DELAY = 0.25


class LocalPresence:
    """Single-process stand-in (no Redis configured)."""

    _maps: dict = {}
    _flags: dict = {}

    async def put(self, map_id, socket, entry):
        self._maps.setdefault(map_id, {})[socket] = entry

    async def remove(self, map_id, socket):
        self._maps.get(map_id, {}).pop(socket, None)

    async def all(self, map_id):
        return dict(self._maps.get(map_id, {}))

    async def drop(self, map_id, sockets):
        for socket in sockets:
            self._maps.get(map_id, {}).pop(socket, None)

    async def claim(self, name, seconds):
        now = time.monotonic()
        if self._flags.get(name, 0) > now:
            return False
        self._flags[name] = now + seconds
        return True

    async def release(self, name):
        self._flags.pop(name, None)


class RedisPresence:
    def __init__(self, url):
        import redis.asyncio

        # One small pool per process, waited on when busy (hundreds of sockets share it).
        pool = redis.asyncio.BlockingConnectionPool.from_url(url, max_connections=20, timeout=10)
        self.client = redis.asyncio.Redis(connection_pool=pool)

    @staticmethod
    def _key(map_id):
        return f"live:presence:{map_id}"

    async def put(self, map_id, socket, entry):
        await self.client.hset(self._key(map_id), socket, json.dumps(entry, ensure_ascii=False))

    async def remove(self, map_id, socket):
        await self.client.hdel(self._key(map_id), socket)

    async def all(self, map_id):
        raw = await self.client.hgetall(self._key(map_id))
        return {k.decode(): json.loads(v) for k, v in raw.items()}

    async def drop(self, map_id, sockets):
        if sockets:
            await self.client.hdel(self._key(map_id), *sockets)

    async def claim(self, name, seconds):
        return bool(await self.client.set(f"live:flag:{name}", b"1", nx=True, px=int(seconds * 1000)))

    async def release(self, name):
        await self.client.delete(f"live:flag:{name}")


_stores = {}


def presence_store():
    """One store per event loop (redis.asyncio connections belong to the loop that made them)."""
    import asyncio

    from .services import redis_url

    loop = asyncio.get_running_loop()
    store = _stores.get(loop)
    if store is None:
        store = _stores[loop] = RedisPresence(redis_url()) if redis_url() else LocalPresence()
    return store


def presence_state(entries: dict) -> dict:
    """What clients see: signed-in people by display name only (never an e-mail or user name), with what
    they have selected; guests (no account) only counted."""
    now = time.time()
    live = [(socket, e) for socket, e in sorted(entries.items()) if e.get("expires", 0) > now]
    people = [{"id": socket[-8:], "name": e["name"], "official": bool(e.get("official")),
               "editing": bool(e.get("editing")), "selected": e.get("selected")}
              for socket, e in live if e.get("name")]
    return {"people": people, "guests": sum(1 for _, e in live if not e.get("name"))}
