"""CPU of the parts of an uncached tile on the light path (layers/asgi_tiles.py), measured part by part (issue 14).

    .venv/bin/python -m bench.lightbench [--quick] [--parts gzip,db,request,encoder,pool] [--reps N] [--out PATH]

On the tile benchmark's database (`bin/bench` seeds it) and its tile lists, CPU time, not wall time (the machine
is shared: other work slows a part down but hardly changes the CPU it takes):

- **gzip**: the stored form of a tile (`layers.tile_views.stored_vector_tile`) by zlib at level 1 (before) and by
  the faster gzip libraries (ISA-L's python-isal, zlib-ng, libdeflate; each only if installed: `pip install isal
  zlib-ng deflate`), CPU ms a tile (`time.thread_time`) and bytes;
- **db**: one tile statement's round trip (`layers.tiles.tile_sql`), as the light path runs it (psycopg 3
  AsyncConnectionPool, prepared, binary) and the alternatives: a connection held by the task (no pool), not
  prepared, a custom plan each time (`plan_cache_mode`), the statement as text in the simple protocol (as pgbench
  runs raw), asyncpg (if installed); client CPU (this thread) and the backend's (`/proc/<pid>/schedstat`) a tile;
- **request**: a whole light-path request in this process (the ASGI app called directly, no HTTP, tile cache
  off), CPU ms a request;
- **encoder**: where PostgreSQL's CPU goes in the z14 City Hall tile of benchpoints (pre-drawn rows, ~3,500
  points): the statement as served, its rows read without ST_AsMVT, ST_AsMVT without the properties, and the floor of
  PostGIS's encoder: ST_AsMVT over the same rows copied beforehand into a table with typed columns, in tile
  coordinates (no index scan, no jsonb, no translation); backend CPU ms a tile on one connection;
- **pool**: the app under uvicorn (2 workers, as `bin/bench` serves it) with TILES_POOL_SIZE 1, 2, 4 and 8
  connections per worker, wrk with 8 connections: tiles/s and CPU a tile of PostgreSQL and of the server; and
  pgbench (raw, 8 connections) beside it.

It prints markdown tables (and writes them to --out). Results and what they decided: bench/RESULTS.md, "The light
path's parts".
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CELLS = [("benchpoints", "z12"), ("benchpoints", "z14"), ("benchpoints", "z16"), ("benchpolygons", "z12"),
         ("benchpolygons", "z14"), ("benchpolygons", "z16")]


def backend_cpu_ms(pid: int) -> float:
    """CPU time of a process (here: a PostgreSQL backend on this machine), in ms."""
    with open(f"/proc/{pid}/schedstat") as fh:
        return int(fh.read().split()[0]) / 1e6


def gzip_codecs() -> dict:
    import gzip

    codecs = {"zlib level 1 (before)": lambda d: gzip.compress(d, compresslevel=1, mtime=0)}
    try:
        from isal import igzip
    except ImportError:
        igzip = None
    if igzip is not None:
        for level in (0, 1, 2):
            codecs[f"isal level {level}"] = lambda d, level=level: igzip.compress(d, compresslevel=level, mtime=0)
    try:
        from zlib_ng import gzip_ng
        codecs["zlib-ng level 1"] = lambda d: gzip_ng.compress(d, compresslevel=1, mtime=0)
    except ImportError:
        pass
    try:
        import deflate
        codecs["libdeflate level 1"] = lambda d: deflate.gzip_compress(d, 1)
    except ImportError:
        pass
    from layers.tile_views import GZIP_CODEC, GZIP_LEVEL, stored_vector_tile

    codecs[f"stored_vector_tile (now: {GZIP_CODEC} level {GZIP_LEVEL})"] = stored_vector_tile
    return codecs


def part_gzip(samples: dict, reps: int) -> list[str]:
    import gzip

    codecs = gzip_codecs()
    lines = ["## gzip: CPU ms a tile / mean gzip bytes", "",
             "| codec | " + " | ".join(f"{layer} {label} ({_mean(tiles) / 1000:.0f} KB)" for (layer, label), tiles
                                      in samples.items()) + " |",
             "| --- | " + " | ".join("---:" for _ in samples) + " |"]
    for name, compress in codecs.items():
        cells = []
        for tiles in samples.values():
            tiles = [t for t in tiles if t]
            assert all(gzip.decompress(compress(t)) == t for t in tiles)
            n = max(1, int(reps * 20_000 / max(1, _mean(tiles))))
            started = time.thread_time()
            for _ in range(n):
                for tile in tiles:
                    compress(tile)
            ms = (time.thread_time() - started) * 1000 / (n * len(tiles))
            cells.append(f"{ms:.3f} / {_mean([len(compress(t)) for t in tiles]):,.0f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines + [""]


def _mean(values):
    values = [v if isinstance(v, (int, float)) else len(v) for v in values]
    return sum(values) / len(values) if values else 0


def statements(cells, lists) -> dict:
    from layers.asgi_tiles import _prepared
    from layers.registry import Viewer, registry
    from layers.selectors import aggregates_ready
    from layers.tiles import tile_sql, uses_aggregates

    out = {}
    for layer_name, label in cells:
        layer = registry.get(layer_name)
        ready = aggregates_ready(layer)
        tiles = lists[label][:50]
        out[(layer_name, label)] = {
            "statements": [tile_sql(layer, Viewer.anonymous(), z, x, y, aggregates=ready) for z, x, y in tiles],
            "prepared": _prepared(layer, tiles[0][0], ready and uses_aggregates(layer, tiles[0][0]))}
    return out


def _conninfo(extra: str = "") -> str:
    from django.db import connection
    from psycopg.conninfo import make_conninfo

    db = connection.settings_dict
    options = "-c max_parallel_workers_per_gather=0" + (f" {extra}" if extra else "")
    return make_conninfo(dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"],
                         port=str(db["PORT"]), options=options)


def _dollar(sql: str, params: list) -> tuple[str, list]:
    """psycopg's %s statement for asyncpg: $n, typed where psycopg sends a typed integer."""
    index = 0

    def placeholder(match):
        nonlocal index
        if match.group(0) == "%%":
            return "%"
        value = params[index]
        index += 1
        cast = {"Int2": "::int2", "Int4": "::int4", "Int8": "::int8"}.get(type(value).__name__, "")
        return f"${index}{cast}"

    values = [int(v) if type(v).__name__ in ("Int2", "Int4", "Int8") else v for v in params]
    return re.sub(r"%%|%s", placeholder, sql), values


