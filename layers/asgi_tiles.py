"""The light tile path of the ASGI application: `/tiles/<layer>/<z>/<x>/<y>.<mvt|pbf|png>` of every layer of the
registry, answered without Django's request cycle (no handler, middleware chain, URL resolver).

Mounted by geoplatform/asgi.py in front of Django (`make run`, `make cluster`, `bin/bench`). Two ways through:

- **public fixed layers**, on the event loop alone: a *fixed* layer of the registry (`registry.fixed`) that is
  `public`, a vector layer, `static_queryset` (its SQL depends on nothing but the layer), with no
  `can_view_rule` and no `version_factory` (both may read the database), asked without `?key=`: nothing
  about the viewer can change its tile, so no session, user or Django query is looked at;
- **every other layer** (families such as `map-12`, `dataset-…`, `indicator-…`, `analysis-…`; private and
  viewer-dependent layers; secret links; PNG tiles): Django's own code decides in a worker thread, exactly as
  the Django path does — the session and user of SessionMiddleware and AuthenticationMiddleware (or an API
  token), `layers.access.layer_visible` (the resolver and `can_view`: a private map for its owner,
  collaborators or its secret link only), the layer's queryset for that viewer (hidden features, pending
  suggestions, k-suppressed analysis cells), its permission key in the tile cache, `tile_views.tile_headers`
  — and the tile is drawn there too, by the Django view's own `render_tile`, on the thread's connection from
  Django's pool (settings DATABASE_POOL). What this saves against the Django path is its request cycle (the
  handler, thirteen middleware, the URL resolver); the per-request work of a family layer (resolving its object,
  the permission check, compiling the viewer's statement) stays, so families gain less than public layers
  (bench/RESULTS.md, "Django's connection pool": map tiles).

Whatever is not a plain answer falls through to the full Django application, which answers exactly as before:
a layer that does not exist or that the viewer may not see (the same 404 for both), a zoom below the layer's
minimum, a session that had to change, HEAD, a bad tile address, a NUL in the query, a Host that
ALLOWED_HOSTS refuses or an HTTPS redirect due (the 400s in the reader's language), and any error of the
database (the 503 with Retry-After when none answers). So the light path can only ever give an answer the
Django path gives; tests/layers/test_asgi_tiles.py compares them, an attacker's requests included.

What it shares with the Django path (layers/tile_views.py): the registry, the exact statement of
layers/tiles.py (`tile_sql`, `first_cap`, `next_cap`: one source of truth for the SQL), the tile cache and
its variants (layers/cache.py), the versioned-URL rule (`public_cache_control`, the counter memo of
layers/selectors.py), ETag, gzip and headers. So a tile's bytes and headers are those of the Django path
(tests/layers/test_asgi_tiles.py compares them).

The database: psycopg 3 through one psycopg_pool.AsyncConnectionPool per process and event loop, on the
primary (`DATABASES["default"]`; fresher than a replica, so read-your-writes holds), autocommit (one round
trip a tile), `max_parallel_workers_per_gather = 0` as a connection option (as the Django path sets it per
statement), each tile statement executed as a prepared statement (parsed once per connection; not the clusters
read from TileCluster rows, whose generic plan is slower: `_prepared`), its one value fetched in binary (no
hex encoding of the MVT bytes in PostgreSQL nor decoding here).
When a query fails or no connection comes within TILES_POOL_TIMEOUT seconds, the request and every tile
request of the next TILES_POOL_PAUSE seconds go to Django instead.
"""
from __future__ import annotations

import asyncio
import io
import logging
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import SynchronousOnlyOperation
from django.db import DatabaseError, connections
from django.http.request import split_domain_port, validate_host

from . import selectors
from .cache import cache_clock, tile_cache, tile_variant
from .light import TILE_PATH
from .registry import Layer, Viewer, registry
from .tile_views import (MVT_TYPE, _etag, etag_matches, plain_vector_tile, public_cache_control, render_tile,
                         stored_vector_tile, tile_headers)
from .tilegrid import tile_valid
from .tiles import clustered, first_cap, next_cap, tile_bytes, tile_sql, uses_aggregates

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
        # the request headers the light path reads (answer: host and proxy; _respond: revalidation and encoding)
        self.header_names = frozenset(name.encode("latin-1") for name in (
            "host", "x-forwarded-host", "if-none-match", "accept-encoding", *([self.proxy[0]] if proxy else [])))
        self.ssl_redirect = settings.SECURE_SSL_REDIRECT
        self.security = {secure: _security_headers(secure) for secure in (False, True)}
        self.memo = settings.TILES_VERSION_MEMO
        self.cache = tile_cache()
        # Redis: a network round trip, off the loop (a thread); the file system and "none" on the loop (the
        # profile of bench/RESULTS.md: two thread hops a tile were a quarter of an uncached tile's CPU)
        self.cache_blocks = getattr(self.cache, "blocking", True)
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


_QUERIES: dict[bytes, dict | None] = {}  # a query string's parameters (read only); None when it holds a NUL


