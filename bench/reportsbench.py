"""The `reports` layer at Seoul's size, before and after, side by side in one run (issue 14).

    .venv/bin/python -m bench.reportsbench [--before main] [--reports 1000000] [--zooms 10,12,14,16]
                                           [--tiles 40] [--duration 5] [--rounds 2] [--json PATH]

Data: one database of its own (`geoplatform_bench_reports`) in the project's cluster, migrated by this worktree,
with Seoul's districts (`load_seoul`), the demo's report categories and `--reports` synthetic reports inserted by
SQL (`SEED_SQL`, reproducible: setseed): clustered like a city (most around the subway stations of
data/seoul/, a Gaussian of 150–1,200 m each, a fifth spread evenly), only inside Seoul, each with its
ReportDistrict row (the district that holds it); 5 % in the sensitive category (`dark_alley`: drawn at the centre
of its 200 m cell, named by that cell's district), 0.5 % short lines, 0.5 % hidden by moderation, statuses spread as a
year's reports are. Then this worktree's pre-aggregated rows of the layer (`aggregates_rebuild`, timed).

`before` is the code of a git ref (default `main`, exported as bench.abtiles does); `after` is this worktree. Both
serve the same database (the schema is the same; `before` does not read the aggregated rows) from their own ASGI
app under uvicorn (2 workers, tile cache off, as `make run` serves it: the light tile path in front). Per zoom,
alternating before and after, R rounds: GET /tiles/reports/{z}/{x}/{y}.mvt through wrk (the seeded tile list of
bench.tilebench: City Hall and random tiles over Seoul's bounding box), uncached tiles/s and p95, with PostgreSQL's
and the server's CPU a tile; and the City Hall tile's statement of each version under EXPLAIN ANALYZE (rows read, ms).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.abtiles import app, export
from bench.tilebench import (ROOT, CpuMeter, autogroup_nice, base_url, ensure_database, libpq_url, log,
                             parse_args, postmaster_pid, run_wrk, tile_lists, with_database)

PYTHON = ROOT / ".venv" / "bin" / "python"
DATABASE = "geoplatform_bench_reports"
STATIONS = ROOT / "data" / "seoul" / "seoul_subway_stations.geojson"

SEED_SQL = """
SELECT setseed(0.1414);
DELETE FROM layers_tileaggregatestate WHERE layer = 'reports';
DELETE FROM layers_tilecluster WHERE layer = 'reports';
DELETE FROM layers_tileshape WHERE layer = 'reports';
TRUNCATE reports_reportdistrict, reports_reportevent, reports_reportphoto, reports_report RESTART IDENTITY CASCADE;
DROP INDEX IF EXISTS report_geom_gist;
DROP INDEX IF EXISTS report_public_geom_gist;
CREATE TEMP TABLE bench_centres AS
  SELECT row_number() OVER (ORDER BY s.id) AS n, s.geom FROM (
    SELECT DISTINCT ON (round(ST_X(p)::numeric, 4), round(ST_Y(p)::numeric, 4)) p AS geom, ST_AsText(p) AS id
    FROM (SELECT ST_GeomFromEWKT(w) AS p FROM unnest(%(stations)s::text[]) AS w) AS stations
    WHERE EXISTS (SELECT 1 FROM districts_district d WHERE ST_Intersects(d.geom, p))) AS s;
-- candidates: 4 in 5 around a station (Box-Muller Gaussian, sigma 150-1200 m), 1 in 5 evenly over the box
CREATE TEMP TABLE bench_candidates AS
  SELECT i, CASE WHEN u0 < 0.8 THEN ST_SetSRID(ST_MakePoint(
               ST_X(c.geom) + sigma * sqrt(-2 * ln(u1)) * cos(2 * pi() * u2) / 88000.0,
               ST_Y(c.geom) + sigma * sqrt(-2 * ln(u1)) * sin(2 * pi() * u2) / 111000.0), 4326)
           ELSE ST_SetSRID(ST_MakePoint(126.76 + u1 * 0.42, 37.42 + u2 * 0.28), 4326) END AS pt,
         kind, cat, st, hidden, day
  FROM (SELECT i, random() AS u0, greatest(random(), 1e-12) AS u1, random() AS u2,
               1 + floor(random() * (SELECT count(*) FROM bench_centres))::int AS centre,
               150 + 1050 * random() * random() AS sigma,
               CASE WHEN random() < 0.005 THEN 'line' ELSE 'point' END AS kind,
               random() AS cat, random() AS st, random() < 0.005 AS hidden, floor(random() * 365)::int AS day
        FROM generate_series(1, %(candidates)s) AS i) AS r
  JOIN bench_centres c ON c.n = r.centre;
