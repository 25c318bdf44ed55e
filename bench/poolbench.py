"""Django's connection pool, before and after, side by side in one run (issue 14).

    .venv/bin/python -m bench.poolbench [--duration S] [--connections N] [--rounds R] [--json PATH]

Three copies of the application as `make run` / `make cluster` serve it (`uvicorn geoplatform.asgi:application`,
2 worker processes, `bench.settings`, tile cache off), on the same database (`geoplatform_bench_pool` in the
project's cluster: migrated, Seoul's districts and dongs, and a public map of 20,000 points around City Hall):

- **off**: `DATABASE_POOL=0`, Django's persistent connections (CONN_MAX_AGE 60) as before the pool: under ASGI
  each request runs in a new thread, so it opens a new PostgreSQL connection (which then stays open, idle, until
  that thread's objects are collected: tests/core/test_connection_pool.py counted 27 after 40 requests);
- **pool**: `DATABASE_POOL=1` (settings DATABASE_POOL_*: 2–8 connections per process, handed from request to
  request), the light tile path for every layer;
- **django tiles**: the pool, `TILES_LIGHT_PATH=0`: the map's tiles through Django's request cycle, as every
  family layer's tiles went before this session.

Each API path is loaded with wrk (N connections, S seconds) against off, then pool, then off and pool again
(R rounds; the table gives the mean of the rounds and each round's ratio), so drifting load hits both alike; the
map's tiles (z14, z16) against django tiles and pool the same way. PostgreSQL's own count of sessions opened
(`pg_stat_database.sessions`) is read before and after each cell: connections opened per request.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.tilebench import (ROOT, VAR, Measure, Server, base_url, ensure_database, libpq_url, log, machine,
                             run_wrk, with_database)

DATABASE = "geoplatform_bench_pool"
PATHS = {
    # one DRF detail: one query (the district) and its serialisation
    "district": ["/api/districts/{code}/"],
    # where a place is: dong, district, nearest station, the offices a report goes to (a few spatial queries)
    "place": ["/api/districts/where/?lon={lon}&lat={lat}"],
    # the health check: the primary's PostGIS version (one query, no DRF)
    "healthz": ["/healthz"],
}
# A public map's tiles (a layer family: the map is resolved and its permission checked per request), uncached,
# through Django (TILES_LIGHT_PATH=0, as every family tile went before) and through the light tile path; both
# servers with the pool.
MAP_TILES = ("map z14", "map z16")
MAP_FEATURES = 20_000
SERVERS = {"off": {"DATABASE_POOL": "0"}, "pool": {"DATABASE_POOL": "1"},
           "django tiles": {"DATABASE_POOL": "1", "TILES_LIGHT_PATH": "0"}}
PLACES = [(126.9779, 37.5663), (127.0276, 37.4979), (126.9770, 37.5796), (126.9240, 37.5567), (127.0590, 37.5145)]


@dataclass
class Settings:
    connections: int
    duration: int


def prepare(database: str) -> tuple[str, list[str]]:
    """The database (migrated, Seoul's areas and open data) and the district codes."""
    import subprocess

    cluster = base_url()
    ensure_database(cluster, database)
    url = with_database(cluster, database)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_POOL": "0"}
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "manage.py", "migrate", "-v", "0"], check=True,
                   cwd=ROOT, env=env)
    import psycopg2

    db = psycopg2.connect(libpq_url(url))
    with db.cursor() as cur:
        cur.execute("SELECT code FROM districts_district ORDER BY code")
        codes = [row[0] for row in cur.fetchall()]
    db.close()
    if not codes:
        log("loading Seoul's districts and dongs")
        subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "manage.py", "load_seoul"], check=True, cwd=ROOT,
                       env=env, stdout=subprocess.DEVNULL)
        return prepare(database)
    return url, codes


def bench_map() -> str:
    """The layer name of a public map of MAP_FEATURES points around City Hall (made once, reproducibly)."""
    import random

    from django.contrib.auth import get_user_model
    from django.contrib.gis.geos import Point

    from maps.models import Feature, Map
    from maps.services import map_create

    owner, _ = get_user_model().objects.get_or_create(username="bench-map-owner")
    found = Map.objects.filter(owner=owner, title="bench map").first()
    if found is None or found.features.count() != MAP_FEATURES:
        Map.objects.filter(owner=owner).delete()
        found = map_create(owner=owner, title="bench map")
        rng = random.Random(14)
        Feature.objects.bulk_create(
            [Feature(map=found, author=owner, name=f"place {i}", category="",
                     geom=Point(126.9779 + rng.gauss(0, 0.02), 37.5663 + rng.gauss(0, 0.015), srid=4326))
             for i in range(MAP_FEATURES)], batch_size=2000)
        log(f"made {found.layer_name} with {MAP_FEATURES:,} features")
    return found.layer_name


def map_tile_paths(layer: str, z: int, n: int = 30) -> list[str]:
    import random

    from layers.tilegrid import lonlat_to_tile_fraction

    rng = random.Random(z)
    tiles = []
    for _ in range(n):
        fx, fy = lonlat_to_tile_fraction(126.9779 + rng.uniform(-0.03, 0.03), 37.5663 + rng.uniform(-0.02, 0.02), z)
        tiles.append(f"/tiles/{layer}/{z}/{int(fx)}/{int(fy)}.mvt")
    return tiles


def sessions(url: str, database: str) -> int:
    """Connections PostgreSQL has accepted for the database so far."""
    import psycopg2

    db = psycopg2.connect(libpq_url(url))
    db.autocommit = True
    with db.cursor() as cur:
        cur.execute("SELECT pg_stat_clear_snapshot()")
        cur.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s", [database])
        found = cur.fetchone()[0]
    db.close()
    return int(found) - 1  # this one