def _query(raw: bytes) -> dict | None:
    """The parameters of a query string (the last value of a repeated name, as Django's request.GET.get), or None
    when one holds a NUL. Remembered: a map asks every tile with the same `?v=` (at most 1,024 strings of at most 256
    bytes, so the memo stays under 256 KB whatever a client sends)."""
    found = _QUERIES.get(raw, False)
    if found is False:
        pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
        found = None if any("\x00" in key or "\x00" in value for key, value in pairs) else dict(pairs)
        if len(_QUERIES) < 1024 and len(raw) <= 256:  # a `?v=…` is short: a hostile long one is not kept
            _QUERIES[raw] = found
    return found


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
            if match is not None and time.monotonic() >= self._paused_until:
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
                    conninfo, open=False, min_size=1, max_size=int(getattr(settings, "TILES_POOL_SIZE", 4)),
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

    async def query(self, sql: str, params: list, prepare: bool = True, binary: bool = False):
        from psycopg import Error as PsycopgError
        from psycopg_pool import PoolTimeout

        try:
            pool = await self.pool()
            async with pool.connection() as conn:
                cursor = await conn.execute(sql, params, prepare=prepare, binary=binary)
                return await cursor.fetchone()
        except (PsycopgError, PoolTimeout, OSError) as exc:
            self._pause(exc)
            raise Unavailable from exc

    def _pause(self, exc) -> None:
        pause = float(getattr(settings, "TILES_POOL_PAUSE", 1.0))
        self._paused_until = time.monotonic() + pause
        log.warning("light tile path: database unavailable (%s); tiles go through Django for %.0f s",
                    str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__, pause)

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
        if not tile_valid(z, x, y):
            return None
        query = _query(scope.get("query_string", b""))
        if query is None:
            return None  # Django's 400 (geoplatform.middleware.RefuseNulInQueryMiddleware)
        conf = config()
        headers = {}
        wanted = conf.header_names
        for name, value in scope.get("headers", ()):
            name = name.lower()
            if name in wanted:  # only the headers this path reads (a browser sends a dozen more)
                name, value = name.decode("latin-1"), value.decode("latin-1")
                headers[name] = f"{headers[name]},{value}" if name in headers else value
        secure = conf.secure(scope, headers)
        if not conf.allowed_host(headers) or (conf.ssl_redirect and not secure):
            return None
        layer = registry.fixed(match["layer"])
        if match["fmt"] != "png" and "key" not in query and servable(layer):
            if z < layer.minzoom:
                return None
            return await self.answer_public(layer, z, x, y, query, headers, conf, secure)
        return await self.answer_resolved(scope, match, z, x, y, query, headers, conf, secure)

    async def answer_public(self, layer, z, x, y, query, headers, conf, secure):
        """A tile of a provably public fixed layer: no thread, no Django query."""
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
        return _respond(out, data, headers, conf.security[secure], vary=[])

    # --- every other layer: resolved, permission-checked and compiled by Django's own code in a thread --------
    async def answer_resolved(self, scope, match, z, x, y, query, headers, conf, secure):
        """A tile of any other layer of the registry (families such as `map-12`, `dataset-…`, `analysis-…`,
        `indicator-…`; private and viewer-dependent layers; secret links; PNG tiles).

        Who asks and what they may see is decided exactly as on the Django path, by the same code: the request's
        session and user as SessionMiddleware and AuthenticationMiddleware give them (an `Authorization: Token`
        as layers.access reads it), `layers.access.layer_visible` (the layer's resolver and `can_view`), the
        layer's own queryset for this viewer (hidden features, moderation, k-suppression of analysis outputs),
        its permission key in the tile cache and `tile_views.tile_headers`. That runs in a worker thread (the
        ORM is synchronous), which also draws a missed tile (`tile_views.render_tile`). Whatever is not a plain answer — a layer
        the viewer may not see or that does not exist (Django's 404), a zoom below the layer's minimum, a
        session that had to change, any error — goes to Django, which answers as it always has.
        """
        fmt = match["fmt"]
        try:
            plan = await asyncio.to_thread(_resolve, scope, match["layer"], z, x, y, fmt, query.get("v"))
        except DatabaseError as exc:
            self._pause(exc)
            return None
        except Exception:  # noqa: BLE001 - Django answers, and logs its own error if it has one
            log.exception("light tile path: %s fell through to Django", scope.get("path"))
            return None
        if plan is None:
            return None
        data = plan.data
        out = [(name.lower().encode(), value.encode()) for name, value in plan.headers.items() if name != "Vary"]
        out.append((b"x-tile-cache", b"hit" if plan.hit else b"miss"))
        vary = [v.strip() for v in plan.headers.get("Vary", "").split(",") if v.strip()]
        return _respond(out, data, headers, conf.security[secure], vary=vary, png=fmt == "png",
                        session_read=plan.session_read)

    async def render(self, layer, z, x, y) -> bytes:
        """The MVT bytes (b"" when empty): layers/tiles.py's statements, on a pooled connection."""
        aggregates = False
        if uses_aggregates(layer, z):
            version = selectors.aggregates_version(layer)
            aggregates = await self.remembered(selectors.aggregates_key(layer, DATABASE), AGGREGATES_SQL,
                                               [layer.name, version], lambda row: row is not None)
        cap = first_cap(layer)
        prepare = _prepared(layer, z, aggregates)
        while True:
            sql, params = await self.statement(layer, z, x, y, cap, aggregates)
            data = tile_bytes(await self.query(sql, params, prepare=prepare, binary=True))
            cap = next_cap(layer, z, x, y, data, cap)
            if cap is None:
                return data


