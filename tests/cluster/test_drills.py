"""The cluster works as one site, and survives losing any node (issue #13's five drills).

Run by `make test-cluster` (bin/test-cluster), which starts the cluster and stops it afterwards.
"""
from __future__ import annotations

import gzip
import json
import time
import uuid
from pathlib import Path

import mapbox_vector_tile
import pytest
import requests

from .conftest import OK, ROOT, Load, Writer, make_editor, tile_of

CITY_HALL = (126.9779, 37.5663)


def _wait(predicate, timeout: float, step: float = 0.2, what: str = "condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


def _tile_names(response: requests.Response) -> set[str]:
    data = response.content
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    layers = mapbox_vector_tile.decode(data)
    return {f["properties"].get("name") for layer in layers.values() for f in layer["features"]}


def _tile_url(cluster, layer: str, z: int, lon: float, lat: float) -> str:
    """The tile URL the map would fetch: from the layer's TileJSON (versioned once layers carry versions)."""
    template = requests.get(cluster.url(f"/tiles/{layer}.json"), timeout=10).json()["tiles"][0]
    x, y = tile_of(lon, lat, z)
    return template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))


# --- the cluster as one site ----------------------------------------------------------------------------------

def test_a_write_on_the_primary_is_readable_on_the_replica(cluster, editor):
    response = editor.add_feature("streamed to the replica")
    assert response.status_code == 201, response.text
    feature_id = response.json()["id"]
    assert cluster.sql("replica", "SELECT pg_is_in_recovery()") == "t"
    _wait(lambda: cluster.sql("replica", f"SELECT name FROM maps_feature WHERE id = {feature_id}") == "streamed to the replica",
          timeout=10, what="the row on the replica")


def test_a_tile_served_twice_is_an_nginx_cache_hit_the_second_time(cluster, editor):
    assert editor.add_feature("시청", *CITY_HALL).status_code == 201
    url = _tile_url(cluster, f"map-{editor.map_id}", 14, *CITY_HALL)
    anonymous = requests.Session()
    first = anonymous.get(url, timeout=10)
    second = anonymous.get(url, timeout=10)
    assert first.status_code == 200 and first.headers["X-Cache-Status"] in ("MISS", "EXPIRED")
    assert second.status_code == 200 and second.headers["X-Cache-Status"] == "HIT"
    assert _tile_names(second) == {"시청"}


def test_an_edit_is_visible_in_the_next_tile_fetch_through_nginx(cluster, editor):
    assert editor.add_feature("시청", *CITY_HALL).status_code == 201
    anonymous = requests.Session()
    url = _tile_url(cluster, f"map-{editor.map_id}", 14, *CITY_HALL)
    anonymous.get(url, timeout=10)
    assert anonymous.get(url, timeout=10).headers["X-Cache-Status"] == "HIT"
    assert editor.add_feature("서울도서관", 126.9775, 37.5658).status_code == 201
    time.sleep(0.5)  # replication on the loopback: well under this
    next_url = _tile_url(cluster, f"map-{editor.map_id}", 14, *CITY_HALL)
    assert next_url != url  # the edit bumped the layer's version in TileJSON's tile URLs
    fresh = anonymous.get(next_url, timeout=10)
    assert fresh.status_code == 200
    assert _tile_names(fresh) == {"시청", "서울도서관"}


def test_static_files_come_from_nginx_and_media_never_from_disk(cluster):
    page = requests.get(cluster.url("/"), timeout=10).text
    css = page.split('href="/static/', 1)[1].split('"', 1)[0]
    response = requests.get(cluster.url(f"/static/{css}"), timeout=10)
    assert response.status_code == 200 and response.headers["Server"].startswith("nginx")
    assert "Expires" in response.headers  # nginx's `expires`, not the app
    media = Path(cluster.env["MEDIA_ROOT"]) / "drill-secret.txt"
    media.write_text("private")
    try:
        for path in ("/media/drill-secret.txt", "/internal-media/drill-secret.txt"):
            assert requests.get(cluster.url(path), timeout=10).status_code == 404
    finally:
        media.unlink()


