"""make bench-live: N sockets on one public map while one editor sends E edits per second.

    python -m bench.livebench [--sockets 500] [--rate 10] [--duration 30] [--workers 2] [--clients 2]
                              [--profile DIR]

Starts its own Redis (channel layer and presence) and the ASGI application under uvicorn (`--workers`
processes, `websockets-sansio`) over a benchmark database on the project's PostGIS cluster. The viewers
(anonymous, public map, each pinging every 5 s as the web app does) are spread over `--clients` client
processes (asyncio + `websockets`, uvloop); the editor (a token; `feature.update` over its socket,
round-robin over 50 features, each based on the version its last ack returned) runs alone in this process,
so its acks never queue behind viewers' messages.

Reported: broadcast latency from the editor's send to each viewer's receipt of the `feature.updated`
event (p50/p95/p99/max over every delivery; one monotonic clock shared by the processes), the edit round
trip (send → ack: the database write), fan-out after commit (viewer's receipt − editor's ack receipt),
messages per second delivered, deliveries missing at the end, CPU of the server, the clients and Redis,
and the load average. `--profile DIR` samples every uvicorn worker with py-spy during the edits (collapsed
stacks, DIR/live-<pid>.txt) and prints the heaviest frames.
"""
import argparse
import asyncio
import json
import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from array import array
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
UVICORN = str(ROOT / ".venv" / "bin" / "uvicorn")
TAG = re.compile(r'"name": "e(\d+)"')


def log(message: str) -> None:
    print(f"[bench-live] {message}", file=sys.stderr, flush=True)


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


# --- viewers: one client process holds sockets/clients of them -------------------------------------------
def _uvloop():
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass


def viewers_process(url: str, count: int, conn) -> None:
    """Open `count` viewer sockets, report how many joined, record (edit number, receipt time) of every
    feature.updated until told to stop, send the records back."""
    _uvloop()
    edits, times = array("l"), array("d")
    tally = Counter()

    async def viewer(ready: asyncio.Queue, stop: asyncio.Event):
        import websockets

        try:
            async with websockets.connect(url, max_size=2**22, open_timeout=120, ping_interval=None,
                                          compression=None) as ws:
                await ws.recv()  # hello
                await ready.put(True)

                async def ping():
                    while True:
                        await asyncio.sleep(5)
                        await ws.send('{"type":"ping"}')

                pinger = asyncio.ensure_future(ping())
                try:
                    async for raw in ws:
                        now = time.monotonic()
                        if raw.startswith('{"type": "feature.updated"'):
                            found = TAG.search(raw)
                            if found:
                                edits.append(int(found.group(1)))
                                times.append(now)
                                continue
                        tally[raw[:30].split('"')[3] if raw.count('"') > 3 else "?"] += 1
                finally:
                    pinger.cancel()
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # noqa: BLE001
            code = getattr(getattr(exc, "rcvd", None), "code", "")
            tally[f"closed: {type(exc).__name__} {code}".strip()] += 1
            await ready.put(False)

    async def main():
        ready, stop = asyncio.Queue(), asyncio.Event()
        tasks = []
        for i in range(count):
            tasks.append(asyncio.ensure_future(viewer(ready, stop)))
            if i % 25 == 24:
                await asyncio.sleep(0.1)
        ok = 0
        for _ in range(count):
            ok += bool(await ready.get())
        conn.send(("ready", ok))
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, conn.recv)  # "stop"
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(main())
    conn.send(("done", edits.tobytes(), times.tobytes(), dict(tally)))
    conn.close()