CREATE TEMP TABLE bench_inside AS
  SELECT DISTINCT ON (c.i) c.*, d.id AS district_id
  FROM bench_candidates c JOIN districts_district d ON ST_Intersects(d.geom, c.pt)
  ORDER BY c.i, d.code;
INSERT INTO reports_report (category_id, geom, public_geom, description, description_public, public_district_id,
                            reporter_id, contact_preference, channel, status, duplicate_of_id, responsible_body,
                            is_hidden, token, created_at, created_on, updated_at, acknowledge_due, resolve_due,
                            acknowledged_at, closed_at)
SELECT cat.id, g.geom, g.geom, 'bench report ' || b.i, false, NULL, NULL, 'app', 'api',
       CASE WHEN b.st < 0.20 THEN 'submitted' WHEN b.st < 0.35 THEN 'acknowledged' WHEN b.st < 0.50 THEN 'in_progress'
            WHEN b.st < 0.90 THEN 'resolved' WHEN b.st < 0.95 THEN 'rejected' WHEN b.st < 0.98 THEN 'duplicate'
            ELSE 'not_our_responsibility' END,
       NULL, '', b.hidden, gen_random_uuid(),
       timestamptz '2026-01-01 09:00+09' + b.day * interval '1 day', date '2026-01-01' + b.day,
       timestamptz '2026-01-01 09:00+09' + b.day * interval '1 day',
       date '2026-01-01' + b.day + cat.acknowledge_days, date '2026-01-01' + b.day + cat.resolve_days, NULL, NULL
FROM (SELECT * FROM bench_inside ORDER BY i LIMIT %(reports)s) AS b
CROSS JOIN LATERAL (SELECT CASE WHEN b.kind = 'line' THEN ST_Transform(ST_MakeLine(p, ST_Translate(p,
                        20 + 60 * (b.cat * 1000 - floor(b.cat * 1000)), 10)), 4326) ELSE b.pt END AS geom
                    FROM ST_Transform(b.pt, 3857) AS p) AS g
JOIN reports_reportcategory cat ON cat.code = CASE WHEN b.cat < 0.05 THEN 'dark_alley'
     ELSE (ARRAY['road_damage', 'sidewalk_damage', 'illegal_parking', 'flooding', 'dangerous_crossing',
                 'illegal_dumping'])[1 + floor((b.cat - 0.05) / 0.95 * 6)::int] END
ORDER BY b.i;
-- sensitive categories: the centre of the 200 m cell of the national grid (EPSG:5179), as Report.coarsen()
UPDATE reports_report r SET public_geom = coarse.pt
FROM (SELECT s.id, ST_SetSRID(ST_MakePoint(round(ST_X(c)::numeric, 6), round(ST_Y(c)::numeric, 6)), 4326) AS pt
      FROM reports_report s JOIN reports_reportcategory cat ON cat.id = s.category_id AND cat.is_sensitive
      CROSS JOIN LATERAL ST_Transform(ST_PointOnSurface(s.geom), 5179) AS m
      CROSS JOIN LATERAL ST_Transform(ST_SetSRID(ST_MakePoint(floor(ST_X(m) / 200) * 200 + 100,
                                                              floor(ST_Y(m) / 200) * 200 + 100), 5179), 4326) AS c
     ) AS coarse
WHERE coarse.id = r.id;
UPDATE reports_report r SET public_district_id = (
    SELECT d.id FROM districts_district d ORDER BY d.geom <-> r.public_geom, d.code LIMIT 1)