def test_photos_leave_through_nginx_only_after_the_apps_permission_check(cluster, editor):
    import io

    from PIL import Image

    jpeg = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 60, 40)).save(jpeg, "JPEG")
    private_map = editor.session.post(cluster.url("/api/maps/"), timeout=15,
                                      json={"title": "나만 보는 지도", "visibility": "private"}).json()["id"]
    names = {}
    for label, map_id in (("public", editor.map_id), ("private", private_map)):
        feature = editor.session.post(cluster.url(f"/api/maps/{map_id}/features/"), timeout=15, json={
            "geometry": {"type": "Point", "coordinates": list(CITY_HALL)}, "name": "서울광장"}).json()["id"]
        photo = editor.session.post(cluster.url(f"/api/maps/{map_id}/features/{feature}/photos/"), timeout=30,
                                    files={"image": ("plaza.jpg", jpeg.getvalue(), "image/jpeg")})
        assert photo.status_code == 201, photo.text
        names[label] = cluster.sql("primary", f"SELECT image FROM maps_featurephoto WHERE id = {photo.json()['id']}")
    public = requests.get(cluster.url(f"/media/{names['public']}"), timeout=10)
    assert public.status_code == 200 and public.content[:3] == b"\xff\xd8\xff"
    assert "X-Accel-Redirect" not in public.headers  # nginx consumed it and sent the file itself
    assert requests.get(cluster.url(f"/media/{names['private']}"), timeout=10).status_code == 404
    assert requests.get(cluster.url(f"/internal-media/{names['public']}"), timeout=10).status_code == 404


# --- drill 5: replication lag ----------------------------------------------------------------------------------

def test_with_the_replica_paused_an_editor_reads_their_own_edit_at_once(cluster, editor, report):
    first = editor.add_feature("before the pause")
    assert first.status_code == 201
    _wait(lambda: cluster.sql("replica", f"SELECT count(*) FROM maps_feature WHERE id = {first.json()['id']}") == "1",
          timeout=10, what="replication")
    items = cluster.url(f"/ogc/collections/map-{editor.map_id}/items?limit=100")
    cluster.sql("replica", "SELECT pg_wal_replay_pause()")
    try:
        edit = editor.add_feature("edited during lag")
        assert edit.status_code == 201
        own = editor.session.get(items, timeout=10)
        anonymous = requests.get(items, timeout=10)
        names_own = {f["properties"]["name"] for f in own.json()["features"]}
        names_anon = {f["properties"]["name"] for f in anonymous.json()["features"]}
        assert "edited during lag" in names_own  # pinned to the primary by the signed cookie of the write
        assert "edited during lag" not in names_anon and "before the pause" in names_anon  # the paused replica
        report["replica_paused"] = {"editor_sees_own_edit": True, "anonymous_reader_sees_it": False}
    finally:
        cluster.sql("replica", "SELECT pg_wal_replay_resume()")


# --- drill 1: a web node dies -------------------------------------------------------------------------------

def test_killing_a_web_node_fails_no_request_through_nginx(cluster, load, report):
    writer_editor = make_editor(cluster)
    try:
        with load, Writer(writer_editor) as writer:
            time.sleep(2)
            t0 = time.time()
            cluster.kill("web-1")
            time.sleep(8)
        failures = load.failures(t0 - 1)
        served = len(load.since(t0))
        posts = [status for _name, status in writer.answers]
        stored = writer.stored()
        report["kill_web_node"] = {"reads_after_kill": served, "read_failures": len(failures),
                                   "posts": len(posts), "posts_2xx": sum(1 for s in posts if s == 201),
                                   "posts_failed": sorted({str(s) for s in posts if s != 201}),
                                   "posts_failed_but_stored": sum(1 for n, s in writer.answers if s != 201 and stored.get(n))}
        assert served > 50, "the load generator ran"
        assert failures == [], failures[:10]
        for name, status in writer.answers:
            if status == 201:
                assert stored.get(name) == 1, name  # every answered write is there, once
            else:
                # A POST in flight on the node that died: nginx does not send it to another node (not idempotent).
                assert status == 502, (name, status)
                assert stored.get(name, 0) <= 1
    finally:
        cluster.role("start-role", "web-1")


