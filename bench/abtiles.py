"""A change of the tile code, before and after, side by side in one run (issue 14).

    .venv/bin/python -m bench.abtiles [--before REF] [--quick] [--layers benchpolygons,benchpoints]
                                      [--zooms 10,12,14] [--duration S] [--rounds R] [--json PATH]

`before` is the code of a git ref (default `main`), exported with `git archive` into var/bench/ab/<commit>/ and run
with this worktree's virtualenv; `after` is this worktree. Each has a database of its own in the project's cluster,
migrated and seeded by its own code (the same reproducible rows: `bench.tilebench.seed`) with its own
pre-aggregated low zooms: `geoplatform_bench_ab_before` and the tile benchmark's `geoplatform_bench`
(`_quick` for --quick, 100,000 points and 5,000 polygons).

Per layer and zoom (the tile benchmark's seeded tile lists), alternating before and after, R rounds:
  raw   the exact statement each version's endpoint runs for each tile (its `layers.tiles.tile_sql`) through pgbench;
  ours  GET /tiles/… from each version's ASGI app under uvicorn (2 workers, tile cache off), through wrk;
with the CPU a tile over each cell (PostgreSQL's for raw and ours, the server's for ours; ours ÷ raw within each
version, measured back to back, is steadier on a shared machine than either version's tiles/s), and what one tile reads: the rows the table scans of EXPLAIN ANALYZE
return or filter out for the City Hall tile.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from bench.tilebench import (ROOT, VAR, Config, CpuMeter, Server, autogroup_nice, base_url, ensure_database, libpq_url,
                             log, postmaster_pid, run_wrk, with_database)

PYTHON = ROOT / ".venv" / "bin" / "python"

# Run inside each version's directory (its own bench.tilebench and layers code): migrate, seed, build the
# aggregates; then print, per tile, the statement that version runs (JSON), and the rows its City Hall tile reads.
PREPARE = r"""
import json, os, subprocess, sys
from bench import tilebench as t
config = t.parse_args(sys.argv[1].split())
url = os.environ["DATABASE_URL"]
subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], check=True)
t.seed(url, config)
import django
django.setup()
t.build_aggregates(config)
from django.db import connection
from layers.registry import Viewer, registry
from layers.selectors import aggregates_ready
from layers.tiles import tile_sql
out = {}
for layer_name in config.layers:
    layer = registry.get(layer_name)
    ready = aggregates_ready(layer)
    for label, tiles in t.tile_lists(config):
        statements = []
        with connection.cursor() as cursor:
            for z, x, y in tiles:
                sql, params = tile_sql(layer, Viewer.anonymous(), z, x, y, aggregates=ready)
                text = cursor.mogrify(sql, params)
                statements.append(text.decode() if isinstance(text, bytes) else text)
            cursor.execute("SET max_parallel_workers_per_gather = 0")
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statements[0])
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
        rows = []

        def walk(node):  # rows the table scans produced or filtered out (a bitmap's entries: its heap scan)
            if "Scan" in node["Node Type"] and node["Node Type"] != "Bitmap Index Scan" and "Relation Name" in node:
                rows.append((node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
                             + node.get("Rows Removed by Index Recheck", 0)) * node.get("Actual Loops", 1))
            for child in node.get("Plans", []):
                walk(child)

        walk(plan[0]["Plan"])
        out[f"{layer_name} {label}"] = {"statements": statements, "rows_read": sum(rows),
                                        "ms": plan[0]["Execution Time"]}
