"""Where the milliseconds of one tile request go: the full Django stack against the light tile path.

    .venv/bin/python -m bench.tileprofile [--quick] [--requests N]

In one process (no network, no client), on the benchmark database that `bin/bench` seeds: the same
z16 tiles (uncached: tile cache off) and the same cached tiles, requested N times through
`WSGIHandler` (every middleware, the URL resolver) and through `layers.light.TileHandler`. Prints the
mean time a request and, from cProfile, the time a request spends in each part.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PARTS = {  # (file suffix, function name) → part
    ("django/urls/resolvers.py", "resolve"): "URL resolver",
    ("django/contrib/sessions/middleware.py", "process_response"): "session middleware",
    ("django/middleware/locale.py", "process_request"): "locale middleware",
    ("django/middleware/locale.py", "process_response"): "locale middleware",
    ("django/middleware/csrf.py", "process_view"): "CSRF middleware",
    ("django/middleware/common.py", "process_request"): "common middleware",
    ("django/middleware/common.py", "process_response"): "common middleware",
    ("django/core/handlers/wsgi.py", "__call__"): "whole request (profiled)",
    ("django/contrib/messages/middleware.py", "process_response"): "messages middleware",
    ("layers/access.py", "layer_for_viewer"): "layer lookup + permission",
    ("layers/selectors.py", "layer_tile_version"): "version check (?v=)",
    ("layers/selectors.py", "aggregates_ready"): "aggregates check",
    ("layers/tiles.py", "tile_sql"): "statement (compiled once)",
    ("layers/tiles.py", "_fetch_tile"): "SQL round trip (ST_AsMVT)",
    ("gzip.py", "compress"): "gzip",
    ("layers/cache.py", "get"): "tile cache read",
    ("layers/tile_views.py", "tile"): "tile view (all of it)",
}


def environ_for(path: str) -> dict:
    from django.test import RequestFactory

    return RequestFactory().get(path, HTTP_HOST="127.0.0.1", HTTP_ACCEPT_ENCODING="gzip",
                                HTTP_ACCEPT_LANGUAGE="ko").environ


def run(app, paths, n):
    statuses = set()

    def start_response(status, headers, exc_info=None):
        statuses.add(status)

    for i in range(n):
        body = app(environ_for(paths[i % len(paths)]), start_response)
        b"".join(body)
        body.close()
    if not statuses <= {"200 OK", "204 No Content"}:
        raise RuntimeError(f"unexpected answers: {statuses}")


def measure(app, paths, n) -> tuple[float, dict]:
    run(app, paths, min(n, 50))  # warm
    started = time.perf_counter()
    run(app, paths, n)
    per_request = (time.perf_counter() - started) / n * 1000
    profile = cProfile.Profile()
    profile.enable()
    run(app, paths, n)
    profile.disable()
    stats = pstats.Stats(profile).stats
    parts = {}
    for (filename, _, name), (_, _, _, cumulative, _) in stats.items():
        for (suffix, function), part in PARTS.items():
            if filename.endswith(suffix) and name == function:
                parts[part] = parts.get(part, 0.0) + cumulative / n * 1000
    if "whole request (profiled)" in parts and "tile view (all of it)" in parts:
        parts["outside the tile view (handler, middleware, routing)"] = (
            parts["whole request (profiled)"] - parts["tile view (all of it)"])
    return per_request, parts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench.tilebench import base_url, with_database

    database = "geoplatform_bench_quick" if args.quick else "geoplatform_bench"
    os.environ.update({"DATABASE_URL": with_database(base_url(), database), "DJANGO_SETTINGS_MODULE": "bench.settings",
                       "CONN_MAX_AGE": "600", "TILES_CACHE_DIR": str(ROOT / "var" / "bench" / "profile-cache")})
    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    from bench.tilebench import BBOX
    from layers.light import TileHandler
    from layers.registry import registry
    from layers.selectors import layer_tile_version
    from layers.tilegrid import tile_range

    import random

    rng = random.Random(7)
    lines = [f"Per request, mean of {args.requests} (ms); parts from cProfile (its own overhead included, so "
             "parts add up to more than the plain time).", ""]
    for layer in ("benchpoints", "benchpolygons"):
        version = layer_tile_version(registry.get(layer))
        x0, y0, x1, y1 = tile_range(BBOX, 16, margin=0.0)
        paths = [f"/tiles/{layer}/16/{rng.randint(x0, x1)}/{rng.randint(y0, y1)}.mvt?v={version}" for _ in range(50)]
        for cache in ("none", "filesystem"):
            settings.TILES_CACHE_BACKEND = cache
            results = {}
            for name, app in (("full Django stack", WSGIHandler()), ("light tile path", TileHandler())):
                results[name] = measure(app, paths, args.requests)
            lines.append(f"## {layer} z16, tile cache {'off (uncached)' if cache == 'none' else 'on (hits)'}")
            lines.append("")
            lines.append("| part | " + " | ".join(results) + " |")
            lines.append("| --- | " + " | ".join("---:" for _ in results) + " |")
            lines.append("| **whole request** | " + " | ".join(f"**{r[0]:.3f}**" for r in results.values()) + " |")
            for part in [*dict.fromkeys(PARTS.values()), "outside the tile view (handler, middleware, routing)"]:
                values = [r[1].get(part) for r in results.values()]
                if any(values):
                    lines.append(f"| {part} | " + " | ".join(f"{v:.3f}" if v else "–" for v in values) + " |")
            lines.append("")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