# --- the editor ----------------------------------------------------------------------------------------------
async def editor(url: str, token: str, ids: list[int], rate: float, duration: float):
    import websockets

    versions = {fid: 1 for fid in ids}
    pending, sent, acked, round_trips, refused = {}, {}, {}, [], Counter()
    async with websockets.connect(url, additional_headers={"Authorization": f"Token {token}"},
                                  ping_interval=None, max_size=2**22, compression=None) as ws:
        await ws.recv()

        async def read():
            async for raw in ws:
                message = json.loads(raw)
                if message.get("type") in ("ack", "conflict", "error"):
                    ref = message.get("ref")
                    if ref in pending:
                        fid, t0 = pending.pop(ref)
                        now = time.monotonic()
                        acked[int(ref[1:])] = now
                        if message["type"] == "ack":
                            versions[fid] = message["version"]
                            round_trips.append(now - t0)
                        else:
                            refused[f"{message['type']} {message.get('status', '')}".strip()] += 1

        reader = asyncio.ensure_future(read())
        start = time.monotonic()
        n = 0
        while time.monotonic() - start < duration:
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
            fid = ids[n % len(ids)]
            now = time.monotonic()
            sent[n] = now
            pending[f"r{n}"] = (fid, now)
            await ws.send(json.dumps({"type": "feature.update", "ref": f"r{n}", "id": fid,
                                      "base_version": versions[fid], "changes": {"name": f"e{n}"}}))
            if n % 25 == 0:
                await ws.send('{"type":"ping"}')
            n += 1
        await asyncio.sleep(3)  # let the last broadcasts arrive
        reader.cancel()
    return {"sent": sent, "acked": acked, "round_trips": round_trips, "refused": refused}


# --- measuring ------------------------------------------------------------------------------------------------
def cpu_seconds(pids) -> float:
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            pass
    return total


def children(root_pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(root_pid)], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in out]


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def wait_http(port: int) -> None:
    import urllib.request

    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except Exception:  # noqa: BLE001
            time.sleep(0.1)
    raise SystemExit("uvicorn did not answer /healthz")


