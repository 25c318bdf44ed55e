"""The light tile path of the ASGI application: `/tiles/<layer>/<z>/<x>/<y>.mvt` for provably public layers,
answered on the event loop without Django's request cycle (no handler, middleware, session, URL resolver).

Mounted by geoplatform/asgi.py in front of Django (`make run`, `make cluster`, `bin/bench`). It serves a tile
only when everything that decides the answer is known without a query of Django's:

- a *fixed* layer of the registry (`registry.fixed`: families such as `map-12` or `dataset-…` resolve their
  object with a query, and are viewer-dependent or per object) that is `public`, a vector layer,
  `static_queryset` (its SQL depends on nothing but the layer), with no `can_view_rule` and no
  `version_factory` (both may read the database);
- GET, valid z/x/y at or above the layer's minzoom, no `?key=` (a secret link is never the light path's),
  a Host that ALLOWED_HOSTS accepts, no HTTPS redirect due.

Everything else — a private map's tiles, any request with a secret key, PNG tiles, HEAD, a bad tile
address, a layer that is not provably public, and any error of the database — falls through to the full
Django application, which answers exactly as before (404 for what the viewer may not see, the 400s in the
reader's language, the 503 with Retry-After when no database answers). A session cookie or an
`Authorization` header does not change a public layer's tile (the same bytes for everyone), so it does not
matter here; for any other layer the request never reaches this module's query.

What it shares with the Django path (layers/tile_views.py): the registry, the exact statement of
layers/tiles.py (`tile_sql`, `first_cap`, `next_cap`: one source of truth for the SQL), the tile cache and
its variants (layers/cache.py), the versioned-URL rule (`public_cache_control`, the counter memo of
layers/selectors.py), ETag, gzip and headers. So a tile's bytes and headers are those of the Django path
(tests/layers/test_asgi_tiles.py compares them).

The database: psycopg 3 through one psycopg_pool.AsyncConnectionPool per process and event loop, on the
primary (`DATABASES["default"]`; fresher than a replica, so read-your-writes holds), autocommit (one round
trip a tile), `max_parallel_workers_per_gather = 0` as a connection option (as the Django path sets it per
statement), and each tile statement executed as a prepared statement (parsed once per connection).
When a query fails or no connection comes within TILES_POOL_TIMEOUT seconds, the request and every tile
request of the next TILES_POOL_PAUSE seconds go to Django instead.
"""
from __future__ import annotations

import asyncio
import logging
import time
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import SynchronousOnlyOperation
from django.db import connections
from django.http.request import split_domain_port, validate_host

from . import selectors
from .cache import cache_clock, tile_cache, tile_variant
from .light import TILE_PATH
from .registry import Layer, Viewer, registry
from .tile_views import MVT_TYPE, _etag, etag_matches, public_cache_control, stored_vector_tile
from .tilegrid import tile_valid
from .tiles import first_cap, next_cap, tile_bytes, tile_sql, uses_aggregates

log = logging.getLogger(__name__)

COUNTER_SQL = "SELECT counter FROM layers_layerversion WHERE name = %s"
AGGREGATES_SQL = "SELECT 1 FROM layers_tileaggregatestate WHERE layer = %s AND version = %s"
DATABASE = "default"


def servable(layer: Layer | None) -> bool:
    """A layer whose tiles are the same for every viewer and known without asking Django anything."""
    return (layer is not None and layer.public and layer.kind == "vector" and layer.static_queryset
            and layer.can_view_rule is None and layer.version_factory is None)


class _Config:
    """The settings a tile request reads, taken once per settings object (override_settings makes a new one):
    reading Django's lazy settings a dozen times costs more than answering a cached tile."""

    def __init__(self):
        self.source = settings._wrapped
        self.forwarded_host = getattr(settings, "USE_X_FORWARDED_HOST", False)
        allowed = list(settings.ALLOWED_HOSTS)
        if settings.DEBUG and not allowed:
            allowed = [".localhost", "127.0.0.1", "[::1]"]
        self.allowed_hosts = allowed
        self._host_ok: dict[str, bool] = {}
        proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        self.proxy = (proxy[0].removeprefix("HTTP_").replace("_", "-").lower(), proxy[1]) if proxy else None
        self.ssl_redirect = settings.SECURE_SSL_REDIRECT
        self.security = {secure: _security_headers(secure) for secure in (False, True)}
        self.memo = settings.TILES_VERSION_MEMO
        self.cache = tile_cache()
        self.cache_blocks = not hasattr(self.cache, "root")  # Redis: a network round trip, off the loop
        self.cache_control = {True: public_cache_control("1", "1").encode(),
                              False: public_cache_control(None, None).encode()}

    def allowed_host(self, headers: dict) -> bool:
        if self.forwarded_host and "x-forwarded-host" in headers:
            return False  # Django decides (rare set-up)
        host = headers.get("host", "")
        found = self._host_ok.get(host)
        if found is None:
            domain, _port = split_domain_port(host)
            found = bool(domain) and validate_host(domain, self.allowed_hosts)
            if len(self._host_ok) < 1000:
                self._host_ok[host] = found
        return found

    def secure(self, scope, headers: dict) -> bool:
        if scope.get("scheme") in ("https", "wss"):
            return True
        if self.proxy:
            return headers.get(self.proxy[0], "").split(",")[0].strip() == self.proxy[1]
        return False


