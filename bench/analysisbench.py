"""Analysis benchmark: the built-in analyses over Eungdapso-sized report layers (issue 14).

    bin/bench --analyses [--records N] [--json PATH]
    .venv/bin/python -m bench.analysisbench [--records N] [--json PATH] [--methods hex500,district,...]

Data: a database of its own (`geoplatform_bench_analyses`) in the project's cluster, migrated with
`bench.settings`, holding Seoul's 25 districts and 424 dongs with resident counts, the public toilets
(data/seoul/) and N synthetic report points in the `benchpoints` layer (default 9,000,000), generated
inside PostgreSQL (generate_series, random() after setseed, no parallel workers, so the same N gives the
same points): 70 % around the dongs' centres, as many per dong as its share of Seoul's residents, spread
by a Gaussian of about half the dong's width; 30 % around Seoul's subway stations (σ 200 m); points
outside Seoul's districts are dropped (the draw is oversampled, then cut at N). `benchpoints` is not open
data, so k-anonymity applies to every output, as it does to reports.

Each analysis runs through the real path (`analysis_create` + `analysis_run(inline=True)`: stage the
layer as the analyst sees it, compute, store the outputs) in this process, which is what the worker
does. While it runs, a monitor thread prints the job's progress (the jobs app's Job row, as the UI
shows it) and samples the resident memory of this process and of its PostgreSQL backend from /proc
(peak = the largest sample, and VmHWM after resetting it through clear_refs where the kernel allows).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
DATABASE = "geoplatform_bench_analyses"
TARGET_SECONDS = 60
LAYER = "benchpoints"
TOILETS = "dataset-seoul_public_toilets"

# name: (method, parameters); the four measurements issue 14 names, plus the dong level of the second
METHODS = {
    "hex500": ("aggregation", {"source": LAYER, "unit": "hex", "hex_size_m": 500, "measure": "count"}),
    "district_per10k": ("aggregation", {"source": LAYER, "unit": "district", "measure": "per_population",
                                        "per": 10_000}),
    "dong_per10k": ("aggregation", {"source": LAYER, "unit": "dong", "measure": "per_population", "per": 10_000}),
    "kde_hotspot": ("hotspot", {"source": LAYER, "bandwidth_m": 500, "cell_size_m": 100, "hex_size_m": 500}),
    "coverage_toilets": ("coverage", {"source": TOILETS, "hex_size_m": 500, "threshold_m": 500}),
    # the same method with the report layer as the facilities: KNN and in-cell counts against N points
    "coverage_reports": ("coverage", {"source": LAYER, "hex_size_m": 500, "threshold_m": 500}),
}

SEED_SQL = """
SET max_parallel_workers_per_gather = 0;
SELECT setseed(0.1414);
TRUNCATE bench_benchpoint RESTART IDENTITY;
DELETE FROM layers_tileaggregatestate WHERE layer = 'benchpoints';
DROP INDEX IF EXISTS bench_point_geom_gist;
CREATE TEMP TABLE seoul_outline AS SELECT ST_Union(geom) AS geom FROM districts_district;
CREATE TEMP TABLE centres AS
SELECT c.x, c.y, c.sigma, c.n
FROM (
    SELECT ST_X(ST_Transform(ST_PointOnSurface(geom), 5186)) AS x, ST_Y(ST_Transform(ST_PointOnSurface(geom), 5186)) AS y,
           greatest(150, sqrt(ST_Area(geom::geography)) / 2) AS sigma,
           round(%(draw)s * 0.7 * population / sum(population) OVER ())::int AS n, code AS k
    FROM districts_dong WHERE population > 0
    UNION ALL
    SELECT ST_X(ST_Transform(f.geom, 5186)), ST_Y(ST_Transform(f.geom, 5186)), 200,
           round(%(draw)s * 0.3 / count(*) OVER ())::int, 'station-' || f.id::text
    FROM layers_datasetfeature f JOIN layers_dataset d ON d.id = f.dataset_id
    WHERE d.slug = 'seoul_subway_stations'
      AND ST_Intersects(f.geom, (SELECT geom FROM seoul_outline))
) AS c ORDER BY c.k;
INSERT INTO bench_benchpoint (name, category, value, geom)
SELECT 'report ' || row_number() OVER (), 0, 0, p
FROM (
    SELECT ST_Transform(ST_SetSRID(ST_MakePoint(
               c.x + c.sigma * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()),
               c.y + c.sigma * sqrt(-2 * ln(1 - random())) * sin(2 * pi() * random())), 5186), 4326) AS p
    FROM centres c CROSS JOIN LATERAL generate_series(1, c.n)
) AS draw
WHERE ST_Intersects((SELECT geom FROM seoul_outline), p)
LIMIT %(records)s;
CREATE INDEX bench_point_geom_gist ON bench_benchpoint USING GIST (geom);
"""


@dataclass
class Measured:
    name: str
    method: str
    records: int
    seconds: float = 0.0
    worker_peak_mb: float = 0.0
    backend_peak_mb: float = 0.0
    cpu_seconds: float = 0.0  # CPU time of the worker and its backend: the run's cost on an idle machine
    outputs: str = ""
    error: str = ""
    stages: list = field(default_factory=list)  # (the job's step message, seconds in it), as the monitor saw them

    @property
    def peak_mb(self) -> float:
        return round(self.worker_peak_mb + self.backend_peak_mb, 1)


def log(message: str) -> None:
    print(f"[bench-analyses] {message}", file=sys.stderr, flush=True)


# --- memory ----------------------------------------------------------------------------------
def status_mb(pid: int, field: str = "VmRSS") -> float:
    """A memory line of /proc/<pid>/status in MB (VmRSS: resident now; VmHWM: peak); 0 when unreadable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def hwm_reset(pid: int) -> bool:
    """Reset the kernel's peak-RSS mark of a process (Linux clear_refs 5); False when not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (/proc/<pid>/stat); 0 when unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


class Monitor(threading.Thread):
    """Prints the job's progress and samples RSS of the worker and its PostgreSQL backend."""

    def __init__(self, name: str, job_id: int | None, backend_pid: int, dsn: str, interval: float = 0.25):
        super().__init__(daemon=True)
        self.name_, self.job_id, self.backend_pid, self.dsn, self.interval = name, job_id, backend_pid, dsn, interval
        self.worker_peak = self.backend_peak = 0.0
        self.steps: list[tuple[str, float]] = []  # (message, when it was first seen)
        self.stop_event = threading.Event()
        self.started = time.monotonic()

    def run(self):
        import psycopg2

        conn = psycopg2.connect(self.dsn)
        conn.autocommit = True
        last, next_poll, next_print = None, 0.0, 0.0
        try:
            while True:
                self.worker_peak = max(self.worker_peak, status_mb(os.getpid()))
                self.backend_peak = max(self.backend_peak, status_mb(self.backend_pid))
                now = time.monotonic()
                final = self.stop_event.is_set()
                if self.job_id and (now >= next_poll or final):
                    next_poll = now + 1
                    with conn.cursor() as cur:
                        cur.execute("SELECT progress, total, message FROM jobs_job WHERE id = %s", [self.job_id])
                        row = cur.fetchone()
                    if row and (not self.steps or self.steps[-1][0] != row[2]):
                        self.steps.append((row[2], now))
                    if row and (row != last or now >= next_print):
                        log(f"{self.name_}: {row[0]}/{row[1]} {row[2]} ({now - self.started:.0f} s, "
                            f"worker {self.worker_peak:.0f} MB, backend {self.backend_peak:.0f} MB)")
                        last, next_print = row, now + 5
                if final:
                    break
                self.stop_event.wait(self.interval)
        finally:
            conn.close()

    def stop(self):
        self.stop_event.set()
        self.join()


