"""Django's connection pool, before and after, side by side in one run (issue 14).

    .venv/bin/python -m bench.poolbench [--duration S] [--connections N] [--rounds R] [--json PATH]

Two copies of the application as `make run` / `make cluster` serve it (`uvicorn geoplatform.asgi:application`,
2 worker processes, `bench.settings`), on the same database (`geoplatform_bench_pool` in the project's cluster:
migrated, Seoul's districts and dongs, the open datasets):

- **off**: `DATABASE_POOL=0`, Django's persistent connections (CONN_MAX_AGE 60) as before the pool: under ASGI
  each request runs in a new thread, so it opens a new PostgreSQL connection and closes it at its end;
- **pool**: `DATABASE_POOL=1` (settings DATABASE_POOL_*: 2–8 connections per process, handed from request to
  request).

Each API path is loaded with wrk (N connections, S seconds) against off, then pool, then off and pool again
(R rounds; the table gives the mean of the rounds and each round's ratio), so drifting load hits both alike.
PostgreSQL's own count of sessions opened (`pg_stat_database.sessions`) is read before and after each cell:
connections opened per request.
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


def server(url: str, pool: bool, workers: int) -> Server:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings",
           "DATABASE_POOL": "1" if pool else "0", "TILES_CACHE_BACKEND": "none"}
    cmd = [str(ROOT / ".venv" / "bin" / "uvicorn"), "geoplatform.asgi:application", "--host", "127.0.0.1",
           "--port", "{port}", "--workers", str(workers), "--lifespan", "off", "--no-access-log",
           "--log-level", "warning", "--backlog", "2048", "--timeout-keep-alive", "30"]
    return Server(cmd, env, "/healthz", f"uvicorn-pool-{'on' if pool else 'off'}")


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

    django.setup()  # machine() asks PostgreSQL its version
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    loads = [os.getloadavg()]
    config = Settings(connections=args.connections, duration=args.duration)
    servers = {"off": server(url, False, args.workers), "pool": server(url, True, args.workers)}
    results: dict[str, dict[str, list[tuple[Measure, float]]]] = {}
    try:
        for name in args.paths.split(","):
            paths = [template.format(code=code, lon=lon, lat=lat) for template in PATHS[name]
                     for code, (lon, lat) in zip(codes, PLACES * (len(codes) // len(PLACES) + 1))]
            for target in servers.values():  # warm both (imports, first connections, the pool's minimum)
                run_wrk(target.base, paths, Settings(connections=2, duration=2), VAR, f"pool-warm-{name}")
            results[name] = {"off": [], "pool": []}
            for _ in range(args.rounds):
                for label, target in servers.items():
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
             "DATABASE_POOL=1 (2–8 connections per process). Means of the rounds; latencies in ms.", "",
             "| path | server | requests/s | p50 | p95 | p99 | errors | connections opened per request |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    ratios = []
    for name, sides in results.items():
        for label, cells in sides.items():
            measures = [m for m, _ in cells]
            lines.append(f"| {name} | {label} | {_mean([m.tiles_per_s for m in measures]):,.0f} | "
                         f"{_mean([m.p50 for m in measures]):.1f} | {_mean([m.p95 for m in measures]):.1f} | "
                         f"{_mean([m.p99 for m in measures]):.1f} | {sum(m.errors for m in measures)} | "
                         f"{_mean([c for _, c in cells]):.3f} |")
        per_round = [p.tiles_per_s / o.tiles_per_s for (o, _), (p, _) in zip(sides["off"], sides["pool"])
                     if o.tiles_per_s]
        p95 = [p.p95 / o.p95 for (o, _), (p, _) in zip(sides["off"], sides["pool"]) if o.p95]
        ratios.append(f"- {name}: pool ÷ off requests/s {' / '.join(f'{r:.2f}' for r in per_round)} (rounds), "
                      f"p95 pool ÷ off {' / '.join(f'{r:.2f}' for r in p95)}")
    return "\n".join(lines + ["", "Ratios:", ""] + ratios)


def as_json(results, *, started, loads) -> dict:
    return {"machine": machine(), "started": started, "loads": loads,
            "paths": {name: {label: [{"rps": m.tiles_per_s, "p50_ms": m.p50, "p95_ms": m.p95, "p99_ms": m.p99,
                                      "errors": m.errors, "connections_per_request": c} for m, c in cells]
                             for label, cells in sides.items()} for name, sides in results.items()}}


if __name__ == "__main__":
    sys.exit(main())
