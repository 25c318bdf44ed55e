"""Who is on a map, kept in Redis so that every web node sees everyone (a process-local dict without Redis).

One hash per map, one field per server process (written by `live.hub`): {people, guests, expires}. A
process writes its field when its sockets change (coalesced, at most every BROADCAST_DELAY seconds, so the
joins of many viewers make one write and one announcement) and refreshes it every 5 s; a field past its
`expires` (a process that died) is dropped by another process's next refresh. A client's pings refresh
only its socket's time in memory: no Redis round trip per socket.
"""
import json

PRESENCE_TTL = 10.0
BROADCAST_DELAY = 0.25


class LocalPresence:
    """Single-process stand-in (no Redis configured)."""

    _maps: dict = {}

    async def put(self, map_id, field, value):
        self._maps.setdefault(map_id, {})[field] = value

    async def remove(self, map_id, field):
        self._maps.get(map_id, {}).pop(field, None)

    async def all(self, map_id):
        return dict(self._maps.get(map_id, {}))

    async def drop(self, map_id, fields):
        for field in fields:
            self._maps.get(map_id, {}).pop(field, None)


class RedisPresence:
    def __init__(self, url):
        import redis.asyncio

        pool = redis.asyncio.BlockingConnectionPool.from_url(url, max_connections=10, timeout=10)
        self.client = redis.asyncio.Redis(connection_pool=pool)

    @staticmethod
    def _key(map_id):
        return f"live:presence:{map_id}"

    async def put(self, map_id, field, value):
        await self.client.hset(self._key(map_id), field, json.dumps(value, ensure_ascii=False))

    async def remove(self, map_id, field):
        await self.client.hdel(self._key(map_id), field)

    async def all(self, map_id):
        raw = await self.client.hgetall(self._key(map_id))
        return {k.decode(): json.loads(v) for k, v in raw.items()}

    async def drop(self, map_id, fields):
        if fields:
            await self.client.hdel(self._key(map_id), *fields)


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


def presence_state(fields) -> dict:
    """What clients see, merged from every process's field: signed-in people by display name only (never an
    e-mail or user name) with what they have selected; guests (no account) only counted."""
    people = sorted((p for field in fields for p in field.get("people", ())), key=lambda p: (p["name"], p["id"]))
    return {"people": people, "guests": sum(field.get("guests", 0) for field in fields)}