async def _round_trips(stmts: list, prepared: bool, reps: int) -> list[tuple[str, float, float]]:
    import psycopg
    from psycopg_pool import AsyncConnectionPool

    rows = []

    async def timed(name, pid, run):
        await run()  # warm: prepared statements, plans, caches
        await run()
        client, backend = time.thread_time(), backend_cpu_ms(pid)
        for _ in range(reps):
            await run()
        n = reps * len(stmts)
        rows.append((name, (time.thread_time() - client) * 1000 / n, (backend_cpu_ms(pid) - backend) / n))

    async def pool_variant(name, extra="", prepare=prepared, binary=True):
        pool = AsyncConnectionPool(_conninfo(extra), min_size=1, max_size=1, kwargs={"autocommit": True}, open=False)
        await pool.open(wait=True)
        async with pool.connection() as conn:
            pid = conn.info.backend_pid

        async def run():
            for sql, params in stmts:
                async with pool.connection() as conn:
                    await (await conn.execute(sql, params, prepare=prepare, binary=binary)).fetchone()

        await timed(name, pid, run)
        await pool.close()

    async def held_variant(name, prepare=prepared, binary=True):
        conn = await psycopg.AsyncConnection.connect(_conninfo(), autocommit=True)

        async def run():
            for sql, params in stmts:
                await (await conn.execute(sql, params, prepare=prepare, binary=binary)).fetchone()

        await timed(name, conn.info.backend_pid, run)
        await conn.close()

    async def simple_text():
        conn = await psycopg.AsyncConnection.connect(_conninfo(), autocommit=True)
        with psycopg.connect(_conninfo()) as sync:
            texts = [psycopg.ClientCursor(sync).mogrify(sql, params) for sql, params in stmts]
        cursor = psycopg.AsyncClientCursor(conn)  # no parameters: the simple query protocol, text out

        async def run():
            for text in texts:
                await cursor.execute(text, prepare=False)
                await cursor.fetchone()

        await timed("the statement as text, simple protocol (as pgbench runs raw)", conn.info.backend_pid, run)
        await conn.close()

    mode = "prepared" if prepared else "not prepared (asgi_tiles._prepared)"
    await pool_variant(f"light path now: pool, {mode}, binary")
    if prepared:
        await pool_variant("pool, prepared, custom plan each time", "-c plan_cache_mode=force_custom_plan")
        await pool_variant("pool, not prepared", prepare=False)
    await held_variant(f"one connection held (no pool), {mode}")
    await held_variant("one connection held, text out", binary=False)
    await simple_text()
    try:
        import asyncpg
    except ImportError:
        return rows
    from django.db import connection

    db = connection.settings_dict
    settings = {"max_parallel_workers_per_gather": "0"}
    converted = [_dollar(sql, list(params)) for sql, params in stmts]

    async def no_reset(_connection):  # the default reset is one more round trip a release
        return None

    for name, options in (("asyncpg pool (prepared, binary)", {}),
                          ("asyncpg pool without its reset on release", {"reset": no_reset})):
        apool = await asyncpg.create_pool(host=db["HOST"], port=int(db["PORT"]), user=db["USER"],
                                          password=db["PASSWORD"], database=db["NAME"], min_size=1, max_size=1,
                                          server_settings=settings, **options)
        async with apool.acquire() as conn:
            pid = conn.get_server_pid()

        async def run(apool=apool):
            for sql, params in converted:
                await apool.fetchval(sql, *params)

        await timed(name, pid, run)
        await apool.close()
    conn = await asyncpg.connect(host=db["HOST"], port=int(db["PORT"]), user=db["USER"], password=db["PASSWORD"],
                                 database=db["NAME"], server_settings=settings)

    async def run_held():
        for sql, params in converted:
            await conn.fetchval(sql, *params)

    await timed("asyncpg, one connection held", conn.get_server_pid(), run_held)
    await conn.close()
    return rows