# --- drill 3: the replica stops ---------------------------------------------------------------------------------

def test_stopping_the_replica_moves_reads_to_the_primary_and_nothing_fails(cluster, load, report):
    try:
        with load:
            time.sleep(2)
            t0 = time.time()
            cluster.role("stop-role", "replica")
            time.sleep(6)
            health = requests.get(cluster.url("/healthz"), timeout=5)
        failures = load.failures(t0 - 1)
        report["stop_replica"] = {"reads_after_stop": len(load.since(t0)), "read_failures": len(failures)}
        assert len(load.since(t0)) > 50
        assert failures == [], failures[:10]
        assert health.status_code == 200
        assert health.json()["replicas"]["replica_1"]["state"] == "down"
    finally:
        cluster.role("start-role", "replica")
        cluster.wait_streaming()
        cluster.wait_healthy()


# --- drill 2: a worker dies during a long import ---------------------------------------------------------------

def test_a_worker_killed_during_an_import_hands_it_to_the_other_and_it_happens_once(cluster, editor, report):
    data = (ROOT / "data" / "seoul" / "seoul_public_toilets.geojson").read_bytes()
    total = len(json.loads(data)["features"])
    response = editor.session.post(cluster.url(f"/api/maps/{editor.map_id}/import/"), timeout=120,
                                   files={"file": ("seoul_public_toilets.geojson", data)})
    assert response.status_code == 202, response.text
    job_id = response.json()["job"]
    job_url = cluster.url(f"/api/jobs/{job_id}/")

    def claimed():
        row = cluster.sql("primary", "SELECT worker_ids::text FROM django_tasks_database_dbtaskresult "
                                     f"WHERE status = 'RUNNING' AND args_kwargs::text LIKE '%{job_id}%'")
        return json.loads(row) if row else None

    first_claims = _wait(claimed, timeout=60, step=0.1, what="a worker to claim the import")
    _wait(lambda: editor.session.get(job_url, timeout=10).json()["state"] == "running", timeout=60, step=0.1,
          what="the import to run")
    pid = int(first_claims[-1].rsplit("-", 1)[1])
    role = next(r for r in ("worker-1", "worker-2") if cluster.pid(r) == pid)
    t0 = time.time()
    cluster.kill(role)
    try:
        job = _wait(lambda: (j := editor.session.get(job_url, timeout=10).json())["state"] in ("succeeded", "failed") and j,
                    timeout=240, step=0.5, what="the import to finish on the other worker")
        finished = time.time()
        assert job["state"] == "succeeded", job
        claims = json.loads(cluster.sql("primary", "SELECT worker_ids::text FROM django_tasks_database_dbtaskresult "
                                                   f"WHERE args_kwargs::text LIKE '%{job_id}%'"))
        features = int(cluster.sql("primary", f"SELECT count(*) FROM maps_feature WHERE map_id = {editor.map_id}"))
        versions = int(cluster.sql("primary", f"SELECT count(*) FROM maps_featureversion WHERE map_id = {editor.map_id} "
                                              "AND action = 'import'"))
        report["kill_worker"] = {"features": total, "claims": claims, "killed": role,
                                 "seconds_from_kill_to_done": round(finished - t0, 1)}
        assert len(claims) == 2 and claims[0] != claims[1]  # the dead worker, then the other one
        assert features == total and versions == total  # once, not once per attempt
    finally:
        cluster.role("start-role", role)


# --- drill 4: the primary stops ----------------------------------------------------------------------------------