# --- database --------------------------------------------------------------------------------
def prepare(records: int, database: str = DATABASE) -> str:
    """The bench database, migrated, with Seoul's areas, the open data and `records` report points."""
    from bench import tilebench

    cluster = tilebench.base_url()
    url = tilebench.with_database(cluster, database)
    tilebench.ensure_database(cluster, database)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], check=True, cwd=ROOT, env=env)
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from districts.models import District
    from districts.services import seoul_load
    from layers.models import Dataset
    from layers.opendata import opendata_load

    if not District.objects.exists():
        log("loading Seoul's districts and dongs")
        seoul_load()
    for slug in ("seoul_public_toilets", "seoul_subway_stations"):
        if not Dataset.objects.filter(slug=slug).exists():
            log(f"loading {slug}")
            opendata_load(slug)
    seed(tilebench.libpq_url(url), records)
    return tilebench.libpq_url(url)


def seed(dsn: str, records: int) -> None:
    import psycopg2

    db = psycopg2.connect(dsn)
    db.autocommit = True
    with db.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM bench_benchpoint), (SELECT count(*) FROM pg_indexes "
                    "WHERE indexname = 'bench_point_geom_gist'), (SELECT sum(category) FROM bench_benchpoint)")
        count, indexes, categories = cur.fetchone()
        if (count, indexes, categories or 0) == (records, 1, 0):
            log(f"data in place: {records:,} report points")
            return
        log(f"seeding {records:,} report points, clustered around dongs and stations (reproducible, setseed)")
        started = time.time()
        cur.execute(SEED_SQL, {"records": records, "draw": int(records * 1.1) + 1000})
        cur.execute("SELECT count(*) FROM bench_benchpoint")
        seeded = cur.fetchone()[0]
        cur.execute("VACUUM ANALYZE bench_benchpoint")
        log(f"seeded {seeded:,} points in {time.time() - started:.0f} s")
    db.close()