def part_db(stmts_by_cell: dict, reps: int) -> list[str]:
    lines = ["## db: one tile statement's round trip, CPU ms a tile", "",
             "| cell | variant | client (this thread) | PostgreSQL backend | sum |", "| --- | --- | ---: | ---: | ---: |"]
    for (layer, label), entry in stmts_by_cell.items():
        rows = _run(_round_trips(entry["statements"], entry["prepared"], reps))
        for name, client, backend in rows:
            lines.append(f"| {layer} {label} | {name} | {client:.3f} | {backend:.3f} | {client + backend:.3f} |")
    return lines + [""]


def part_encoder(tile, reps: int) -> list[str]:
    """Backend CPU of variants of one pre-drawn tile statement (see the module's docstring)."""
    import psycopg

    from layers.registry import Viewer, registry
    from layers.selectors import aggregates_ready
    from layers.tiles import tile_sql

    layer = registry.get("benchpoints")
    with psycopg.connect(_conninfo(), autocommit=True) as conn:
        sql, params = tile_sql(layer, Viewer.anonymous(), *tile, aggregates=aggregates_ready(layer))
        served = psycopg.ClientCursor(conn).mogrify(sql, params)
        mvt = "ST_AsMVT(t, 'benchpoints', 4096, 'mvtgeom', 'mvt_id')"
        if mvt not in served or ", s.props AS props" not in served:
            return [f"(encoder: the z{tile[0]} statement is not the pre-drawn rows' form; nothing measured)", ""]
        inner = served[served.index("(SELECT ") + 1:served.rindex(") AS t")]
        conn.execute(f"CREATE TEMP TABLE typed AS SELECT i.mvtgeom, i.mvt_id, i.props->>'name' AS name, "
                     f"(i.props->>'category')::smallint AS category, (i.props->>'value')::float8 AS value "
                     f"FROM ({inner}) AS i")
        variants = [
            ("the statement as served (index scan, ST_Translate, jsonb properties)", served),
            ("its rows read, no ST_AsMVT", served.replace(mvt, "count(t.props)")),
            ("ST_AsMVT without the properties", served.replace(", s.props AS props", "")),
            ("ST_AsMVT of the rows copied beforehand, typed columns, tile coordinates (the encoder's floor)",
             f"SELECT {mvt} FROM (SELECT mvtgeom, mvt_id, name, category, value FROM typed) AS t"),
        ]
        pid = conn.info.backend_pid
        rows = []
        for name, text in variants:
            for _ in range(3):
                conn.execute(text)  # warm the cache
            runs = max(20, reps * 25)
            before = backend_cpu_ms(pid)
            for _ in range(runs):
                conn.execute(text).fetchone()
            rows.append((name, (backend_cpu_ms(pid) - before) / runs))
        count = conn.execute("SELECT count(*) FROM typed").fetchone()[0]
    lines = [f"## encoder: PostgreSQL CPU ms of benchpoints' z{tile[0]} City Hall tile ({count:,} points), "
             "one connection", "", "| variant | PostgreSQL backend CPU ms |", "| --- | ---: |"]
    lines += [f"| {name} | {ms:.2f} |" for name, ms in rows]
    return lines + [""]


def part_request(cells, lists, reps: int) -> list[str]:
    from django.conf import settings
    from django.core.asgi import get_asgi_application

    from bench.tileprofile import call
    from layers import asgi_tiles
    from layers.asgi_tiles import TilesFirst
    from layers.registry import registry
    from layers.selectors import layer_tile_version

    settings.TILES_CACHE_BACKEND = "none"
    asgi_tiles._config = None
    light = TilesFirst(get_asgi_application())
    lines = ["## request: a whole light-path request in one process (no HTTP, tile cache off), CPU ms", "",
             "| cell | CPU ms a request (this process; the backend not counted) |", "| --- | ---: |"]

    versions = {name: layer_tile_version(registry.get(name)) for name, _ in cells}  # the ORM: outside the loop

    async def run():
        for layer_name, label in cells:
            version = versions[layer_name]
            paths = [f"/tiles/{layer_name}/{z}/{x}/{y}.mvt?v={version}" for z, x, y in lists[label][:50]]
            for path in paths:
                await call(light, path)
            started = time.thread_time()
            for _ in range(reps):
                for path in paths:
                    await call(light, path)
            lines.append(f"| {layer_name} {label} | {(time.thread_time() - started) * 1000 / (reps * len(paths)):.3f} |")
        await light.close()

    _run(run())
    return lines + [""]


