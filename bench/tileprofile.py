"""Where the milliseconds of one tile request go: Django's ASGI handler (the path tiles took before) against the
light tile path of layers/asgi_tiles.py (after).

    .venv/bin/python -m bench.tileprofile [--quick] [--requests N] [--out bench/PROFILE.md]

In one process, on one event loop (uvloop, as uvicorn runs it), no network and no client: the same tiles of the
benchmark database that `bin/bench` seeds, requested one after another N times through each application —
uncached (tile cache off) at z10, z14 and z16, and as cache hits at z16. Each part is wall-clock time measured
around the functions that do it (requests run one at a time, so the time of a part is the time it took);
"outside the parts" is the rest of the request: for Django its handler, middleware, URL resolver, the hop to
its thread and back, response building; for the light path the ASGI glue, path and header parsing, cache
headers and the send.
"""
from __future__ import annotations

import argparse
import asyncio
import functools
import inspect
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_totals: dict[str, float] = defaultdict(float)


def _timed(owner, name: str, part: str) -> None:
    """Replace owner.name by a wrapper adding its wall-clock time to _totals[part]."""
    original = getattr(owner, name)
    if inspect.iscoroutinefunction(original):
        @functools.wraps(original)
        async def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                _totals[part] += time.perf_counter() - started
    else:
        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                _totals[part] += time.perf_counter() - started
    setattr(owner, name, wrapper)


def instrument() -> list[str]:
    from layers import asgi_tiles, cache, tile_views, tiles

    parts = [
        (tile_views, "request_viewer", "viewer (session, token)"),
        (tile_views, "layer_for_viewer", "layer lookup + permission"),
        (tile_views, "layer_tile_version", "version of ?v= (memo or query)"),
        (asgi_tiles.TilesFirst, "remembered", "version of ?v= (memo or query)"),
        (cache.FilesystemTileCache, "get", "tile cache read"),
        (cache.NullTileCache, "get", "tile cache read"),
        (tiles, "aggregates_ready", "aggregates ready? (memo or query)"),
        (tiles, "tile_sql", "tile statement (compiled once, then looked up)"),
        (asgi_tiles.TilesFirst, "statement", "tile statement (compiled once, then looked up)"),
        (tiles, "_fetch_tile", "SQL round trip (ST_AsMVT)"),
        (asgi_tiles.TilesFirst, "query", "SQL round trip (ST_AsMVT)"),
        (tile_views, "stored_vector_tile", "gzip"),
        (asgi_tiles, "stored_vector_tile", "gzip"),
    ]
    for owner, name, part in parts:
        _timed(owner, name, part)
    return list(dict.fromkeys(part for _, _, part in parts))


def scope_for(path: str) -> dict:
    path, _, query = path.partition("?")
    return {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
            "headers": [(b"host", b"127.0.0.1"), (b"accept-encoding", b"gzip"), (b"accept-language", b"ko")],
            "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 5000), "root_path": "",
            "http_version": "1.1", "asgi": {"version": "3.0"}}


async def call(app, path: str) -> int:
    sent = []
    pending = [{"type": "http.request", "body": b"", "more_body": False}]
    done = asyncio.Event()

    async def receive():
        if pending:
            return pending.pop()
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    await app(scope_for(path), receive, send)
    return sent[0]["status"]


async def measure(app, paths: list[str], n: int) -> tuple[float, dict[str, float]]:
    for path in paths[: min(n, 50)]:  # warm: connections, compiled statements, prepared statements
        await call(app, path)
    _totals.clear()
    statuses = set()
    started = time.perf_counter()
    for i in range(n):
        statuses.add(await call(app, paths[i % len(paths)]))
    per_request = (time.perf_counter() - started) / n * 1000
    if not statuses <= {200, 204}:
        raise RuntimeError(f"unexpected answers: {statuses}")
    return per_request, {part: seconds / n * 1000 for part, seconds in _totals.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--out", default=None, help="also write the tables here (e.g. bench/PROFILE.md)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench.tilebench import BBOX, base_url, with_database

    database = "geoplatform_bench_quick" if args.quick else "geoplatform_bench"
    os.environ.update({"DATABASE_URL": with_database(base_url(), database), "DJANGO_SETTINGS_MODULE": "bench.settings",
                       "CONN_MAX_AGE": "600", "TILES_CACHE_DIR": str(ROOT / "var" / "bench" / "profile-cache")})
    import django

    django.setup()
    from django.conf import settings
    from django.core.asgi import get_asgi_application

    from layers import asgi_tiles
    from layers.asgi_tiles import TilesFirst
    from layers.cache import tile_cache
    from layers.registry import registry
    from layers.selectors import layer_tile_version
    from layers.tilegrid import tile_range

    part_names = instrument()
    django_app = get_asgi_application()
    light = TilesFirst(django_app)
    columns = {"before: Django's ASGI handler": django_app, "after: light path (layers/asgi_tiles.py)": light}
    rng = random.Random(7)
    started_at = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = os.getloadavg()[0]
    lines = []
    versions = {layer: layer_tile_version(registry.get(layer)) for layer in ("benchpoints", "benchpolygons")}

    async def run_all():
        for layer in ("benchpoints", "benchpolygons"):
            version = versions[layer]
            for z, cache in ((10, "none"), (14, "none"), (16, "none"), (16, "filesystem")):
                x0, y0, x1, y1 = tile_range(BBOX, z, margin=0.0)
                paths = [f"/tiles/{layer}/{z}/{rng.randint(x0, x1)}/{rng.randint(y0, y1)}.mvt?v={version}"
                         for _ in range(50)]
                settings.TILES_CACHE_BACKEND = cache
                asgi_tiles._config = None  # the light path takes its settings once per settings object
                tile_cache().clear()
                results = {}
                for name, app in columns.items():
                    n = args.requests if z >= 14 or layer == "benchpoints" else max(30, args.requests // 5)
                    results[name] = await measure(app, paths, n)
                served = light.served
                title = "uncached (tile cache off)" if cache == "none" else "cache hits"
                lines.extend([f"## {layer} z{z}, {title}", "", "| part (ms a request) | " + " | ".join(results) + " |",
                          "| --- | " + " | ".join("---:" for _ in results) + " |",
                              "| **whole request** | " + " | ".join(f"**{r[0]:.3f}**" for r in results.values()) + " |"])
                for part in part_names:
                    values = [r[1].get(part) for r in results.values()]
                    if any(values):
                        lines.append(f"| {part} | " + " | ".join(f"{v:.3f}" if v else "–" for v in values) + " |")
                outside = [r[0] - sum(r[1].values()) for r in results.values()]
                lines.extend(["| outside the parts (handler, middleware, routing / ASGI glue, headers) | "
                              + " | ".join(f"{v:.3f}" for v in outside) + " |", ""])
                assert served > 0, "the light path served nothing"
        await light.close()

    try:
        import uvloop

        uvloop.run(run_all())
    except ImportError:
        asyncio.run(run_all())
    header = [f"Run {started_at}: `.venv/bin/python -m bench.tileprofile --requests {args.requests}` on the "
              f"{'quick' if args.quick else '1,000,000-point'} benchmark database; load average (1 min) "
              f"{load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.", "",
              "Mean wall-clock ms a request, one request at a time (no concurrency); each part is measured around "
              "the function that does it.", ""]
    text = "\n".join(header + lines)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