def server(url: str, label: str, workers: int) -> Server:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings", "TILES_CACHE_BACKEND": "none",
           **SERVERS[label]}
    cmd = [str(ROOT / ".venv" / "bin" / "uvicorn"), "geoplatform.asgi:application", "--host", "127.0.0.1",
           "--port", "{port}", "--workers", str(workers), "--lifespan", "off", "--no-access-log",
           "--log-level", "warning", "--backlog", "2048", "--timeout-keep-alive", "30"]
    return Server(cmd, env, "/healthz", f"uvicorn-{label.replace(' ', '-')}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per cell (default 10)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections of wrk (default 8)")
    parser.add_argument("--rounds", type=int, default=2, help="off/pool alternations per path (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes per server (default 2)")
    parser.add_argument("--paths", default=",".join(PATHS), help=f"of {', '.join(PATHS)}")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--json", dest="json_path", default=None, help="write the results as JSON here")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    VAR.mkdir(parents=True, exist_ok=True)
    url, codes = prepare(args.database)
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_POOL": "0"})
    import django

    django.setup()  # machine() asks PostgreSQL its version; the map is made through the ORM
    layer = bench_map()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    loads = [os.getloadavg()]
    config = Settings(connections=args.connections, duration=args.duration)
    servers = {label: server(url, label, args.workers) for label in SERVERS}
    results: dict[str, dict[str, list[tuple[Measure, float]]]] = {}
    try:
        for name in [*args.paths.split(","), *MAP_TILES]:
            if name in MAP_TILES:
                paths, sides = map_tile_paths(layer, int(name[-2:])), ("django tiles", "pool")
            else:
                paths = [template.format(code=code, lon=lon, lat=lat) for template in PATHS[name]
                         for code, (lon, lat) in zip(codes, PLACES * (len(codes) // len(PLACES) + 1))]
                sides = ("off", "pool")
            for label in sides:  # warm both (imports, first connections, the pool's minimum)
                run_wrk(servers[label].base, paths, Settings(connections=args.connections, duration=3), VAR,
                        f"pool-warm-{name}")  # at full concurrency: the pool has grown to what the cell needs
            results[name] = {label: [] for label in sides}
            for _ in range(args.rounds):
                for label in sides:
                    target = servers[label]
                    before = sessions(url, args.database)
                    measure = run_wrk(target.base, paths, config, VAR, f"pool-{name}-{label}")
                    opened = sessions(url, args.database) - before - 1  # the `before` connection itself
                    requests = measure.tiles_per_s * args.duration
                    results[name][label].append((measure, max(0, opened) / requests if requests else 0.0))
                    log(f"{name} {label}: {measure.tiles_per_s:,.0f} req/s, p95 {measure.p95:.1f} ms, "
                        f"{opened:,} connections opened, {measure.errors} errors")
            loads.append(os.getloadavg())
    finally:
        for target in servers.values():
            target.stop()
    report = render(results, started=started, loads=loads, config=config, workers=args.workers)
    print(report)
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(as_json(results, started=started, loads=loads), indent=2) + "\n")
    return 0


def _mean(values):
    return statistics.fmean(values) if values else 0.0


def render(results, *, started, loads, config, workers) -> str:
    lines = [f"# Django's connection pool, {started}", "",
             f"Machine: {machine()}; load average (1/5/15 min) at the start and after each path: "
             + "; ".join(" ".join(f"{v:.2f}" for v in load) for load in loads), "",
             f"uvicorn geoplatform.asgi:application, {workers} workers each, bench.settings; wrk {config.connections} "
             f"connections, {config.duration} s per cell; off = DATABASE_POOL=0 (CONN_MAX_AGE 60), pool = "
             "DATABASE_POOL=1 (2–8 connections per process), django tiles = the pool, TILES_LIGHT_PATH=0 (a public "
             f"map's tiles through Django's request cycle, as every family tile went before; the map: {MAP_FEATURES:,} "
             "points around City Hall, 30 tiles a zoom, tile cache off). Means of the rounds; latencies in ms.", "",
             "| path | server | requests/s | p50 | p95 | p99 | errors | connections opened per request |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    ratios = []
    for name, sides in results.items():
        before, after = sides
        for label, cells in sides.items():
            measures = [m for m, _ in cells]
            lines.append(f"| {name} | {label} | {_mean([m.tiles_per_s for m in measures]):,.0f} | "
                         f"{_mean([m.p50 for m in measures]):.1f} | {_mean([m.p95 for m in measures]):.1f} | "
                         f"{_mean([m.p99 for m in measures]):.1f} | {sum(m.errors for m in measures)} | "
                         f"{_mean([c for _, c in cells]):.3f} |")
        per_round = [p.tiles_per_s / o.tiles_per_s for (o, _), (p, _) in zip(sides[before], sides[after])
                     if o.tiles_per_s]
        p95 = [p.p95 / o.p95 for (o, _), (p, _) in zip(sides[before], sides[after]) if o.p95]
        ratios.append(f"- {name}: {after} ÷ {before} requests/s {' / '.join(f'{r:.2f}' for r in per_round)} (rounds), "
                      f"p95 {after} ÷ {before} {' / '.join(f'{r:.2f}' for r in p95)}")
    return "\n".join(lines + ["", "Ratios:", ""] + ratios)


def as_json(results, *, started, loads) -> dict:
    return {"machine": machine(), "started": started, "loads": loads,
            "paths": {name: {label: [{"rps": m.tiles_per_s, "p50_ms": m.p50, "p95_ms": m.p95, "p99_ms": m.p99,
                                      "errors": m.errors, "connections_per_request": c} for m, c in cells]
                             for label, cells in sides.items()} for name, sides in results.items()}}


if __name__ == "__main__":
    sys.exit(main())