def test_with_the_primary_down_reads_go_on_and_writes_are_503_and_nothing_is_lost(cluster, load, editor, report):
    assert editor.add_feature("시청", *CITY_HALL).status_code == 201
    tile = _tile_url(cluster, f"map-{editor.map_id}", 14, *CITY_HALL)
    requests.get(tile, timeout=10)  # at the edge now
    writer_editor = make_editor(cluster)
    down = {}
    try:
        with load, Writer(writer_editor) as writer:
            time.sleep(2)
            t0 = time.time()
            cluster.role("stop-role", "primary")
            time.sleep(3)
            t_down = time.time()
            health = requests.get(cluster.url("/healthz"), timeout=5)
            write = editor.add_feature("while the primary is down")
            page = requests.get(cluster.url(f"/maps/{editor.map_id}/"), timeout=10)
            cached_tile = requests.get(tile, timeout=10)
            time.sleep(5)
            down = {"reads": len(load.since(t_down)), "read_failures": load.failures(t_down)}
            cluster.role("start-role", "primary")
            cluster.wait_healthy()
            time.sleep(2)
        answers = writer.answers
        saved_503 = writer.saved_on_503
        stored = writer.stored()
        report["stop_primary"] = {
            "healthz": [health.status_code, health.json()], "write": [write.status_code, write.headers.get("Retry-After")],
            "reads_while_down": down["reads"], "read_failures_while_down": len(down["read_failures"]),
            "posts": len(answers), "posts_2xx": sum(1 for _n, s in answers if s == 201),
            "posts_503": sum(1 for _n, s in answers if s == 503), "posts_503_saved": len(saved_503),
            "other": sorted({str(s) for _n, s in answers if s not in (201, 503)})}
        assert health.status_code == 503
        assert health.json()["down"] == ["primary"] and health.json()["replicas"]["replica_1"]["state"] == "ok"
        assert write.status_code == 503 and int(write.headers["Retry-After"]) > 0
        assert write.json()["detail"].startswith("The database cannot take changes right now")
        assert page.status_code == 200
        assert cached_tile.status_code == 200 and _tile_names(cached_tile) == {"시청"}
        assert down["reads"] > 50
        assert down["read_failures"] == [], down["read_failures"][:10]
        assert any(s == 503 for _n, s in answers), "the writer wrote while the primary was down"
        for name, status in answers:
            if status == 201:
                assert stored.get(name) == 1, name  # every answered write survived, once
            else:
                # 503: "Nothing was saved" and nothing is there, or (the primary stopped between the commit and
                # the answer) "Your change was saved" and it is there once. Nothing is stored twice.
                assert status == 503, (name, status)
                assert stored.get(name, 0) == (1 if name in saved_503 else 0), (name, saved_503)
    finally:
        cluster.role("start-role", "primary")  # a no-op when it runs
        cluster.wait_healthy()


# --- WebSockets through nginx (the ASGI web nodes) --------------------------------------------------------------

def test_a_websocket_through_nginx_hears_edits_made_through_either_web_node(cluster, editor):
    """nginx passes the upgrade through; an edit answered by either node reaches the socket (Redis fan-out)."""
    import asyncio

    import websockets

    names = [f"live {i}" for i in range(4)]  # nginx alternates the nodes: the edits land on both

    async def listen():
        async with websockets.connect(cluster.base.replace("http://", "ws://") + f"/ws/maps/{editor.map_id}/",
                                      open_timeout=10) as socket:
            hello = json.loads(await asyncio.wait_for(socket.recv(), 10))
            assert hello["type"] == "hello" and hello["map"] == editor.map_id
            for name in names:
                response = await asyncio.to_thread(editor.add_feature, name)
                assert response.status_code == 201
            heard = set()
            while heard != set(names):
                event = json.loads(await asyncio.wait_for(socket.recv(), 10))
                if event["type"] == "feature.created":
                    heard.add(event["feature"]["properties"]["name"])
            return heard

    assert asyncio.run(listen()) == set(names)
