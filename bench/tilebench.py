"""Tile benchmark: raw ST_AsMVT (pgbench) vs our endpoint uncached and cached vs tipg, side by side.

    bin/bench [--quick] [--duration S] [--connections N] [--workers N] [--no-tipg] [--layers benchpoints,...]

One run, on loopback, at one concurrency for every target:
  raw    the exact statement our endpoint runs for each tile, through pgbench: the PostGIS limit;
  ours   GET /tiles/{layer}/{z}/{x}/{y}.mvt?v=… from the ASGI app under uvicorn (as make run / make cluster
         serve it: public tiles take the light path of layers/asgi_tiles.py), tile cache off (TILES_CACHE_BACKEND=none);
  cached the same with the file-system tile cache, warmed first;
  tipg   tipg (PyPI) in its own venv under var/bench/, uvicorn, same tables.
Per tile list (City Hall, seeded random tiles at z10/12/14/16, empty tiles): tiles/s, p50/p95/p99 latency,
raw and gzip bytes. The table goes to stdout and to bench/RESULTS.md with the machine it ran on.

Data: a database of its own (`geoplatform_bench`, or `geoplatform_bench_quick` for --quick) in the project's
cluster, seeded reproducibly (setseed) with 1,000,000 points and 50,000 polygons of ~65 vertices across
Seoul's bounding box, GiST indexes, VACUUM ANALYZE.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PYTHON = ROOT / ".venv" / "bin" / "python"
BBOX = (126.76, 37.42, 127.18, 37.70)  # lon/lat of Seoul's bounding box, as the issue sets it
CITY_HALL = (126.9779, 37.5663)
SEA = (125.60, 36.90, 126.05, 37.20)  # Yellow Sea: tiles without a feature
ZOOMS = (10, 12, 14, 16)
TIPG_TABLES = {"benchpoints": "bench_benchpoint", "benchpolygons": "bench_benchpolygon"}


@dataclass
class Config:
    points: int
    polygons: int
    tiles_per_zoom: int
    duration: int
    connections: int
    workers: int
    threads: int
    database: str
    layers: list[str]
    tipg: bool
    edge: bool = True
    json_path: str | None = None


@dataclass
class Measure:
    tiles_per_s: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    errors: int = 0
    # CPU milliseconds a tile, measured over the cell from /proc (process trees) and getrusage (the client)
    cpu_pg_ms: float | None = None
    cpu_server_ms: float | None = None
    cpu_client_ms: float | None = None


class CpuMeter:
    """CPU spent during one cell by PostgreSQL (the postmaster's tree, backends that ended included), by the
    server under test (its process trees) and by the client (wrk or pgbench: this process's waited children)."""

    def __init__(self, postmaster: int | None, servers: list[int]):
        import resource

        from bench.load.cpu import tree_ticks

        self._tree, self._resource = tree_ticks, resource
        self.postmaster, self.servers = postmaster, servers
        self.start = self._sample()

    def _sample(self):
        usage = self._resource.getrusage(self._resource.RUSAGE_CHILDREN)
        return (self._tree(self.postmaster) if self.postmaster else 0, sum(self._tree(p) for p in self.servers),
                usage.ru_utime + usage.ru_stime)

    def finish(self, measure: Measure, duration: float) -> Measure:
        from bench.load.cpu import TICKS

        end = self._sample()
        tiles = measure.tiles_per_s * duration
        if tiles:
            measure.cpu_pg_ms = (end[0] - self.start[0]) / TICKS * 1000 / tiles if self.postmaster else None
            measure.cpu_server_ms = (end[1] - self.start[1]) / TICKS * 1000 / tiles if self.servers else None
            measure.cpu_client_ms = (end[2] - self.start[2]) * 1000 / tiles
        return measure


def postmaster_pid() -> int | None:
    """The PostgreSQL server's root process (the parent of this connection's backend), when it runs here."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    connection.close()
    try:
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1])


@dataclass
class Row:
    layer: str
    label: str
    tiles: list[tuple[int, int, int]]
    raw_mean: float = 0
    raw_max: int = 0
    gz_mean: float = 0
    gz_max: int = 0
    tipg_raw_mean: float = 0
    tipg_gz_mean: float = 0
    results: dict[str, Measure] = field(default_factory=dict)


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- database --------------------------------------------------------------------------------
def base_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    subprocess.run([ROOT / "bin" / "pg", "start"], check=True, stdout=subprocess.DEVNULL)
    return subprocess.run([ROOT / "bin" / "pg", "url"], check=True, capture_output=True, text=True).stdout.strip()


def with_database(url: str, name: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{name}"))


def libpq_url(url: str) -> str:
    return url.replace("postgis://", "postgresql://", 1)


def ensure_database(url: str, name: str) -> None:
    import psycopg2

    admin = psycopg2.connect(libpq_url(with_database(url, "postgres")))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            log(f"creating database {name}")
            cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    db = psycopg2.connect(libpq_url(with_database(url, name)))
    db.autocommit = True
    with db.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    db.close()


SEED_SQL = """
SELECT setseed(0.4242);
TRUNCATE bench_benchpoint, bench_benchpolygon RESTART IDENTITY;
DELETE FROM layers_tileaggregatestate WHERE layer IN ('benchpoints', 'benchpolygons');
DROP INDEX IF EXISTS bench_point_geom_gist;
DROP INDEX IF EXISTS bench_polygon_geom_gist;
INSERT INTO bench_benchpoint (name, category, value, geom)
SELECT 'point ' || i, (random() * 9)::int, round((random() * 1000)::numeric, 2),
       ST_SetSRID(ST_MakePoint(%(w)s + random() * (%(e)s - %(w)s), %(s)s + random() * (%(n)s - %(s)s)), 4326)
FROM generate_series(1, %(points)s) AS i;
INSERT INTO bench_benchpolygon (name, category, geom)
SELECT 'polygon ' || i, (random() * 9)::int,
       ST_Transform(ST_Buffer(ST_Transform(ST_SetSRID(ST_MakePoint(
           %(w)s + random() * (%(e)s - %(w)s), %(s)s + random() * (%(n)s - %(s)s)), 4326), 3857),
           15 + random() * 60, 16), 4326)
FROM generate_series(1, %(polygons)s) AS i;
CREATE INDEX bench_point_geom_gist ON bench_benchpoint USING GIST (geom);
CREATE INDEX bench_polygon_geom_gist ON bench_benchpolygon USING GIST (geom);
"""


def seed(url: str, config: Config) -> None:
    import psycopg2

    db = psycopg2.connect(libpq_url(url))
    db.autocommit = True
    with db.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM bench_benchpoint), (SELECT count(*) FROM bench_benchpolygon),"
                    " (SELECT count(*) FROM pg_indexes WHERE indexname IN"
                    "  ('bench_point_geom_gist', 'bench_polygon_geom_gist'))")
        if cur.fetchone() == (config.points, config.polygons, 2):
            log(f"data in place: {config.points:,} points, {config.polygons:,} polygons")
            return
        log(f"seeding {config.points:,} points and {config.polygons:,} polygons (reproducible, setseed)")
        started = time.time()
        w, s, e, n = BBOX
        cur.execute(SEED_SQL, {"w": w, "s": s, "e": e, "n": n, "points": config.points, "polygons": config.polygons})
        cur.execute("VACUUM ANALYZE bench_benchpoint")
        cur.execute("VACUUM ANALYZE bench_benchpolygon")
        cur.execute("SELECT avg(ST_NPoints(geom)) FROM bench_benchpolygon")
        log(f"seeded in {time.time() - started:.0f} s; polygons have {cur.fetchone()[0]:.0f} vertices on average")
    db.close()


def build_aggregates(config: Config) -> None:
    """The pre-aggregated low zooms of the point layer (layers/aggregates.py), when not built for this data."""
    from layers.aggregates import aggregates_rebuild
    from layers.registry import registry
    from layers.selectors import aggregates_ready

    for name in config.layers:
        layer = registry.get(name)
        if layer is None or not layer.aggregated or aggregates_ready(layer):
            continue
        started = time.time()
        aggregates_rebuild(layer=layer)
        log(f"{name}: aggregates built in {time.time() - started:.1f} s")


# --- tiles -------------------------------------------------------------------------------------
def tile_lists(config: Config):
    from layers.tilegrid import lonlat_to_tile_fraction, tile_range

    rng = random.Random(20260101)

    def city_hall(z):
        fx, fy = lonlat_to_tile_fraction(*CITY_HALL, z)
        return z, int(fx), int(fy)

    lists = []
    for z in ZOOMS:
        x0, y0, x1, y1 = tile_range(BBOX, z, margin=0.0)
        tiles = [city_hall(z)] + [(z, rng.randint(x0, x1), rng.randint(y0, y1))
                                  for _ in range(config.tiles_per_zoom - 1)]
        lists.append((f"z{z}", tiles))
    lists.append(("z14 City Hall", [city_hall(14)]))
    sea = []
    for z in (12, 14, 16):
        x0, y0, x1, y1 = tile_range(SEA, z, margin=0.0)
        sea += [(z, rng.randint(x0, x1), rng.randint(y0, y1)) for _ in range(max(3, config.tiles_per_zoom // 5))]
    lists.append(("empty", sea))
    return lists


def measure_sizes(row: Row) -> None:
    from layers.registry import Viewer, registry
    from layers.tile_views import stored_vector_tile
    from layers.tiles import render_vector_tile

    layer = registry.get(row.layer)
    raws, gzs = [], []
    for z, x, y in row.tiles:
        data = render_vector_tile(layer, Viewer.anonymous(), z, x, y)
        raws.append(len(data))
        gzs.append(len(stored_vector_tile(data)))  # as ours are stored and served
    row.raw_mean, row.raw_max = statistics.mean(raws), max(raws)
    row.gz_mean, row.gz_max = statistics.mean(gzs), max(gzs)


# --- pgbench: the exact statement of each tile -----------------------------------------------
def run_pgbench(row: Row, url: str, config: Config, workdir: Path) -> Measure:
    from django.db import connection

    from layers.registry import Viewer, registry
    from layers.tiles import tile_sql

    from layers.selectors import aggregates_ready

    layer = registry.get(row.layer)
    aggregates = aggregates_ready(layer)
    scripts = workdir / f"pgbench-{row.layer}-{row.label.replace(' ', '_')}"
    shutil.rmtree(scripts, ignore_errors=True)
    scripts.mkdir(parents=True)
    args = []
    with connection.cursor() as cursor:
        for i, (z, x, y) in enumerate(row.tiles[:120]):  # pgbench takes at most 128 scripts
            sql, params = tile_sql(layer, Viewer.anonymous(), z, x, y, aggregates=aggregates)
            path = scripts / f"tile{i}.sql"
            text = cursor.mogrify(sql, params)
            text = text.decode() if isinstance(text, bytes) else text  # psycopg 2 gives bytes, psycopg 3 str
            path.write_text(text.replace("\n", " ") + ";\n")
            args += ["-f", f"{path}@1"]
    parts = urlparse(libpq_url(url))
    env = {**os.environ, "PGPASSWORD": parts.password or "", "PGOPTIONS": "-c max_parallel_workers_per_gather=0"}
    logs = scripts / "log"
    cmd = ["pgbench", "-n", "-h", parts.hostname, "-p", str(parts.port), "-U", parts.username,
           "-c", str(config.connections), "-j", "2", "-T", str(config.duration), "-l",
           "--log-prefix", str(logs), *args, parts.path.lstrip("/")]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=scripts)
    if out.returncode != 0:
        raise RuntimeError(f"pgbench failed: {out.stderr[-1000:]}")
    latencies = []
    for path in scripts.glob("log*"):
        for line in path.read_text().splitlines():
            fields = line.split()
            if len(fields) >= 3:
                latencies.append(int(fields[2]) / 1000.0)
    tps = next((float(line.split("=")[1].split()[0]) for line in out.stdout.splitlines()
                if line.startswith("tps =")), 0.0)
    latencies.sort()
    return Measure(tiles_per_s=tps, p50=_pct(latencies, 50), p95=_pct(latencies, 95), p99=_pct(latencies, 99),
                   errors=int(next((line.split(":")[1] for line in out.stdout.splitlines()
                                    if "number of failed transactions" in line), "0").split()[0] or 0))


def _pct(values, p):
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


# --- HTTP targets through wrk -----------------------------------------------------------------
WRK_LUA = """
local paths = {%(paths)s}
local counter = 0
setup = function(thread) thread:set("start", counter) counter = counter + 17 end
init = function(args) i = tonumber(start) or 0 end
wrk.headers["Accept-Encoding"] = "gzip"
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%%d,"duration_us":%%d,"errors":%%d,"non2xx":%%d,' ..
    '"p50":%%d,"p95":%%d,"p99":%%d}\\n', summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end
"""


def run_wrk(base: str, paths: list[str], config: Config, workdir: Path, name: str) -> Measure:
    script = workdir / f"wrk-{name}.lua"
    script.write_text(WRK_LUA % {"paths": ", ".join(json.dumps(p) for p in paths)})
    out = subprocess.run(["wrk", "-t", "2", "-c", str(config.connections), "-d", f"{config.duration}s",
                          "--timeout", "30s", "-s", str(script), base], capture_output=True, text=True)
    line = next((line for line in out.stdout.splitlines() if line.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {out.stdout[-500:]} {out.stderr[-500:]}")
    data = json.loads(line[len("WRKJSON "):])
    seconds = data["duration_us"] / 1e6
    return Measure(tiles_per_s=data["requests"] / seconds, p50=data["p50"] / 1000, p95=data["p95"] / 1000,
                   p99=data["p99"] / 1000, errors=data["errors"] + data["non2xx"])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status < 500:
                    return
        except Exception:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def autogroup_nice(pid: int | str = "self") -> int | None:
    """The nice value of a process's autogroup (Linux with CONFIG_SCHED_AUTOGROUP), None when there is none."""
    try:
        return int(Path(f"/proc/{pid}/autogroup").read_text().split("nice")[1])
    except (OSError, IndexError, ValueError):
        return None


def same_priority(pid: int) -> None:
    """Give a server started in a session of its own (start_new_session: a new autogroup, nice 0) the autogroup
    priority of this benchmark (bench/LIVE.md: `echo -10 > /proc/self/autogroup` before a run), so that it is not
    the one part of the benchmark that other sessions' work preempts."""
    mine = autogroup_nice()
    if mine is None or mine == autogroup_nice(pid):
        return
    try:
        Path(f"/proc/{pid}/autogroup").write_text(str(mine))
    except OSError as exc:
        log(f"could not set the autogroup priority of {pid}: {exc}")


class Server:
    """A server process of our own, stopped by its process group id."""

    def __init__(self, cmd, env, probe_path, name, port=None):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        cmd = [c.replace("{port}", str(self.port)) for c in cmd]
        self.log = open(VAR / f"{name}.log", "w")
        self.process = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        same_priority(self.process.pid)
        try:
            wait_http(self.base + probe_path)
        except Exception:
            self.stop()
            raise

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def app_server(url: str, config: Config, cache: str) -> Server:
    """The application as `make run` and `make cluster` serve it: uvicorn with geoplatform.asgi (its light tile path)."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings",
           "TILES_CACHE_BACKEND": cache, "TILES_CACHE_DIR": str(VAR / "tilecache"), "CONN_MAX_AGE": "600"}
    cmd = [str(ROOT / ".venv" / "bin" / "uvicorn"), "geoplatform.asgi:application", "--host", "127.0.0.1",
           "--port", "{port}", "--workers", str(config.workers), "--lifespan", "off", "--no-access-log",
           "--log-level", "warning", "--backlog", "2048", "--timeout-keep-alive", "30"]
    return Server(cmd, env, "/tiles/benchpoints.json", f"uvicorn-{cache}")


NGINX_CONF = """
worker_processes 2;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
daemon off;
events {{ worker_connections 2048; }}
http {{
    access_log off;
    keepalive_requests 1000000;  # wrk keeps its connections for the whole cell
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    # the edge cache of issue 13: it keeps what the app marks public (versioned tiles: immutable),
    # never what it marks private or no-store; the key is the whole URI with its ?v=
    proxy_cache_path {root}/cache levels=1:2 keys_zone=tiles:32m max_size=2g inactive=1d use_temp_path=off;
    upstream app {{ server 127.0.0.1:{app_port}; keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_cache tiles;
            proxy_cache_lock on;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""


def nginx_edge(app: "Server") -> "Server":
    """nginx (the Debian package) on a loopback port of its own, caching in front of `app`."""
    root = VAR / "nginx"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    port = free_port()
    (root / "nginx.conf").write_text(NGINX_CONF.format(root=root, app_port=app.port, port=port))
    return Server([shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(root), "-c", str(root / "nginx.conf")],
                  {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, "/tiles/benchpoints.json", "nginx",
                  port=port)


TIPG_VENV = VAR / "tipg-venv"


def ensure_tipg() -> Path:
    python = TIPG_VENV / "bin" / "python"
    if not (TIPG_VENV / "bin" / "uvicorn").exists() or subprocess.run(
            [python, "-c", "import tipg"], capture_output=True).returncode != 0:
        log("installing tipg into var/bench/tipg-venv (its own venv)")
        subprocess.run([sys.executable, "-m", "venv", str(TIPG_VENV)], check=True)
        subprocess.run([TIPG_VENV / "bin" / "pip", "install", "-q", "tipg>=1.0,<2", "uvicorn[standard]"],
                       check=True)
    return TIPG_VENV / "bin" / "uvicorn"


def tipg_server(url: str, config: Config) -> Server:
    uvicorn = ensure_tipg()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_URL": libpq_url(url),
           "TIPG_DB_SCHEMAS": '["public"]',
           "TIPG_DB_TABLES": json.dumps(sorted(f"public.{t}" for t in TIPG_TABLES.values())),
           "TIPG_DB_EXCLUDE_FUNCTION_SCHEMAS": '["public", "pg_catalog"]',
           "TIPG_NAME": "tipg", "TIPG_CATALOG_TTL": "3600", "HOME": str(VAR)}
    cmd = [str(uvicorn), "tipg.main:app", "--host", "127.0.0.1", "--port", "{port}", "--workers",
           str(config.workers), "--log-level", "warning", "--no-access-log"]
    return Server(cmd, env, "/collections", "tipg")


def tipg_paths(row: Row) -> list[str]:
    table = f"public.{TIPG_TABLES[row.layer]}"
    return [f"/collections/{table}/tiles/WebMercatorQuad/{z}/{x}/{y}" for z, x, y in row.tiles]


def our_paths(row: Row) -> list[str]:
    """As a map asks for them: with the layer's current version from its TileJSON (`?v=`)."""
    from layers.registry import registry
    from layers.selectors import layer_tile_version

    version = layer_tile_version(registry.get(row.layer))
    return [f"/tiles/{row.layer}/{z}/{x}/{y}.mvt?v={version}" for z, x, y in row.tiles]


def fetch_sizes(base: str, paths: list[str]) -> tuple[float, float]:
    from layers.tile_views import stored_vector_tile

    raws, gzs = [], []
    for path in paths:
        request = urllib.request.Request(base + path, headers={"Accept-Encoding": "identity"})
        with urllib.request.urlopen(request, timeout=60) as response:
            data = response.read()
        if response.headers.get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        raws.append(len(data))
        gzs.append(len(stored_vector_tile(data)))  # tipg's tiles gzipped as ours are served
    return statistics.mean(raws), statistics.mean(gzs)


# --- report -----------------------------------------------------------------------------------------
def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT version(), postgis_lib_version()")
        pg, postgis = cur.fetchone()
    return (f"{os.cpu_count()} × {cpu}, {mem_kb / 1024 / 1024:.0f} GB RAM, {platform.system()} "
            f"{platform.release()}; {pg.split(',')[0]}, PostGIS {postgis}; Python {platform.python_version()}")


TARGETS = ("raw", "ours", "cached", "edge", "tipg")


def targets(rows: list[Row]) -> list[str]:
    """The targets of issue 14, each met or missed and by how much."""
    out = []

    def check(name, value, goal, higher=True, unit=""):
        met = value >= goal if higher else value <= goal
        miss = "" if met else f" (missed by {abs(goal - value) / goal:.0%})"
        out.append(f"- {'met' if met else 'MISSED'}: {name}: {value:,.2f}{unit} vs {goal:,}{unit}{miss}")

    for row in rows:
        res = row.results
        if row.label in ("z12", "z14", "z16") and {"raw", "ours"} <= set(res) and res["raw"].tiles_per_s:
            check(f"{row.layer} {row.label} uncached / raw SQL", res["ours"].tiles_per_s / res["raw"].tiles_per_s, 0.8)
        if row.label in ("z14", "z16") and {"tipg", "ours"} <= set(res) and res["tipg"].tiles_per_s:
            check(f"{row.layer} {row.label} uncached / tipg", res["ours"].tiles_per_s / res["tipg"].tiles_per_s, 5)
        if "cached" in res and row.label.startswith("z1"):
            check(f"{row.layer} {row.label} cache hits through the app", res["cached"].tiles_per_s, 4000,
                  unit=" tiles/s")
        if "edge" in res and row.label.startswith("z1"):
            check(f"{row.layer} {row.label} cache hits through the edge", res["edge"].tiles_per_s, 10000,
                  unit=" tiles/s")
        if "ours" in res and row.label.startswith("z1"):
            check(f"{row.layer} {row.label} uncached p95", res["ours"].p95, 100, higher=False, unit=" ms")
    check("largest tile", max(r.raw_max for r in rows), 500_000, higher=False, unit=" bytes")
    return out


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def results_json(rows: list[Row], config: Config) -> dict:
    """The machine-readable results (issue 14): one cell per layer and zoom."""
    cells = []
    for row in rows:
        if row.label not in {f"z{z}" for z in ZOOMS}:
            continue
        res = row.results

        def tps(target):
            return round(res[target].tiles_per_s, 1) if target in res else None

        cells.append({"layer": row.layer, "zoom": int(row.label[1:]), "raw_tps": tps("raw"), "ours_tps": tps("ours"),
                      "cached_tps": tps("cached"), "edge_tps": tps("edge"), "tipg_tps": tps("tipg"),
                      "p95_ms": round(res["ours"].p95, 1) if "ours" in res else None,
                      "max_tile_bytes": row.raw_max,
                      "cpu_ms_per_tile": {target: {"postgres": _r(m.cpu_pg_ms), "server": _r(m.cpu_server_ms),
                                                   "client": _r(m.cpu_client_ms)} for target, m in res.items()}})
    return {"machine": machine(), "points": config.points, "polygons": config.polygons,
            "duration_s": config.duration, "connections": config.connections, "cells": cells, "analyses": []}


def render(rows: list[Row], config: Config, started: str, loads: list[float]) -> str:
    lines = [
        "# Tile benchmark",
        "",
        f"Run {started} with `bin/bench{' --quick' if config.points < 1_000_000 else ''}`: "
        f"{config.points:,} points and {config.polygons:,} polygons (~65 vertices) across Seoul's bounding box; "
        f"{config.connections} concurrent connections for every target, {config.duration} s per cell, "
        f"our ASGI app (geoplatform.asgi: light tile path, psycopg 3 pool) and tipg each under uvicorn with "
        f"{config.workers} workers; client, servers and PostgreSQL share the machine.",
        "",
        f"Machine: {machine()}.",
        f"Load average (1 min) before and after each tile list: {', '.join(f'{v:.1f}' for v in loads)} "
        f"(the servers, PostgreSQL and wrk account for about {config.connections // 2 + 2}; "
        f"more is other work sharing the two cores). Autogroup nice of the benchmark and its servers: "
        f"{autogroup_nice()} (bench/LIVE.md).",
        "",
        "raw = the exact tile statement through pgbench (the PostGIS limit); ours = /tiles/… uncached (the light "
        "tile path); cached = tile-cache hits through the app; edge = nginx's cache in front of the app (versioned "
        "URLs, `immutable`); tipg = tipg on the same tables. Latencies in ms; bytes are per tile "
        "(mean, raw MVT / gzip; tipg's own tiles in its column).",
        "",
    ]
    for layer in dict.fromkeys(r.layer for r in rows):
        lines += [f"## {layer}", "",
                  "| tiles | target | tiles/s | p50 | p95 | p99 | errors | raw bytes (mean / max) | gzip bytes (mean / max) |",
                  "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for row in (r for r in rows if r.layer == layer):
            for target in TARGETS:
                m = row.results.get(target)
                if m is None:
                    continue
                if target == "tipg":
                    size = f"{row.tipg_raw_mean:,.0f} | {row.tipg_gz_mean:,.0f}"
                else:
                    size = f"{row.raw_mean:,.0f} / {row.raw_max:,} | {row.gz_mean:,.0f} / {row.gz_max:,}"
                lines.append(f"| {row.label} ({len(row.tiles)}) | {target} | {m.tiles_per_s:,.0f} | {m.p50:.1f} | "
                             f"{m.p95:.1f} | {m.p99:.1f} | {m.errors} | {size} |")
        lines.append("")
        lines += ["Ratios (tiles/s):", ""]
        for row in (r for r in rows if r.layer == layer):
            res = row.results
            parts = []
            if "raw" in res and "ours" in res and res["raw"].tiles_per_s:
                parts.append(f"ours/raw {res['ours'].tiles_per_s / res['raw'].tiles_per_s:.2f}")
            if "tipg" in res and "ours" in res and res["tipg"].tiles_per_s:
                parts.append(f"ours/tipg {res['ours'].tiles_per_s / res['tipg'].tiles_per_s:.2f}")
            if "cached" in res and "ours" in res and res["ours"].tiles_per_s:
                parts.append(f"cached/ours {res['cached'].tiles_per_s / res['ours'].tiles_per_s:.1f}")
            if "edge" in res and "cached" in res and res["cached"].tiles_per_s:
                parts.append(f"edge/cached {res['edge'].tiles_per_s / res['cached'].tiles_per_s:.1f}")
            lines.append(f"- {row.label}: {', '.join(parts)}")
        lines.append("")
        lines += ["Where the CPU goes (ms of CPU a tile over the cell: PostgreSQL / the server under test / the client "
                  "wrk or pgbench; two cores give at most 2,000 ms of CPU a second to share):", "",
                  "| tiles | target | PostgreSQL | server | client | total |", "| --- | --- | ---: | ---: | ---: | ---: |"]
        for row in (r for r in rows if r.layer == layer):
            for target in TARGETS:
                m = row.results.get(target)
                if m is None or m.cpu_client_ms is None:
                    continue
                cells = [m.cpu_pg_ms, m.cpu_server_ms, m.cpu_client_ms]
                lines.append(f"| {row.label} | {target} | "
                             + " | ".join("–" if v is None else f"{v:.2f}" for v in cells)
                             + f" | {sum(v or 0 for v in cells):.2f} |")
        lines.append("")
    lines += ["## Targets (issue 14)", "", *targets(rows), ""]
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------------------
def parse_args(argv) -> Config:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100,000 points, 5,000 polygons, short runs")
    parser.add_argument("--duration", type=int, default=None, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="server processes (uvicorn: ours and tipg)")
    parser.add_argument("--threads", type=int, default=4, help="(unused since the app runs under uvicorn)")
    parser.add_argument("--no-tipg", action="store_true")
    parser.add_argument("--layers", default="benchpoints,benchpolygons")
    parser.add_argument("--no-edge", action="store_true", help="skip the nginx edge cache target")
    parser.add_argument("--json", dest="json_path", default=None, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    quick = args.quick
    return Config(
        points=100_000 if quick else 1_000_000, polygons=5_000 if quick else 50_000,
        tiles_per_zoom=10 if quick else 50, duration=args.duration or (3 if quick else 10),
        connections=args.connections, workers=args.workers, threads=args.threads,
        database="geoplatform_bench_quick" if quick else "geoplatform_bench",
        layers=[name for name in args.layers.split(",") if name], tipg=not args.no_tipg, edge=not args.no_edge,
        json_path=args.json_path)


def main(argv=None) -> int:
    config = parse_args(sys.argv[1:] if argv is None else argv)
    for tool in ("wrk", "pgbench"):
        if not shutil.which(tool):
            print(f"bench: {tool} is missing (apt-get install wrk postgresql-client)", file=sys.stderr)
            return 1
    VAR.mkdir(parents=True, exist_ok=True)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    cluster = base_url()
    url = with_database(cluster, config.database)
    ensure_database(cluster, config.database)
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    sys.path.insert(0, str(ROOT))
    subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], check=True, cwd=ROOT,
                   env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    seed(url, config)

    import django

    django.setup()
    build_aggregates(config)
    rows = [Row(layer=layer, label=label, tiles=tiles) for layer in config.layers
            for label, tiles in tile_lists(config)]
    for row in rows:
        measure_sizes(row)
    biggest = max(rows, key=lambda r: r.raw_max)
    log(f"largest tile: {biggest.raw_max:,} bytes raw ({biggest.layer} {biggest.label})")

    loads = [os.getloadavg()[0]]  # before, after each tile list
    workdir = Path(tempfile.mkdtemp(prefix="geoplatform-bench-"))
    shutil.rmtree(VAR / "tilecache", ignore_errors=True)
    servers = {}
    try:
        # All servers up at once, and the four targets of a tile list measured back to back, so that
        # other work on the machine weighs on them alike.
        servers["ours"] = app_server(url, config, "none")
        servers["cached"] = app_server(url, config, "filesystem")
        if config.edge and shutil.which("nginx"):
            servers["edge"] = nginx_edge(servers["cached"])
        if config.tipg:
            servers["tipg"] = tipg_server(url, config)
        postmaster = postmaster_pid()
        trees = {"ours": [servers["ours"].process.pid], "cached": [servers["cached"].process.pid],
                 "edge": [s.process.pid for s in (servers.get("edge"), servers["cached"]) if s is not None],
                 "tipg": [servers["tipg"].process.pid] if "tipg" in servers else []}
        for row in rows:
            log(f"{row.layer} {row.label}: raw SQL")
            meter = CpuMeter(postmaster, [])
            row.results["raw"] = meter.finish(run_pgbench(row, url, config, workdir), config.duration)
            for target in ("ours", "cached", "edge", "tipg"):
                server = servers.get(target)
                if server is None:
                    continue
                paths = tipg_paths(row) if target == "tipg" else our_paths(row)
                if target in ("cached", "edge"):
                    for path in paths:  # warm the cache (the edge: both encodings wrk and urllib ask for)
                        for encoding in ("gzip", "identity"):
                            request = urllib.request.Request(server.base + path, headers={"Accept-Encoding": encoding})
                            urllib.request.urlopen(request, timeout=60).read()
                if target == "edge":
                    with urllib.request.urlopen(server.base + paths[0], timeout=60) as response:
                        status = response.headers.get("X-Cache-Status")
                    if status != "HIT":
                        log(f"warning: the edge answered X-Cache-Status {status} after warming {paths[0]}")
                if target == "tipg":
                    row.tipg_raw_mean, row.tipg_gz_mean = fetch_sizes(server.base, paths)
                log(f"{row.layer} {row.label}: {target}")
                meter = CpuMeter(postmaster, trees[target])
                row.results[target] = meter.finish(run_wrk(server.base, paths, config, workdir,
                                                           f"{target}-{row.layer}"), config.duration)
            loads.append(os.getloadavg()[0])
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    loads.append(os.getloadavg()[0])
    report = render(rows, config, started, loads)
    print(report)
    if config.json_path:
        path = Path(config.json_path)
        doc = results_json(rows, config)
        if path.exists() and path.stat().st_size:  # keep what the analysis benchmark merged in
            doc["analyses"] = json.loads(path.read_text()).get("analyses", [])
        path.write_text(json.dumps(doc, indent=2) + "\n")
        log(f"results written to {config.json_path}")
    (ROOT / "bench" / ("RESULTS-quick.md" if config.points < 1_000_000 else "RESULTS.md")).write_text(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
