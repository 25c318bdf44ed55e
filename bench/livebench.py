"""make bench-live: N sockets on one public map while one editor sends E edits per second.

    python -m bench.livebench [--sockets 500] [--rate 10] [--duration 30] [--workers 1]

Starts its own Redis (channel layer and presence) and the ASGI application under uvicorn (`--workers`
processes) over a benchmark database on the project's PostGIS cluster, opens the viewers (anonymous,
public map, each pinging every 5 s as the web app does) and one editor (token; `feature.update` over
its socket, round-robin over 50 features, each based on the version its last ack returned).

Reported: broadcast latency from the editor's send to each viewer's receipt of the `feature.updated`
event (p50/p95/p99/max over every delivery), edit round trip (send → ack: the database write), fan-out
after commit (viewer's receipt − editor's ack receipt), messages per second delivered,
deliveries missing at the end, and the server's CPU. Clients run in this process (uvloop when present),
so they share the machine's cores with the server, Redis and PostgreSQL.
"""
import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.tilebench import base_url, ensure_database, log, with_database
from live.local_redis import redis_start

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
UVICORN = str(ROOT / ".venv" / "bin" / "uvicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(n_features: int) -> tuple[int, str, list[int]]:
    """A public map with features, its owner's token (in the benchmark database)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.gis.geos import Point
    from rest_framework.authtoken.models import Token

    from maps.services import feature_create, map_create

    User = get_user_model()
    owner, _ = User.objects.get_or_create(username="live-bench", defaults={"email": "live-bench@example.org"})
    m = map_create(owner=owner, title=f"live bench {time.strftime('%H:%M:%S')}")
    ids = [feature_create(map_obj=m, actor=owner, geom=Point(126.97 + i * 1e-4, 37.56, srid=4326), name=f"f{i}").pk
           for i in range(n_features)]
    token, _ = Token.objects.get_or_create(user=owner)
    return m.pk, token.key, ids


class Stats:
    def __init__(self):
        self.sent: dict[str, float] = {}
        self.acked: dict[str, float] = {}
        self.latencies: list[float] = []
        self.received: list[tuple[str, float]] = []
        self.acks: list[float] = []
        self.delivered = 0
        self.other = 0
        self.closed = 0
        self.errors = 0


async def viewer(url: str, stats: Stats, stop: asyncio.Event, ready: asyncio.Queue):
    import websockets

    try:
        async with websockets.connect(url, max_size=2**22, open_timeout=60, ping_interval=None) as ws:
            await ws.recv()  # hello
            await ready.put(True)

            async def ping():
                while not stop.is_set():
                    await asyncio.sleep(5)
                    await ws.send('{"type":"ping"}')

            pinger = asyncio.ensure_future(ping())
            try:
                while not stop.is_set():
                    try:
                        raw = await asyncio.wait_for(ws.recv(), timeout=1.0)
                    except asyncio.TimeoutError:
                        continue
                    now = time.perf_counter()
                    if raw.startswith('{"type": "feature.updated"'):
                        message = json.loads(raw)
                        tag = message["feature"]["properties"]["name"]
                        sent = stats.sent.get(tag)
                        if sent is not None:
                            stats.latencies.append(now - sent)
                            stats.received.append((tag, now))
                            stats.delivered += 1
                    else:
                        stats.other += 1
            finally:
                pinger.cancel()
    except Exception:  # noqa: BLE001
        stats.closed += 1
        await ready.put(False)


async def editor(url: str, token: str, ids: list[int], rate: float, duration: float, stats: Stats):
    import websockets

    versions = {fid: 1 for fid in ids}
    pending = {}
    async with websockets.connect(url, additional_headers={"Authorization": f"Token {token}"},
                                  ping_interval=None, max_size=2**22) as ws:
        await ws.recv()

        async def read():
            async for raw in ws:
                message = json.loads(raw)
                if message.get("type") in ("ack", "conflict", "error"):
                    ref = message.get("ref")
                    if ref in pending:
                        fid, t0 = pending.pop(ref)
                        stats.acked[f"edit-{ref[1:]}"] = time.perf_counter()
                        if message["type"] == "ack":
                            versions[fid] = message["version"]
                            stats.acks.append(time.perf_counter() - t0)
                        else:
                            stats.errors += 1

        reader = asyncio.ensure_future(read())
        start = time.perf_counter()
        n = 0
        while time.perf_counter() - start < duration:
            target = start + n / rate
            await asyncio.sleep(max(0.0, target - time.perf_counter()))
            fid = ids[n % len(ids)]
            tag = f"edit-{n}"
            ref = f"r{n}"
            now = time.perf_counter()
            stats.sent[tag] = now
            pending[ref] = (fid, now)
            await ws.send(json.dumps({"type": "feature.update", "ref": ref, "id": fid, "base_version": versions[fid],
                                      "changes": {"name": tag}}))
            if n % 25 == 0:
                await ws.send('{"type":"ping"}')
            n += 1
        await asyncio.sleep(3)  # let the last broadcasts arrive
        reader.cancel()
        return n


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            pass
    return total


def server_pids(root_pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(root_pid)], capture_output=True, text=True).stdout.split()
    return [root_pid, *map(int, out)]


async def run(config, port: int, map_id: int, token: str, ids: list[int]) -> dict:
    stats, stop, ready = Stats(), asyncio.Event(), asyncio.Queue()
    url = f"ws://127.0.0.1:{port}/ws/maps/{map_id}/"
    t0 = time.perf_counter()
    viewers = []
    for i in range(config.sockets):
        viewers.append(asyncio.ensure_future(viewer(url, stats, stop, ready)))
        if i % 50 == 49:
            await asyncio.sleep(0.2)
    ok = 0
    for _ in range(config.sockets):
        ok += bool(await ready.get())
    connect_s = time.perf_counter() - t0
    log(f"{ok}/{config.sockets} sockets open in {connect_s:.1f} s; editing at {config.rate}/s for {config.duration} s")
    await asyncio.sleep(2)
    stats.other = 0
    sent = await editor(url, token, ids, config.rate, config.duration, stats)
    stop.set()
    await asyncio.gather(*viewers, return_exceptions=True)
    return {"stats": stats, "open": ok, "sent": sent, "connect_s": connect_s}


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=500)
    parser.add_argument("--rate", type=float, default=10.0, help="edits per second")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of editing")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn processes")
    parser.add_argument("--database", default="geoplatform_livebench")
    config = parser.parse_args(argv)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass

    cluster = base_url()
    ensure_database(cluster, config.database)
    url = with_database(cluster, config.database)
    redis_process, redis_url = redis_start()
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings", "CHANNEL_REDIS_URL": redis_url,
           "TILES_CACHE_BACKEND": "none"}
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], check=True, cwd=ROOT, env=env)
    map_id, token, ids = prepare(50)
    port = free_port()
    server = subprocess.Popen([UVICORN, "geoplatform.asgi:application", "--host", "127.0.0.1", "--port", str(port),
                               "--ws", "websockets-sansio", "--lifespan", "off", "--no-access-log", "--log-level",
                               "warning", "--workers", str(config.workers)], cwd=ROOT, env=env)
    try:
        import urllib.request

        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except Exception:  # noqa: BLE001
                time.sleep(0.1)
        pids = server_pids(server.pid)
        started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        cpu0, wall0 = cpu_seconds(pids), time.perf_counter()
        result = asyncio.run(run(config, port, map_id, token, ids))
        cpu = (cpu_seconds(pids) - cpu0) / (time.perf_counter() - wall0)
    finally:
        server.terminate()
        server.wait(timeout=20)
        redis_process.terminate()
        redis_process.wait(timeout=10)
    stats = result["stats"]
    expected = result["sent"] * result["open"]
    lat = stats.latencies
    # After commit: the ack and the broadcast leave the server at the same moment (on_commit), so a viewer's
    # receipt minus the editor's ack receipt is the live path alone (channel layer, fan-out, sockets).
    fanout = [max(0.0, at - stats.acked[tag]) for tag, at in stats.received if tag in stats.acked]
    rows = [
        ("sockets open", f"{result['open']} / {config.sockets} (connected in {result['connect_s']:.1f} s)"),
        ("edits sent", f"{result['sent']} at {config.rate:g}/s ({stats.errors} refused or conflicting)"),
        ("edit round trip (send → ack) p50 / p95", f"{pct(stats.acks, .5):.0f} / {pct(stats.acks, .95):.0f} ms"),
        ("broadcast latency p50 / p95 / p99 / max",
         f"{pct(lat, .5):.0f} / {pct(lat, .95):.0f} / {pct(lat, .99):.0f} / {pct(lat, 1):.0f} ms"),
        ("fan-out after commit (viewer receipt − editor's ack) p50 / p95 / p99",
         f"{pct(fanout, .5):.0f} / {pct(fanout, .95):.0f} / {pct(fanout, .99):.0f} ms"),
        ("events delivered", f"{stats.delivered:,} of {expected:,} ({100 * stats.delivered / max(1, expected):.2f} %)"),
        ("messages per second delivered", f"{stats.delivered / config.duration:,.0f}"),
        ("server CPU (uvicorn processes)", f"{cpu:.2f} cores"),
    ]
    print(f"\nbench-live {started}: {config.sockets} sockets, {config.rate:g} edits/s, {config.duration:g} s, "
          f"{config.workers} uvicorn worker(s)\n")
    print("| measure | value |\n| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")
    target = pct(lat, .95) < 250 and stats.delivered >= 0.999 * expected
    print(f"\ntarget p95 < 250 ms with every event delivered: {'met' if target else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
