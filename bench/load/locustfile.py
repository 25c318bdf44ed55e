"""Seoul's traffic mix for locust (make load): many map visitors, OGC API readers, citizens reporting and
editing maps, officers answering. Loopback only: bin/load points it at make run or make cluster.

Request names are endpoint classes (tile, tilejson, style, page, ogc, report, feature, answer) so the
statistics come out per class. Users are the demo officer (`load_demo`) and the load-NNNN citizen accounts (`load_accounts`), one map each.
"""
import itertools
import math
import os
import random

from locust import HttpUser, between, events, task

SEOUL = (126.80, 37.45, 127.15, 37.68)
GANGNAM = (127.02, 37.48, 127.07, 37.52)  # reports land in Gangnam-gu, whose officer answers them
DEMO_PASSWORD = "seoul-demo-2026"
LOAD_ACCOUNTS = int(os.environ.get("LOAD_ACCOUNTS", "60"))  # bin/load creates this many
_ACCOUNT_NUMBERS = itertools.count()


@events.test_start.add_listener
def _loopback_only(environment, **kwargs):
    host = environment.host or ""
    if not (host.startswith("http://127.0.0.1:") or host.startswith("http://localhost:")):
        raise SystemExit(f"load tests run against this machine only (got {host!r})")


def tile(lon, lat, z):
    n = 2 ** z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


class Visitor(HttpUser):
    """Opens a public map and pans: a page, its TileJSON and style, then a screenful of tiles at a time."""

    weight = 80
    wait_time = between(1, 3)

    def on_start(self):
        self.client.headers["Accept-Encoding"] = "gzip"
        self.client.get("/", name="page")
        self.client.get("/tiles/districts.json", name="tilejson")
        self.client.get("/styles/districts.json", name="style")

    @task(8)
    def pan(self):
        z = random.randint(12, 16)
        cx, cy = tile(random.uniform(SEOUL[0], SEOUL[2]), random.uniform(SEOUL[1], SEOUL[3]), z)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                self.client.get(f"/tiles/districts/{z}/{cx + dx}/{cy + dy}.mvt", name="tile")

    @task(1)
    def open_map(self):
        self.client.get("/", name="page")
        self.client.get("/tiles/districts.json", name="tilejson")


class OgcReader(HttpUser):
    """A GIS desktop or script reading features by bounding box."""

    weight = 10
    wait_time = between(1, 4)

    @task
    def items(self):
        lon, lat = random.uniform(SEOUL[0], SEOUL[2] - 0.05), random.uniform(SEOUL[1], SEOUL[3] - 0.05)
        self.client.get(f"/ogc/collections/districts/items?limit=20&bbox={lon},{lat},{lon + 0.05},{lat + 0.05}",
                        name="ogc")


class Citizen(HttpUser):
    """Reports hazards and edits a map of their own."""

    weight = 6
    wait_time = between(5, 15)

    def on_start(self):
        # Sign-up activates an account only through its e-mailed link, so simulated citizens sign in to the
        # accounts bin/load makes beforehand (`manage.py load_accounts --count USERS`): load-0001, load-0002, …
        username = f"load-{next(_ACCOUNT_NUMBERS) % LOAD_ACCOUNTS + 1:04d}"
        response = self.client.post("/api/auth/token/", name="signin",
                                    json={"username": username, "password": DEMO_PASSWORD})
        self.client.headers["Authorization"] = f"Token {response.json()['token']}"
        categories = self.client.get("/api/reports/categories/", name="categories").json()["results"]
        self.categories = [c["code"] for c in categories] or ["pothole"]
        self.map_id = self.client.post("/api/maps/", name="map", json={
            "title": f"{username}의 지도", "visibility": "public", "contribution_mode": "open"}).json()["id"]

    @task(2)
    def report(self):
        lon, lat = random.uniform(GANGNAM[0], GANGNAM[2]), random.uniform(GANGNAM[1], GANGNAM[3])
        self.client.post("/api/reports/", name="report", json={
            "type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"category": random.choice(self.categories), "description": "보도블록이 깨져 있습니다"}})

    @task(3)
    def edit_map(self):
        lon, lat = random.uniform(SEOUL[0], SEOUL[2]), random.uniform(SEOUL[1], SEOUL[3])
        self.client.post(f"/api/maps/{self.map_id}/features/", name="feature", json={
            "geometry": {"type": "Point", "coordinates": [lon, lat]}, "name": "우리 동네 쉼터"})
        self.client.get(f"/tiles/map-{self.map_id}.json", name="tilejson")


class Officer(HttpUser):
    """Gangnam's officer reads the queue and answers the oldest new report."""

    weight = 2
    wait_time = between(5, 15)

    def on_start(self):
        token = self.client.post("/api/auth/token/", name="signin",
                                 json={"username": "officer-gangnam", "password": DEMO_PASSWORD}).json()["token"]
        self.client.headers["Authorization"] = f"Token {token}"

    @task
    def answer(self):
        queue = self.client.get("/api/reports/?queue=mine&status=submitted&limit=20", name="queue").json()
        reports = queue["features"]
        if reports:
            report = random.choice(reports)
            self.client.post(f"/api/reports/{report['id']}/status/", name="answer",
                             json={"status": "acknowledged", "message": "확인했습니다. 현장을 살피겠습니다."})