# --- measurement -----------------------------------------------------------------------------
def analyst():
    from accounts.models import User

    user, _ = User.objects.get_or_create(username="bench-analyst", defaults={"is_superuser": True})
    if user.preferred_language != "en":  # the job's progress messages, as this analyst reads them
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])
    return user


def measure(name: str, records: int, dsn: str) -> Measured:
    from django.db import connection

    from analysis.models import Analysis
    from analysis.services import analysis_create, analysis_run

    method, parameters = METHODS[name]
    result = Measured(name=name, method=method, records=records)
    user = analyst()
    Analysis.objects.filter(name=f"bench {name}").delete()
    analysis = analysis_create(user=user, name=f"bench {name}", method=method, parameters=parameters)
    connection.ensure_connection()
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    reset = hwm_reset(os.getpid()) and hwm_reset(backend)
    cpu_before = cpu_seconds(os.getpid()) + cpu_seconds(backend)
    # the job exists once analysis_run creates it; the monitor follows the analysis's job
    monitor = Monitor(name, None, backend, dsn)
    monitor.start()
    started = time.monotonic()
    watcher = threading.Thread(target=_attach_job, args=(monitor, analysis.pk, dsn), daemon=True)
    watcher.start()
    try:
        analysis = analysis_run(analysis=analysis, user=user, inline=True)
    finally:
        result.seconds = round(time.monotonic() - started, 2)
        result.cpu_seconds = round(cpu_seconds(os.getpid()) + cpu_seconds(backend) - cpu_before, 1)
        monitor.stop()
    ends = [when for _, when in monitor.steps[1:]] + [monitor.started + result.seconds]
    result.stages = [(message, round(max(0.0, end - when), 1)) for (message, when), end in zip(monitor.steps, ends)]
    result.worker_peak_mb = round(max(monitor.worker_peak, status_mb(os.getpid(), "VmHWM") if reset else 0), 1)
    result.backend_peak_mb = round(max(monitor.backend_peak, status_mb(backend, "VmHWM") if reset else 0), 1)
    if analysis.status != Analysis.Status.SUCCEEDED:
        result.error = analysis.error or analysis.status
    else:
        result.outputs = ", ".join(f"{o.key}: {o.stats.get('shown', o.stats.get('cells', ''))}"
                                   for o in analysis.outputs.order_by("position"))
    return result


def _attach_job(monitor: Monitor, analysis_id: int, dsn: str) -> None:
    import psycopg2

    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    try:
        while monitor.job_id is None and not monitor.stop_event.is_set():
            with conn.cursor() as cur:
                cur.execute("SELECT job_id FROM analysis_analysis WHERE id = %s", [analysis_id])
                row = cur.fetchone()
            if row and row[0]:
                monitor.job_id = row[0]
            time.sleep(0.1)
    finally:
        conn.close()