print("ABJSON " + json.dumps(out))
"""


def export(ref: str) -> Path:
    """The code of `ref` in var/bench/ab/<commit>/ (exported once)."""
    commit = subprocess.run(["git", "rev-parse", ref], cwd=ROOT, check=True, capture_output=True,
                            text=True).stdout.strip()
    target = VAR / "ab" / commit[:12]
    if not (target / "manage.py").exists():
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True).stdout
        with tempfile.TemporaryFile() as handle:
            handle.write(archive)
            handle.seek(0)
            tarfile.open(fileobj=handle).extractall(target)
    return target


def prepare(code: Path, cluster: str, database: str, args: str) -> dict:
    ensure_database(cluster, database)
    env = {**os.environ, "DATABASE_URL": with_database(cluster, database), "DJANGO_SETTINGS_MODULE": "bench.settings",
           "BENCH_CLUSTER": cluster, "BENCH_DATABASE": database, "PYTHONPATH": str(code),
           "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run([PYTHON, "-c", PREPARE, args], cwd=code, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"preparing {code} failed: {out.stderr[-3000:]}")
    line = next(line for line in out.stdout.splitlines() if line.startswith("ABJSON "))
    return json.loads(line[len("ABJSON "):])


def app(code: Path, url: str, workers: int, name: str) -> Server:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(code),
           "TILES_CACHE_BACKEND": "none", "CONN_MAX_AGE": "600", "PYTHONDONTWRITEBYTECODE": "1"}
    cmd = [str(ROOT / ".venv" / "bin" / "uvicorn"), "geoplatform.asgi:application", "--app-dir", str(code),
           "--host", "127.0.0.1", "--port", "{port}", "--workers", str(workers), "--lifespan", "off",
           "--no-access-log", "--log-level", "warning", "--backlog", "2048", "--timeout-keep-alive", "30"]
    return Server(cmd, env, "/tiles/benchpoints.json", name)


def pgbench_statements(statements: list[str], url: str, config: Config, workdir: Path, name: str):
    """pgbench over given statement texts (run_pgbench compiles them itself; here each version's own are used)."""
    from urllib.parse import urlparse

    scripts = workdir / name
    shutil.rmtree(scripts, ignore_errors=True)
    scripts.mkdir(parents=True)
    args = []
    for i, text in enumerate(statements[:120]):
        path = scripts / f"tile{i}.sql"
        path.write_text(text.replace("\n", " ") + ";\n")
        args += ["-f", f"{path}@1"]
    parts = urlparse(libpq_url(url))
    env = {**os.environ, "PGPASSWORD": parts.password or "", "PGOPTIONS": "-c max_parallel_workers_per_gather=0"}
    cmd = ["pgbench", "-n", "-h", parts.hostname, "-p", str(parts.port), "-U", parts.username,
           "-c", str(config.connections), "-j", "2", "-T", str(config.duration), "-l", "--log-prefix",
           str(scripts / "log"), *args, parts.path.lstrip("/")]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=scripts)
    if out.returncode != 0:
        raise RuntimeError(f"pgbench failed: {out.stderr[-1000:]}")
    from bench.tilebench import Measure, _pct

    latencies = sorted(int(line.split()[2]) / 1000.0 for path in scripts.glob("log*")
                       for line in path.read_text().splitlines() if len(line.split()) >= 3)
    tps = next((float(line.split("=")[1].split()[0]) for line in out.stdout.splitlines() if line.startswith("tps =")),
               0.0)
    return Measure(tiles_per_s=tps, p50=_pct(latencies, 50), p95=_pct(latencies, 95), p99=_pct(latencies, 99))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default="main")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--layers", default="benchpolygons,benchpoints")
    parser.add_argument("--zooms", default="10,12,14")
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args(argv)
    bench_args = " ".join(["--quick"] * args.quick + ["--layers", args.layers])
    from bench.tilebench import parse_args

    config = parse_args(bench_args.split())
    config.duration, config.connections = args.duration, args.connections
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    cluster = base_url()
    suffix = "_quick" if args.quick else ""
    versions = {"before": (export(args.before), f"geoplatform_bench_ab_before{suffix}"),
                "after": (ROOT, f"geoplatform_bench{suffix}")}
    prepared = {}
    for name, (code, database) in versions.items():
        log(f"{name}: preparing {database} with the code of {code}")
        prepared[name] = prepare(code, cluster, database, bench_args)
    labels = [f"z{z}" for z in args.zooms.split(",")]
    os.environ.update({"DATABASE_URL": with_database(cluster, versions["after"][1]),
                       "DJANGO_SETTINGS_MODULE": "bench.settings"})
    import django

    django.setup()
    postmaster = postmaster_pid()
    workdir = Path(tempfile.mkdtemp(prefix="geoplatform-ab-"))
    servers = {}
    results: dict[tuple, list] = {}
    loads = [os.getloadavg()[0]]
    try:
        for name, (code, database) in versions.items():
            servers[name] = app(code, with_database(cluster, database), args.workers, f"uvicorn-ab-{name}")
        from bench.tilebench import tile_lists

        lists = dict(tile_lists(config))
        for round_ in range(args.rounds):
            for layer in config.layers:
                for label in labels:
                    tiles = lists[label]
                    paths = [f"/tiles/{layer}/{z}/{x}/{y}.mvt" for z, x, y in tiles]
                    for name in (("before", "after") if round_ % 2 == 0 else ("after", "before")):
                        statements = prepared[name][f"{layer} {label}"]["statements"]
                        url = with_database(cluster, versions[name][1])
                        meter = CpuMeter(postmaster, [])
                        raw = meter.finish(pgbench_statements(statements, url, config, workdir, f"{name}-{layer}-{label}"),
                                           config.duration)
                        meter = CpuMeter(postmaster, [servers[name].process.pid])
                        ours = meter.finish(run_wrk(servers[name].base, paths, config, workdir, f"ab-{name}"),
                                            config.duration)
                        results.setdefault((layer, label, name), []).append((raw, ours))
                        log(f"round {round_ + 1} {layer} {label} {name}: raw {raw.tiles_per_s:,.0f}/s "
                            f"p95 {raw.p95:.1f} ms; ours {ours.tiles_per_s:,.0f}/s p95 {ours.p95:.1f} ms")
                    loads.append(os.getloadavg()[0])
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    report = render(results, prepared, config, args, started, loads)
    print(report)
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(as_json(results, prepared, args, started, loads), indent=2) + "\n")
    return 0