_config: _Config | None = None


def config() -> _Config:
    global _config
    if _config is None or _config.source is not settings._wrapped:
        _config = _Config()
    return _config


def _security_headers(secure: bool) -> list[tuple[bytes, bytes]]:
    """What django.middleware.security.SecurityMiddleware adds to every response."""
    out = []
    if settings.SECURE_HSTS_SECONDS and secure:
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        out.append((b"strict-transport-security", value.encode()))
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        out.append((b"x-content-type-options", b"nosniff"))
    policy = settings.SECURE_REFERRER_POLICY
    if policy:
        values = policy.split(",") if isinstance(policy, str) else policy
        out.append((b"referrer-policy", ",".join(v.strip() for v in values).encode()))
    coop = getattr(settings, "SECURE_CROSS_ORIGIN_OPENER_POLICY", None)
    if coop:
        out.append((b"cross-origin-opener-policy", coop.encode()))
    return out


class Unavailable(Exception):
    """The light path's database did not answer: the request goes to Django."""


class TilesFirst:
    """ASGI middleware: light tile requests answered here, everything else passed to `app`."""

    def __init__(self, app):
        self.app = app
        self._pool = None
        self._pool_loop = None
        self._pool_lock = None
        self._paused_until = 0.0
        self.served = 0  # tiles answered here (tests and the profile read it)

    async def __call__(self, scope, receive, send):
        if scope.get("type") == "lifespan":  # uvicorn --lifespan on/auto: close the pool at shutdown
            return await self.lifespan(receive, send)
        if scope.get("type") == "http" and scope.get("method") == "GET":
            match = TILE_PATH.match(scope.get("path", ""))
            if match is not None and match["fmt"] != "png" and time.monotonic() >= self._paused_until:
                try:
                    answer = await self.answer(scope, match)
                except Unavailable:
                    answer = None
                if answer is not None:
                    status, headers, body = answer
                    self.served += 1
                    await send({"type": "http.response.start", "status": status, "headers": headers})
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)

    async def lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # --- the database -----------------------------------------------------------------------
    async def pool(self):
        loop = asyncio.get_running_loop()
        if self._pool is not None and self._pool_loop is loop:
            return self._pool
        if self._pool_lock is None or self._pool_lock[0] is not loop:
            self._pool_lock = (loop, asyncio.Lock())
        async with self._pool_lock[1]:
            if self._pool is None or self._pool_loop is not loop:
                from psycopg.conninfo import make_conninfo
                from psycopg_pool import AsyncConnectionPool

                db = connections[DATABASE].settings_dict
                options = db.get("OPTIONS", {})
                conninfo = make_conninfo(
                    dbname=db["NAME"], user=db.get("USER") or None, password=db.get("PASSWORD") or None,
                    host=db.get("HOST") or None, port=str(db["PORT"]) if db.get("PORT") else None,
                    connect_timeout=options.get("connect_timeout", 5), application_name="geoplatform-tiles",
                    options="-c max_parallel_workers_per_gather=0")
                pool = AsyncConnectionPool(
                    conninfo, open=False, min_size=1, max_size=int(getattr(settings, "TILES_POOL_SIZE", 8)),
                    kwargs={"autocommit": True}, name="tiles",
                    timeout=float(getattr(settings, "TILES_POOL_TIMEOUT", 2.0)), reconnect_timeout=0)
                await pool.open(wait=False)
                self._pool, self._pool_loop = pool, loop
        return self._pool

    async def close(self) -> None:
        """Close this loop's pool (tests; servers just exit)."""
        pool, self._pool, self._pool_loop = self._pool, None, None
        if pool is not None:
            await pool.close()

    async def query(self, sql: str, params: list, prepare: bool = True):
        from psycopg import Error as DatabaseError
        from psycopg_pool import PoolTimeout

        try:
            pool = await self.pool()
            async with pool.connection() as conn:
                cursor = await conn.execute(sql, params, prepare=prepare)
                return await cursor.fetchone()
        except (DatabaseError, PoolTimeout, OSError) as exc:
            pause = float(getattr(settings, "TILES_POOL_PAUSE", 1.0))
            self._paused_until = time.monotonic() + pause
            log.warning("light tile path: database unavailable (%s); tiles go through Django for %.0f s",
                        str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__, pause)
            raise Unavailable from exc

    async def remembered(self, key: tuple, sql: str, params: list, value):
        """A small read, remembered for TILES_VERSION_MEMO seconds in the memo the Django path reads too."""
        max_age = config().memo
        found = selectors.memo_get(key, max_age)
        if found is not selectors.MISSING:
            return found
        started = time.monotonic()
        result = value(await self.query(sql, params, prepare=False))
        if max_age > 0:
            selectors.memo_put(key, result, started)
        return result

    async def statement(self, layer, z, x, y, cap, aggregates):
        try:
            return tile_sql(layer, Viewer.anonymous(), z, x, y, cap, aggregates)
        except SynchronousOnlyOperation:  # compiling the first statement of a zoom class may ask the database
            def compile_once():
                try:
                    return tile_sql(layer, Viewer.anonymous(), z, x, y, cap, aggregates)
                finally:
                    connections.close_all()

            return await asyncio.to_thread(compile_once)

    # --- one tile -------------------------------------------------------------------------------
    async def answer(self, scope, match):
        """(status, headers, body), or None when Django must answer."""
        z, x, y = int(match["z"]), int(match["x"]), int(match["y"])
        layer = registry.fixed(match["layer"])
        if not servable(layer) or not tile_valid(z, x, y) or z < layer.minzoom:
            return None
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        if "key" in query:
            return None
        headers = {}
        for name, value in scope.get("headers", ()):
            name = name.decode("latin-1").lower()
            value = value.decode("latin-1")
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        conf = config()
        secure = conf.secure(scope, headers)
        if not conf.allowed_host(headers) or (conf.ssl_redirect and not secure):
            return None

        version = query.get("v")
        current = None
        if version is not None:
            counter = await self.remembered(selectors.counter_key(layer.name), COUNTER_SQL, [layer.name],
                                            lambda row: row[0] if row else 0)
            current = selectors.tile_version_of(layer, counter)
        out = [(b"cache-control", conf.cache_control[version is not None and version == current]),
               (b"access-control-allow-origin", b"*")]

        variant = tile_variant(version=layer.version())  # a public layer's permission key is ""
        cache, blocking = conf.cache, conf.cache_blocks
        if blocking:
            data = await asyncio.to_thread(cache.get, layer.name, z, x, y, variant)
        else:
            data = cache.get(layer.name, z, x, y, variant)
        out.append((b"x-tile-cache", b"hit"))
        if data is None:
            out[-1] = (b"x-tile-cache", b"miss")
            started = cache_clock()
            data = stored_vector_tile(await self.render(layer, z, x, y))
            if blocking:
                await asyncio.to_thread(cache.set, layer.name, z, x, y, variant, data, started)
            else:
                cache.set(layer.name, z, x, y, variant, data, started)
        security = conf.security[secure]
        if not data:
            return 204, [*out, (b"content-type", b"text/html; charset=utf-8"), *security], b""
        etag = _etag(data)
        out.append((b"etag", etag.encode()))
        if etag_matches(headers.get("if-none-match", ""), etag):
            return 304, [*out, (b"content-type", b"text/html; charset=utf-8"), *security], b""
        out.append((b"vary", b"Accept-Encoding"))
        if "gzip" in headers.get("accept-encoding", ""):
            out.append((b"content-encoding", b"gzip"))
        else:
            import gzip

            data = gzip.decompress(data)
        out += [(b"content-type", MVT_TYPE.encode()), (b"content-length", str(len(data)).encode()), *security]
        return 200, out, data

    async def render(self, layer, z, x, y) -> bytes:
        """The MVT bytes (b"" when empty): layers/tiles.py's statements, on a pooled connection."""
        aggregates = False
        if uses_aggregates(layer, z):
            version = layer.version()[:300]
            aggregates = await self.remembered(selectors.aggregates_key(layer, DATABASE), AGGREGATES_SQL,
                                               [layer.name, version], lambda row: row is not None)
        cap = first_cap(layer)
        while True:
            sql, params = await self.statement(layer, z, x, y, cap, aggregates)
            data = tile_bytes(await self.query(sql, params))
            cap = next_cap(layer, z, x, y, data, cap)
            if cap is None:
                return data


def tiles_first(app):
    """`app` (the whole ASGI application: it also takes the lifespan scope) with the light tile path in front
    (TILES_LIGHT_PATH=0: `app` unchanged)."""
    if not getattr(settings, "TILES_LIGHT_PATH", True):
        return app
    try:
        import psycopg_pool  # noqa: F401
    except ImportError:  # a virtualenv set up before psycopg 3 joined pyproject.toml: bin/setup installs it
        log.warning("psycopg_pool is not installed: tiles go through Django (run bin/setup)")
        return app
    return TilesFirst(app)