def _prepared(layer, z: int, aggregates: bool) -> bool:
    """Whether the tile statement runs as a prepared statement (parsed once per connection; after five runs
    PostgreSQL plans it once for every tile: its generic plan). Every statement but a mixed layer's clustered zooms
    (its TileCluster cells and TileShape lines in one statement, not measured). A point layer's clusters from its
    TileCluster rows are prepared since they read the `tilecluster_tile` index whatever the values (layers/tiles.py,
    `_cells_of_parent`): backend CPU a tile, prepared against planned with the tile's values each time, 0.06 against
    0.19 ms at z10 (bench.lightbench, 16:01 UTC); before that change z12's generic plan scanned the cells' x/y range
    index, 1.15 against 0.87 ms."""
    return not (aggregates and clustered(layer, z)) or layer.geometry_type == "point"


def _respond(out: list, data: bytes, headers: dict, security: list, *, vary: list, png: bool = False,
             session_read: bool = False):
    """The answer the Django view (layers.tile_views.tile) gives for these stored bytes, with what
    SessionMiddleware (Vary: Cookie once the session was read) and SecurityMiddleware add."""
    def with_vary(items, *more):
        names = list(items)
        for name in (*more, *(["Cookie"] if session_read else [])):
            if name.lower() not in (n.lower() for n in names):
                names.append(name)
        return [(b"vary", ", ".join(names).encode())] if names else []

    if not data:
        return 204, [*out, *with_vary(vary), (b"content-type", b"text/html; charset=utf-8"), *security], b""
    etag = _etag(data)
    out.append((b"etag", etag.encode()))
    if etag_matches(headers.get("if-none-match", ""), etag):
        return 304, [*out, *with_vary(vary), (b"content-type", b"text/html; charset=utf-8"), *security], b""
    if png:
        return 200, [*out, *with_vary(vary), (b"content-type", b"image/png"),
                     (b"content-length", str(len(data)).encode()), *security], data
    out += with_vary(vary, "Accept-Encoding") if vary or session_read else _VARY_ENCODING
    if "gzip" in headers.get("accept-encoding", ""):
        out.append((b"content-encoding", b"gzip"))
    else:
        data = plain_vector_tile(data)
    out += [(b"content-type", _MVT_TYPE), (b"content-length", str(len(data)).encode()), *security]
    return 200, out, data


_VARY_ENCODING = [(b"vary", b"Accept-Encoding")]
_MVT_TYPE = MVT_TYPE.encode()


@dataclass
class _Plan:
    """What the thread decided for one tile of a resolved layer."""

    layer: Layer
    viewer: Viewer
    headers: dict
    variant: str
    data: bytes | None = None  # the stored bytes: a cache hit, or drawn in the thread
    hit: bool = False
    session_read: bool = False


def _pass(request):  # the middlewares' get_response: never called (only their process_request runs)
    return None


def _resolve(scope, name: str, z: int, x: int, y: int, fmt: str, version: str | None) -> _Plan | None:
    """In a worker thread: the viewer, the layer they may see, and the tile's cached bytes or first statement."""
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.core.handlers.asgi import ASGIRequest

    from .access import layer_visible, request_viewer

    try:
        request = ASGIRequest(scope, io.BytesIO())
        SessionMiddleware(_pass).process_request(request)
        AuthenticationMiddleware(_pass).process_request(request)
        viewer = request_viewer(request)
        layer = layer_visible(name, viewer, kind="raster" if fmt == "png" else "vector")
        if layer is None or z < layer.minzoom:
            return None  # Django's 404 (the same for a layer that does not exist) or its 204
        plan = _Plan(layer=layer, viewer=viewer, headers=tile_headers(layer, version),
                     variant=tile_variant(version=layer.version(), permission=layer.permission_key(viewer),
                                          fmt="png" if fmt == "png" else "mvt"))
        cache = tile_cache()
        plan.data = cache.get(layer.name, z, x, y, plan.variant)
        plan.hit = plan.data is not None
        if plan.data is None:  # drawn here, on this thread's pooled connection: the Django view's own rendering
            started = cache_clock()
            plan.data = render_tile(layer, viewer, z, x, y, fmt, using=DATABASE)
            cache.set(layer.name, z, x, y, plan.variant, plan.data, started)
        session = request.session
        if session.modified:
            return None  # e.g. a session whose user changed their password: Django answers and clears it
        plan.session_read = session.accessed
        return plan
    finally:
        connections.close_all()  # this thread's connections back to Django's pool


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