def _mean(values):
    return sum(values) / len(values) if values else 0.0


def render(results, prepared, config, args, started, loads) -> str:
    lines = [f"# Tile code before ({args.before}) and after (this worktree), side by side", "",
             f"Run {started}: {config.points:,} points, {config.polygons:,} polygons; {args.rounds} rounds alternating "
             f"before and after; {config.connections} connections, {config.duration} s per cell; load average (1 min) "
             f"{', '.join(f'{v:.1f}' for v in loads)}; autogroup nice {autogroup_nice()}.", "",
             "| layer, zoom | rows the City Hall tile reads, before → after | raw tiles/s before → after (ratio) | "
             "raw p95 ms | ours tiles/s before → after (ratio) | ours p95 ms | ours ÷ raw (each version's own) | "
             "CPU ms a tile, raw: PostgreSQL | ours: PostgreSQL | ours: server |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for layer in config.layers:
        for label in sorted({k[1] for k in results if k[0] == layer}, key=lambda s: int(s[1:])):
            b, a = results[(layer, label, "before")], results[(layer, label, "after")]
            pb, pa = prepared["before"][f"{layer} {label}"], prepared["after"][f"{layer} {label}"]

            def stat(runs, i, field):
                return _mean([getattr(run[i], field) or 0 for run in runs])

            raw_b, raw_a = stat(b, 0, "tiles_per_s"), stat(a, 0, "tiles_per_s")
            ours_b, ours_a = stat(b, 1, "tiles_per_s"), stat(a, 1, "tiles_per_s")
            lines.append(
                f"| {layer} {label} | {pb['rows_read']:,} → {pa['rows_read']:,} | {raw_b:,.0f} → {raw_a:,.0f} "
                f"({raw_a / raw_b if raw_b else 0:.2f}) | {stat(b, 0, 'p95'):.1f} → {stat(a, 0, 'p95'):.1f} | "
                f"{ours_b:,.0f} → {ours_a:,.0f} ({ours_a / ours_b if ours_b else 0:.2f}) | "
                f"{stat(b, 1, 'p95'):.1f} → {stat(a, 1, 'p95'):.1f} | "
                f"{ours_b / raw_b if raw_b else 0:.2f} → {ours_a / raw_a if raw_a else 0:.2f} | "
                f"{stat(b, 0, 'cpu_pg_ms'):.2f} → {stat(a, 0, 'cpu_pg_ms'):.2f} | "
                f"{stat(b, 1, 'cpu_pg_ms'):.2f} → {stat(a, 1, 'cpu_pg_ms'):.2f} | "
                f"{stat(b, 1, 'cpu_server_ms'):.2f} → {stat(a, 1, 'cpu_server_ms'):.2f} |")
    return "\n".join(lines) + "\n"


def as_json(results, prepared, args, started, loads) -> dict:
    cells = []
    for (layer, label, name), runs in sorted(results.items()):
        cells.append({"layer": layer, "zoom": int(label[1:]), "version": name,
                      "rows_read": prepared[name][f"{layer} {label}"]["rows_read"],
                      "raw_tps": [round(r[0].tiles_per_s, 1) for r in runs], "raw_p95_ms": [round(r[0].p95, 1) for r in runs],
                      "ours_tps": [round(r[1].tiles_per_s, 1) for r in runs], "p95_ms": [round(r[1].p95, 1) for r in runs],
                      "pg_cpu_ms": [round(r[1].cpu_pg_ms or 0, 3) for r in runs],
                      "raw_pg_cpu_ms": [round(r[0].cpu_pg_ms or 0, 3) for r in runs],
                      "server_cpu_ms": [round(r[1].cpu_server_ms or 0, 3) for r in runs]})
    return {"started": started, "before": args.before, "loads": loads, "cells": cells}


if __name__ == "__main__":
    sys.exit(main())
