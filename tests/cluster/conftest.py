"""Fault drills against a running cluster (bin/test-cluster starts one; `make test` skips this folder).

Everything goes over real HTTP to nginx on 127.0.0.1 and over psql to the real primary and replica.
The load is a small threaded client with a bounded number of requests, on the loopback only.
"""
from __future__ import annotations

import json
import math
import os
import random
import signal
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.servers import wait_healthy

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-Long-drill-pa55word"
OK = {200, 201, 202, 204, 304}
SEOUL = (126.80, 37.45, 127.15, 37.68)  # lon/lat box inside the city

if not os.environ.get("GEOPLATFORM_CLUSTER"):
    collect_ignore_glob = ["test_*.py"]


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


class Cluster:
    def __init__(self):
        out = subprocess.run([str(ROOT / "bin" / "cluster"), "env"], capture_output=True, text=True, check=True).stdout
        self.env = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        self.env = {k: v.strip('"') for k, v in self.env.items()}
        self.base = f"http://127.0.0.1:{self.env['PORT']}"
        self.db_password = (Path(self.env["CLUSTER_DIR"]) / "db_password").read_text().strip()

    def url(self, path: str) -> str:
        return self.base + path

    def pid(self, role: str) -> int:
        return int((Path(self.env["CLUSTER_PIDS"]) / f"{role}.pid").read_text())

    def sql(self, role: str, query: str) -> str:
        port = self.env["PRIMARY_PORT" if role == "primary" else "REPLICA_PORT"]
        result = subprocess.run(["psql", "-X", "-tA", "-h", "127.0.0.1", "-p", port, "-U", "geoplatform", "-d", "geoplatform",
                                 "-c", query], capture_output=True, text=True, timeout=30,
                                env={**os.environ, "PGPASSWORD": self.db_password})
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def role(self, action: str, role: str) -> None:
        subprocess.run([str(ROOT / "bin" / "cluster"), action, role], check=True, timeout=180)

    def kill(self, role: str) -> None:
        """SIGKILL the node: its whole process group (a gunicorn master and its workers, a worker)."""
        os.killpg(self.pid(role), signal.SIGKILL)

    def wait_streaming(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.sql("primary", "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == "1":
                    return
            except AssertionError:
                pass
            time.sleep(0.5)
        raise AssertionError("the replica is not streaming from the primary")

    def wait_healthy(self, timeout: float = 60) -> dict:
        """/healthz of the cluster's nginx: 200 with every replica streaming and caught up."""
        def ready(response: requests.Response) -> bool:
            replicas = response.json().get("replicas", {}).values()
            return response.status_code == 200 and all(r["state"] == "ok" for r in replicas)

        return wait_healthy(self.base, timeout=timeout, ready=ready, request_timeout=3).json()


@pytest.fixture(scope="session")
def cluster() -> Cluster:
    c = Cluster()
    c.wait_healthy()
    return c


@dataclass
class Editor:
    """A signed-up citizen with an API token and a cookie jar (which carries the read-your-writes pin)."""

    cluster: Cluster
    session: requests.Session
    username: str
    map_id: int = 0

    def add_feature(self, name: str, lon: float = 126.9779, lat: float = 37.5663, **kwargs) -> requests.Response:
        return self.session.post(self.cluster.url(f"/api/maps/{self.map_id}/features/"), timeout=15, json={
            "geometry": {"type": "Point", "coordinates": [lon, lat]}, "name": name}, **kwargs)


def make_editor(cluster: Cluster) -> Editor:
    username = f"drill-{uuid.uuid4().hex[:10]}"
    session = requests.Session()
    # Sign-up answers the same for every name and activates the account only through the e-mailed link
    # (issue 16), so the drills' editors are made directly on the primary: confirmed, with an API token.
    code = ("import sys; from django.utils import timezone; from accounts.models import User; "
            "from rest_framework.authtoken.models import Token; "
            "u = User.objects.create_user(sys.argv[-2], f'{sys.argv[-2]}@example.org', sys.argv[-1]); "
            "u.email_verified_at = timezone.now(); u.save(); print(Token.objects.create(user=u).key)")
    env = {**os.environ, "DEBUG": "1", "SECRET_KEY": "drill-only", "DATABASE_URL": cluster.env["DATABASE_URL"],
           "DJANGO_SETTINGS_MODULE": "geoplatform.settings.base"}
    env.pop("DATABASE_REPLICA_URLS", None)
    made = subprocess.run([str(ROOT / ".venv/bin/python"), "-c",
                           "import django, sys; django.setup(); exec(sys.argv[1])", code, username, PASSWORD],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr[-2000:]
    session.headers["Authorization"] = f"Token {made.stdout.strip().splitlines()[-1]}"
    session.headers["Accept-Language"] = "en"
    editor = Editor(cluster, session, username)
    response = session.post(cluster.url("/api/maps/"), timeout=15,
                            json={"title": f"drill {username}", "visibility": "public", "contribution_mode": "open"})
    assert response.status_code == 201, response.text
    editor.map_id = response.json()["id"]
    return editor


@pytest.fixture
def editor(cluster) -> Editor:
    return make_editor(cluster)


@dataclass
class Load:
    """Visitors on public maps: random tiles of Seoul (zoom 12-15), TileJSON, OGC API, map pages.

    Bounded: `threads` clients, at most `max_requests` in all, a short pause between requests.
    """

    cluster: Cluster
    map_id: int
    threads: int = 4
    max_requests: int = 50_000
    pause: float = 0.02
    results: list = field(default_factory=list)  # (time, path, status or error)

    def paths(self, rng: random.Random):
        z = rng.randint(12, 15)
        x, y = tile_of(rng.uniform(SEOUL[0], SEOUL[2]), rng.uniform(SEOUL[1], SEOUL[3]), z)
        return rng.choice([
            f"/tiles/districts/{z}/{x}/{y}.mvt", f"/tiles/map-{self.map_id}/{z}/{x}/{y}.mvt",
            f"/tiles/districts/{z}/{x}/{y}.mvt", "/tiles/districts.json", f"/tiles/map-{self.map_id}.json",
            "/ogc/collections/districts/items?limit=3", f"/ogc/collections/map-{self.map_id}/items?limit=20",
            f"/maps/{self.map_id}/", "/",
        ])

    def _run(self, seed: int):
        rng = random.Random(seed)
        session = requests.Session()
        while not self._stop.is_set() and len(self.results) < self.max_requests:
            path = self.paths(rng)
            try:
                status = session.get(self.cluster.url(path), timeout=20, headers={"Accept-Encoding": "gzip"}).status_code
            except requests.RequestException as exc:
                status = type(exc).__name__
            self.results.append((time.time(), path, status))
            time.sleep(self.pause)

    def __enter__(self):
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(self.threads)]
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for t in self._threads:
            t.join(timeout=30)

    def since(self, t0: float) -> list:
        return [r for r in self.results if r[0] >= t0]

    def failures(self, t0: float = 0) -> list:
        return [r for r in self.since(t0) if r[2] not in OK]


@pytest.fixture
def load(cluster):
    public = make_editor(cluster)
    assert public.add_feature("load anchor").status_code == 201
    return Load(cluster, public.map_id)


@dataclass
class Writer:
    """One citizen adding features one after another, recording each answer."""

    editor: Editor
    pause: float = 0.05
    answers: list = field(default_factory=list)  # (name, status or error)
    saved_on_503: set = field(default_factory=set)  # 503s that said the change was saved

    def _run(self):
        i = 0
        while not self._stop.is_set():
            name = f"w-{uuid.uuid4().hex[:12]}"
            try:
                response = self.editor.add_feature(name, lon=126.9779 + (i % 50) * 1e-4)
                status = response.status_code
                if status == 503 and response.json()["detail"].startswith("Your change was saved"):
                    self.saved_on_503.add(name)
            except requests.RequestException as exc:
                status = type(exc).__name__
            self.answers.append((name, status))
            i += 1
            time.sleep(self.pause)

    def __enter__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=30)

    def stored(self) -> dict[str, int]:
        """name -> how many rows the primary holds for it."""
        rows = self.editor.cluster.sql("primary", f"SELECT name, count(*) FROM maps_feature WHERE map_id = {self.editor.map_id} "
                                                  "AND name LIKE 'w-%' GROUP BY name")
        return {name: int(n) for name, n in (line.split("|") for line in rows.splitlines() if line)}


REPORT = ROOT / "var" / "cluster-drills.json"


@pytest.fixture(scope="session")
def report():
    """What the drills saw (counts per drill), kept for docs/scale.md."""
    data: dict = {}
    yield data
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(data, indent=2, ensure_ascii=False))