def part_pool(cells, lists, config, sizes=(1, 2, 4, 8)) -> list[str]:
    from bench import tilebench as t

    url = os.environ["DATABASE_URL"]
    workdir = Path(tempfile.mkdtemp(prefix="geoplatform-lightbench-"))
    servers = {}
    lines = ["## pool: connections per worker (TILES_POOL_SIZE), uvicorn 2 workers, wrk 8 connections", "",
             "| cell | target | tiles/s | p95 ms | PostgreSQL CPU ms a tile | server CPU ms a tile | client CPU ms a tile |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    saved = dict(os.environ)
    try:
        for size in sizes:
            os.environ["TILES_POOL_SIZE"] = str(size)
            servers[size] = t.app_server(url, config, "none")
        os.environ.clear()
        os.environ.update(saved)
        postmaster = t.postmaster_pid()
        for layer, label in cells:
            row = t.Row(layer=layer, label=label, tiles=lists[label])
            paths = t.our_paths(row)
            order = [("raw", None)] + [(f"ours, pool {size}", server) for size, server in servers.items()]
            for name, server in order:
                meter = t.CpuMeter(postmaster, [server.process.pid] if server else [])
                if server is None:
                    m = meter.finish(t.run_pgbench(row, url, config, workdir), config.duration)
                else:
                    m = meter.finish(t.run_wrk(server.base, paths, config, workdir, f"pool-{name[-1]}"), config.duration)
                server_ms = f"{m.cpu_server_ms:.2f}" if m.cpu_server_ms is not None else "–"
                lines.append(f"| {layer} {label} | {name} | {m.tiles_per_s:,.0f} | {m.p95:.1f} | {m.cpu_pg_ms:.2f} | "
                             f"{server_ms} | {m.cpu_client_ms:.2f} |")
                print(lines[-1], file=sys.stderr, flush=True)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        for server in servers.values():
            server.stop()
    return lines + [""]


def _run(coroutine):
    try:
        import uvloop  # as uvicorn runs the app

        return uvloop.run(coroutine)
    except ImportError:
        return asyncio.run(coroutine)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the quick benchmark database (bin/bench --quick)")
    parser.add_argument("--parts", default="gzip,db,request", help="gzip,db,request,encoder,pool")
    parser.add_argument("--cells", default=None, help="e.g. benchpoints:z16,benchpolygons:z16 (default: z12-z16)")
    parser.add_argument("--reps", type=int, default=4)
    parser.add_argument("--duration", type=int, default=5, help="seconds per cell of the pool part")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    from bench import tilebench as t

    config = t.parse_args((["--quick"] if args.quick else []) + ["--duration", str(args.duration)])
    os.environ.update({"DATABASE_URL": t.with_database(t.base_url(), config.database),
                       "DJANGO_SETTINGS_MODULE": "bench.settings", "CONN_MAX_AGE": "600"})
    import django

    django.setup()
    cells = [tuple(c.split(":")) for c in args.cells.split(",")] if args.cells else CELLS
    lists = dict(t.tile_lists(config))
    parts = args.parts.split(",")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [f"Run {started}: `.venv/bin/python -m bench.lightbench {' '.join(argv or sys.argv[1:])}` on "
             f"`{config.database}`; load average (1 min) {os.getloadavg()[0]:.1f} at the start.", ""]
    if "gzip" in parts:
        from layers.registry import Viewer, registry
        from layers.tiles import render_vector_tile

        rng = random.Random(5)
        samples = {}
        for layer_name, label in cells:
            tiles = lists[label][:20]
            rng.shuffle(tiles)
            samples[(layer_name, label)] = [render_vector_tile(registry.get(layer_name), Viewer.anonymous(), *zxy)
                                            for zxy in tiles]
        lines += part_gzip(samples, args.reps)
    if "db" in parts:
        lines += part_db(statements(cells, lists), args.reps)
    if "request" in parts:
        lines += part_request(cells, lists, args.reps)
    if "encoder" in parts:
        lines += part_encoder(lists["z14 City Hall"][0], args.reps)
    if "pool" in parts:
        lines += part_pool(cells, lists, config)
    lines.append(f"Load average (1 min) at the end: {os.getloadavg()[0]:.1f}.")
    text = "\n".join(lines)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