FROM reports_reportcategory cat WHERE cat.id = r.category_id AND cat.is_sensitive;
INSERT INTO reports_reportdistrict (report_id, district_id, status, answer, acknowledged_at, closed_at, updated_at)
SELECT r.id, b.district_id, r.status, '', NULL, NULL, r.updated_at
FROM reports_report r JOIN bench_inside b ON r.description = 'bench report ' || b.i;
UPDATE reports_report r SET routed_districts_ko = d.name_ko, routed_districts_en = d.name_en
FROM reports_reportdistrict rd JOIN districts_district d ON d.id = rd.district_id WHERE rd.report_id = r.id;
CREATE INDEX report_geom_gist ON reports_report USING GIST (geom);
CREATE INDEX report_public_geom_gist ON reports_report USING GIST (public_geom);
"""


def _stations() -> list[str]:
    features = json.loads(STATIONS.read_text(encoding="utf-8"))["features"]
    return [f"SRID=4326;POINT({f['geometry']['coordinates'][0]} {f['geometry']['coordinates'][1]})" for f in features]


def seed_reports(cursor, reports: int, indexes: bool = True) -> None:
    """Replace every report by `reports` synthetic ones (SEED_SQL) through a DB-API cursor; the categories of
    reports/demo.py and the districts must be loaded. `indexes`: drop the GiST indexes during the inserts and build
    them again after (in autocommit only: an index cannot be built while the inserts' deferred FK checks wait)."""
    params = {"stations": _stations(), "reports": reports, "candidates": int(reports * 1.25) + 1000}
    for statement in SEED_SQL.split(";\n"):
        if statement.strip() and (indexes or " INDEX " not in statement):
            cursor.execute(statement, params)


def seed(url: str, reports: int) -> None:
    """Migrate, load the districts and categories, and insert the reports (unless already there)."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    import psycopg2

    db = psycopg2.connect(libpq_url(url))
    db.autocommit = True
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM districts_district")
        if cur.fetchone()[0] < 25:
            subprocess.run([PYTHON, "manage.py", "load_seoul"], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL)
        cur.execute("SELECT count(*) FROM reports_reportcategory")
        if cur.fetchone()[0] < 7:
            subprocess.run([PYTHON, "manage.py", "shell", "-c", "from reports.demo import categories_load\n"
                            "categories_load()"], cwd=ROOT, env=env, check=True)
        cur.execute("SELECT count(*), count(*) FILTER (WHERE description LIKE 'bench report %%') FROM reports_report")
        total, seeded = cur.fetchone()
        cur.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'report_public_geom_gist'")
        if total == seeded == reports and cur.fetchone()[0] == 1:
            log(f"data in place: {reports:,} reports")
            db.close()
            return
        log(f"seeding {reports:,} reports (reproducible, setseed)")
        started = time.time()
        seed_reports(cur, reports)
        for table in ("reports_report", "reports_reportdistrict"):
            cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute("SELECT count(*), count(*) FILTER (WHERE is_hidden), count(*) FILTER (WHERE public_district_id IS "
                    "NOT NULL), count(*) FILTER (WHERE GeometryType(geom) = 'LINESTRING') FROM reports_report")
        total, hidden, sensitive, lines = cur.fetchone()
        log(f"seeded in {time.time() - started:.0f} s: {total:,} reports, {hidden:,} hidden, {sensitive:,} sensitive, "
            f"{lines:,} lines")
    db.close()


def build(url: str) -> float | None:
    """This worktree's pre-aggregated rows of the reports layer (seconds it took; None when they were in place)."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    code = ("import time\nfrom layers.aggregates import aggregates_rebuild\nfrom layers.registry import registry\n"
            "from layers.selectors import aggregates_ready\nlayer = registry.get('reports')\n"
            "if aggregates_ready(layer):\n    print('BUILT none')\nelse:\n    t = time.time()\n"
            "    aggregates_rebuild(layer=layer)\n    print(f'BUILT {time.time() - t:.1f}')\n")
    out = subprocess.run([PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    value = out.split("BUILT ")[1].split()[0]
    return None if value == "none" else float(value)


def refresh_cost(url: str, samples: int = 30) -> tuple[float, float]:
    """Median and slowest ms of the commit hook's refresh of this worktree's rows after one report's change
    (`layers.aggregates.aggregates_refresh` over its public point: the bound of an edit's delay), over `samples`
    reports spread over the table."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    code = ("import statistics, time\nfrom layers.aggregates import aggregates_refresh\n"
            "from layers.registry import registry\nfrom reports.models import Report\n"
            "layer = registry.get('reports')\nn = Report.objects.count()\nms = []\n"
            f"for i in range({samples}):\n"
            f"    report = Report.objects.order_by('pk')[i * n // {samples}]\n"
            "    t = time.perf_counter()\n    aggregates_refresh(layer=layer, geometries=[report.public_geom])\n"
            "    ms.append((time.perf_counter() - t) * 1000)\n"
            "print(f'REFRESH {statistics.median(ms):.1f} {max(ms):.1f}')\n")
    out = subprocess.run([PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    median, slowest = out.split("REFRESH ")[1].split()[:2]
    return float(median), float(slowest)


# Run inside each version's directory: per zoom, the statement its endpoint runs for the City Hall tile.
STATEMENTS = r"""
import json, sys
import django
django.setup()
from django.db import connection
from layers.registry import Viewer, registry
from layers import selectors, tiles
layer = registry.get("reports")
out = {}
with connection.cursor() as cursor:
    for z, x, y in json.loads(sys.argv[1]):
        ready = getattr(tiles, "uses_aggregates", lambda layer, z: False)(layer, z) and selectors.aggregates_ready(layer)
        text = cursor.mogrify(*tiles.tile_sql(layer, Viewer.anonymous(), z, x, y, aggregates=ready))
        out[z] = {"sql": text.decode() if isinstance(text, bytes) else text, "aggregates": bool(ready)}
print("STJSON " + json.dumps(out))
"""


def rows_read(node: dict) -> int:
    """Rows an EXPLAIN ANALYZE plan's table scans returned or filtered out (a bitmap's entries: its heap scan)."""
    own = 0
    if "Relation Name" in node and node["Node Type"] != "Bitmap Index Scan":
        own = node.get("Actual Loops", 1) * sum(node.get(key, 0) for key in (
            "Actual Rows", "Rows Removed by Filter", "Rows Removed by Index Recheck"))
    return own + sum(rows_read(child) for child in node.get("Plans", []))


def explain(code: Path, url: str, tiles: list) -> dict:
    """Per zoom: the version's statement for the tile under EXPLAIN ANALYZE (rows read, execution ms)."""
    import psycopg2

    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(code),
           "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run([PYTHON, "-c", STATEMENTS, json.dumps(tiles)], cwd=code, env=env, capture_output=True,
                         text=True)
    if out.returncode != 0:
        raise RuntimeError(f"compiling in {code} failed: {out.stderr[-3000:]}")
    line = next(line for line in out.stdout.splitlines() if line.startswith("STJSON "))
    plans = {}
    db = psycopg2.connect(libpq_url(url))
    db.autocommit = True
    with db.cursor() as cur:
        cur.execute("SET max_parallel_workers_per_gather = 0")
        for z, statement in json.loads(line[len("STJSON "):]).items():
            runs = []
            for _ in range(3):  # the fastest of three: the first may read pages from disk
                cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement["sql"])
                plan = cur.fetchone()[0]
                runs.append(json.loads(plan) if isinstance(plan, str) else plan)
            fastest = min(runs, key=lambda plan: plan[0]["Execution Time"])
            plans[int(z)] = {"rows_read": rows_read(fastest[0]["Plan"]), "ms": fastest[0]["Execution Time"],
                             "aggregates": statement["aggregates"]}
    db.close()
    return plans


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default="main")
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--zooms", default="10,12,14,16")
    parser.add_argument("--tiles", type=int, default=40, help="tiles a zoom (City Hall and random ones)")
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", dest="json_path")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--prepare-only", action="store_true", help="seed and build, measure nothing")
    args = parser.parse_args(argv)
    config = parse_args([])
    config.tiles_per_zoom, config.duration, config.connections = args.tiles, args.duration, args.connections
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    uptime_before = _uptime()
    url = with_database(base_url(), args.database)
    ensure_database(base_url(), args.database)
    seed(url, args.reports)
    built = build(url)
    if built is not None:
        log(f"reports: aggregates built in {built:.1f} s")
    if args.prepare_only:
        return 0
    zooms = [int(z) for z in args.zooms.split(",")]
    lists = {int(label[1:]): tiles for label, tiles in tile_lists(config) if label[1:].isdigit()}
    before_code = export(args.before)
    versions = {"before": before_code, "after": ROOT}
    plans = {name: explain(code, url, [lists[z][0] for z in zooms]) for name, code in versions.items()}
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    import django

    django.setup()
    postmaster = postmaster_pid()
    workdir = Path(tempfile.mkdtemp(prefix="geoplatform-reports-"))
    servers, results, loads = {}, {}, [os.getloadavg()[0]]
    try:
        for name, code in versions.items():
            servers[name] = app(code, url, args.workers, f"uvicorn-reports-{name}")
        for round_ in range(args.rounds):
            for z in zooms:
                paths = [f"/tiles/reports/{tz}/{tx}/{ty}.mvt" for tz, tx, ty in lists[z]]
                for name in (("before", "after") if round_ % 2 == 0 else ("after", "before")):
                    meter = CpuMeter(postmaster, [servers[name].process.pid])
                    measure = meter.finish(run_wrk(servers[name].base, paths, config, workdir, f"reports-{name}"),
                                           config.duration)
                    results.setdefault((z, name), []).append(measure)
                    log(f"round {round_ + 1} z{z} {name}: {measure.tiles_per_s:,.0f} tiles/s, p95 {measure.p95:.1f} ms,"
                        f" errors {measure.errors}")
                loads.append(os.getloadavg()[0])
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    refresh = refresh_cost(url)
    report = render(results, plans, args, started, loads, built, uptime_before, _uptime(), zooms, refresh)
    print(report)
    if args.json_path:
        Path(args.json_path).write_text(json.dumps({**as_json(results, plans, args, started, loads, built),
                                                    "refresh_ms": {"median": refresh[0], "max": refresh[1]}},
                                                   indent=2) + "\n")
    return 0


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, env={**os.environ, "TZ": "UTC"}).stdout.strip()