def profile_start(pids, directory: Path, seconds: float):
    spy = shutil.which("py-spy") or str(ROOT / ".venv" / "bin" / "py-spy")
    if not Path(spy).exists():
        log("py-spy is not installed (.venv/bin/pip install py-spy): no profile")
        return []
    directory.mkdir(parents=True, exist_ok=True)
    return [(subprocess.Popen([spy, "record", "--format", "raw", "--nonblocking", "--rate", "200",
                               "-d", str(int(seconds)), "-p", str(pid), "-o", str(directory / f"live-{pid}.txt")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), directory / f"live-{pid}.txt")
            for pid in pids]


def profile_report(runs) -> None:
    """The frames where the workers' samples were (self time) and the widest callers (total time)."""
    own, total, samples = Counter(), Counter(), 0
    for process, path in runs:
        process.wait(timeout=60)
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            count = int(count)
            samples += count
            frames = [f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].rsplit("/", 1)[-1] + ")"
                      for f in stack.split(";") if f]
            if frames:
                own[frames[-1]] += count
            for frame in set(frames):
                total[frame] += count
    if not samples:
        return
    print(f"\nprofile: {samples} samples over the workers (py-spy, 200 Hz)\n\nself time:")
    for frame, count in own.most_common(15):
        print(f"  {100 * count / samples:5.1f} %  {frame}")
    print("\ntotal time (frame on the stack):")
    for frame, count in total.most_common(30):
        print(f"  {100 * count / samples:5.1f} %  {frame}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=500)
    parser.add_argument("--rate", type=float, default=10.0, help="edits per second")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of editing")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn processes")
    parser.add_argument("--clients", type=int, default=2, help="viewer client processes")
    parser.add_argument("--database", default="geoplatform_livebench")
    parser.add_argument("--profile", type=Path, help="sample the workers with py-spy into this folder")
    config = parser.parse_args(argv)
    _uvloop()

    from bench.tilebench import base_url, ensure_database, with_database
    from live.local_redis import redis_start

    cluster = base_url()
    ensure_database(cluster, config.database)
    url = with_database(cluster, config.database)
    redis_process, redis_url = redis_start()
    # The editor is a bulk client sending 10 operations a second: above a person's limit (300/minute).
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings",
           "CHANNEL_REDIS_URL": redis_url, "TILES_CACHE_BACKEND": "none", "THROTTLE_LIVE_EDITS": "100000/minute"}
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], check=True, cwd=ROOT, env=env)
    map_id, token, ids = prepare(50)
    port = free_port()
    server = subprocess.Popen([UVICORN, "geoplatform.asgi:application", "--host", "127.0.0.1", "--port", str(port),
                               "--ws", "websockets-sansio", "--ws-ping-interval", "0", "--lifespan", "off",
                               "--no-access-log", "--log-level", "warning", "--workers", str(config.workers)],
                              cwd=ROOT, env=env)
    clients = []
    try:
        wait_http(port)
        workers = children(server.pid)
        socket_url = f"ws://127.0.0.1:{port}/ws/maps/{map_id}/"
        started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        load_before = loadavg()
        context = multiprocessing.get_context("spawn")
        t0 = time.monotonic()
        shares = [config.sockets // config.clients + (i < config.sockets % config.clients) for i in range(config.clients)]
        for share in shares:
            parent, child = context.Pipe()
            process = context.Process(target=viewers_process, args=(socket_url, share, child), daemon=True)
            process.start()
            clients.append((process, parent))
        opened = sum(parent.recv()[1] for _process, parent in clients)
        connect_s = time.monotonic() - t0
        log(f"{opened}/{config.sockets} sockets open in {connect_s:.1f} s over {config.clients} client processes; "
            f"editing at {config.rate:g}/s for {config.duration:g} s")
        time.sleep(2)
        server_pids = [server.pid, *workers]
        client_pids = [process.pid for process, _ in clients]
        redis_pid = [redis_process.pid]
        cpu0 = (cpu_seconds(server_pids), cpu_seconds(client_pids), cpu_seconds(redis_pid), time.monotonic())
        spies = profile_start(workers, config.profile, config.duration) if config.profile else []
        edits = asyncio.run(editor(socket_url, token, ids, config.rate, config.duration))
        wall = time.monotonic() - cpu0[3]
        cpu = [(cpu_seconds(p) - c) / wall for p, c in zip((server_pids, client_pids, redis_pid), cpu0[:3])]
        load_after = loadavg()
        records = []
        tally = Counter()
        for process, parent in clients:
            parent.send("stop")
            _done, edit_bytes, time_bytes, counts = parent.recv()
            got_edits, got_times = array("l"), array("d")
            got_edits.frombytes(edit_bytes)
            got_times.frombytes(time_bytes)
            records.extend(zip(got_edits, got_times))
            tally.update(counts)
            process.join(timeout=30)
    finally:
        for process, _parent in clients:
            if process.is_alive():
                process.terminate()
        server.terminate()
        server.wait(timeout=30)
        redis_process.terminate()
        redis_process.wait(timeout=10)
    if config.profile:
        profile_report(spies)

    sent, acked = edits["sent"], edits["acked"]
    latencies = [at - sent[n] for n, at in records if n in sent]
    fanout = [max(0.0, at - acked[n]) for n, at in records if n in acked]
    expected = len(sent) * opened
    delivered = len(latencies)
    refused = ", ".join(f"{k}: {v}" for k, v in edits["refused"].items()) or "none"
    rows = [
        ("sockets open", f"{opened} / {config.sockets} (joined in {connect_s:.1f} s)"),
        ("edits sent", f"{len(sent)} at {config.rate:g}/s (not applied: {refused})"),
        ("edit round trip (send → ack) p50 / p95 / p99",
         f"{pct(edits['round_trips'], .5):.0f} / {pct(edits['round_trips'], .95):.0f} / "
         f"{pct(edits['round_trips'], .99):.0f} ms"),
        ("**broadcast latency (send → every viewer's receipt) p50 / p95 / p99 / max**",
         f"**{pct(latencies, .5):.0f} / {pct(latencies, .95):.0f} / {pct(latencies, .99):.0f} / "
         f"{pct(latencies, 1):.0f} ms**"),
        ("fan-out after commit (viewer's receipt − editor's ack) p50 / p95 / p99",
         f"{pct(fanout, .5):.0f} / {pct(fanout, .95):.0f} / {pct(fanout, .99):.0f} ms"),
        ("events delivered", f"{delivered:,} of {expected:,} ({100 * delivered / max(1, expected):.2f} %)"),
        ("messages per second delivered", f"{delivered / config.duration:,.0f}"),
        ("CPU: server (uvicorn) / clients / Redis", f"{cpu[0]:.2f} / {cpu[1]:.2f} / {cpu[2]:.2f} cores"),
        ("load average before / after", f"{load_before} / {load_after}"),
    ]
    print(f"\nbench-live {started}: {config.sockets} sockets, {config.rate:g} edits/s, {config.duration:g} s, "
          f"{config.workers} uvicorn worker(s), {config.clients} client process(es)\n")
    print("| measure | value |\n| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")
    if tally:
        print(f"\nother messages seen by viewers: {dict(tally)}")
    met = pct(latencies, .95) < 250 and delivered >= 0.999 * expected
    print(f"\ntarget p95 < 250 ms with every event delivered: {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