def render(results: list[Measured], *, started: str, loads: list[float]) -> str:
    from bench.tilebench import machine

    lines = [f"# Analysis benchmark, {started}", "", f"Machine: {machine()}; load average (1 min) before/after "
             f"each analysis: {', '.join(f'{v:.1f}' for v in loads)}", "",
             "| analysis | method | records | seconds | CPU seconds (worker + backend) | worker peak MB | "
             "PostgreSQL backend peak MB | "
             f"under {TARGET_SECONDS} s | outputs |",
             "|---|---|---:|---:|---:|---:|---:|---|---|"]
    for r in results:
        met = "error: " + r.error if r.error else ("met" if r.seconds < TARGET_SECONDS else "missed")
        lines.append(f"| {r.name} | {r.method} | {r.records:,} | {r.seconds:.1f} | {r.cpu_seconds:.1f} | {r.worker_peak_mb:.0f} | "
                     f"{r.backend_peak_mb:.0f} | {met} | {r.outputs} |")
    lines += ["", "Where the time went (the job's steps as the monitor saw them, polled every second):", ""]
    for r in results:
        lines.append(f"- {r.name}: " + "; ".join(f"{message} {seconds:.1f} s" for message, seconds in r.stages))
    return "\n".join(lines)


def analyses_json(results: list[Measured]) -> list[dict]:
    """The `analyses` entries of the benchmark JSON (issue 14's shape, plus the two peaks and the name)."""
    return [{"method": r.name, "records": r.records, "seconds": r.seconds, "peak_mb": r.peak_mb,
             "worker_peak_mb": r.worker_peak_mb, "backend_peak_mb": r.backend_peak_mb, "cpu_seconds": r.cpu_seconds,
             "met": not r.error and r.seconds < TARGET_SECONDS, "stages": [list(stage) for stage in r.stages],
             **({"error": r.error} if r.error else {})}
            for r in results]


def json_merge(path: Path, results: list[Measured]) -> None:
    """Write the analyses into the JSON `bin/bench --json` writes (kept: its cells and machine)."""
    from bench.tilebench import machine

    doc = json.loads(path.read_text()) if path.exists() and path.stat().st_size else {}
    if "machine" not in doc:
        doc["machine"] = machine()
    doc.setdefault("cells", [])
    doc["analyses"] = analyses_json(results)
    path.write_text(json.dumps(doc, indent=2) + "\n")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=9_000_000, help="synthetic report points (default 9,000,000)")
    parser.add_argument("--methods", default=",".join(METHODS), help=f"comma-separated, of {', '.join(METHODS)}")
    parser.add_argument("--json", dest="json_path", default=None, help="merge the `analyses` entries into this JSON")
    parser.add_argument("--database", default=DATABASE, help=f"database in the project's cluster ({DATABASE})")
    parser.add_argument("--no-results-file", action="store_true", help="do not write bench/RESULTS-analyses.md")
    args = parser.parse_args(argv)
    unknown = [m for m in args.methods.split(",") if m not in METHODS]
    if unknown:
        parser.error(f"unknown method(s): {', '.join(unknown)}")
    return args


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    dsn = prepare(args.records, args.database)
    loads = [os.getloadavg()[0]]
    results = []
    for name in args.methods.split(","):
        log(f"{name}: running over {args.records:,} records")
        results.append(measure(name, args.records, dsn))
        r = results[-1]
        log(f"{name}: {r.seconds:.1f} s, worker {r.worker_peak_mb:.0f} MB, backend {r.backend_peak_mb:.0f} MB "
            f"{r.error}")
        loads.append(os.getloadavg()[0])
    report = render(results, started=started, loads=loads)
    print(report)
    if args.json_path:
        json_merge(Path(args.json_path), results)
        log(f"analyses written to {args.json_path}")
    if not args.no_results_file:
        (ROOT / "bench" / "RESULTS-analyses.md").write_text(report + "\n")
    return 0 if not any(r.error for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