def _mean(values):
    return sum(values) / len(values) if values else 0.0


def render(results, plans, args, started, loads, built, uptime_before, uptime_after, zooms, refresh) -> str:
    lines = [f"# The `reports` layer before ({args.before}) and after (this worktree), side by side", "",
             f"Run {started}: {args.reports:,} reports; {args.rounds} rounds alternating before and after; "
             f"{args.connections} connections, {args.duration} s per cell, {args.tiles} tiles a zoom, tile cache off; "
             f"load average (1 min) {', '.join(f'{v:.1f}' for v in loads)}; autogroup nice {autogroup_nice()}.",
             f"uptime before: `{uptime_before}`; after: `{uptime_after}`.",
             f"Aggregates built in {built:.1f} s." if built is not None else "Aggregates were in place.", "",
             "| zoom | City Hall tile: rows read, before → after | its statement ms (fastest of 3) | uncached tiles/s before → after "
             "(ratio) | p95 ms before → after | PostgreSQL CPU ms a tile | server CPU ms a tile |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for z in zooms:
        b, a = results[(z, "before")], results[(z, "after")]
        pb, pa = plans["before"][z], plans["after"][z]

        def stat(runs, field):
            return _mean([getattr(run, field) or 0 for run in runs])

        tb, ta = stat(b, "tiles_per_s"), stat(a, "tiles_per_s")
        lines.append(
            f"| z{z} | {pb['rows_read']:,} → {pa['rows_read']:,} | {pb['ms']:.1f} → {pa['ms']:.1f} | "
            f"{tb:,.0f} → {ta:,.0f} ({ta / tb if tb else 0:.1f}×) | {stat(b, 'p95'):.1f} → {stat(a, 'p95'):.1f} | "
            f"{stat(b, 'cpu_pg_ms'):.2f} → {stat(a, 'cpu_pg_ms'):.2f} | "
            f"{stat(b, 'cpu_server_ms'):.2f} → {stat(a, 'cpu_server_ms'):.2f} |")
    errors = sum(m.errors for runs in results.values() for m in runs)
    lines += ["", f"Errors (non-2xx or socket): {errors}. After a report's change, the commit hook's refresh of the "
              f"aggregated rows took {refresh[0]:.0f} ms (median of 30 reports; slowest {refresh[1]:.0f} ms)."]
    return "\n".join(lines) + "\n"


def as_json(results, plans, args, started, loads, built) -> dict:
    cells = []
    for (z, name), runs in sorted(results.items()):
        cells.append({"layer": "reports", "zoom": z, "version": name, **plans[name][z],
                      "tps": [round(m.tiles_per_s, 1) for m in runs], "p95_ms": [round(m.p95, 1) for m in runs],
                      "pg_cpu_ms": [round(m.cpu_pg_ms or 0, 3) for m in runs],
                      "server_cpu_ms": [round(m.cpu_server_ms or 0, 3) for m in runs],
                      "errors": sum(m.errors for m in runs)})
    return {"started": started, "before": args.before, "reports": args.reports, "loads": loads,
            "aggregates_build_s": built, "cells": cells}


if __name__ == "__main__":
    sys.exit(main())
