"""Events from another process: the background worker (a real `manage.py db_worker`) finishes an import,
and the map's sockets and the owner's own socket on the web server hear of it."""
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from maps.services import map_create
from tests.servers import served_env

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def test_an_import_finished_by_the_background_worker_reaches_the_sockets(ws, make_user, client_for, settings,
                                                                          monkeypatch, redis_url, tmp_path):
    import maps.services

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MAPS_IMPORT_DIR = str(tmp_path / "imports")
    monkeypatch.setattr(maps.services, "IMPORT_SYNC_LIMIT", 5)
    owner = make_user("owner")
    m = map_create(owner=owner, title="가져오기 지도")
    token = Token.objects.get_or_create(user=owner)[0].key
    viewer = ws(f"/ws/maps/{m.pk}/")
    viewer.wait_for("hello")
    mine = ws("/ws/me/", token=token)
    mine.wait_for("hello")

    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [126.97 + i / 1000, 37.56]},
         "properties": {"name": f"점 {i}"}} for i in range(12)]}
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("points.geojson", json.dumps(collection).encode(), content_type="application/geo+json")
    response = client_for(owner).post(f"/api/maps/{m.pk}/import/", {"file": upload}, format="multipart")
    assert response.status_code == 202, response.content
    job_id = response.json()["job"]
    assert [msg for msg in viewer.drain(quiet=0.5) if msg["type"] != "presence"] == []  # queued, not run yet

    env = served_env(CHANNEL_REDIS_URL=redis_url, MAPS_IMPORT_DIR=settings.MAPS_IMPORT_DIR, TILES_CACHE_BACKEND="none")
    worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--batch", "--queue-name", "*",
                               "--no-startup-delay", "--no-reload"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    started = time.monotonic()
    while worker.poll() is None and time.monotonic() - started < 120:
        # a busy machine can take longer than the sockets' idle limit to start the worker: keep them alive
        viewer.send({"type": "ping", "ref": 0})
        mine.send({"type": "ping", "ref": 0})
        time.sleep(2)
    _out, errors = worker.communicate(timeout=30)
    assert worker.returncode == 0, errors[-2000:]

    imported = viewer.wait_for("features.imported", timeout=5)
    assert imported["count"] == 12 and imported["author"] == owner.public_name
    done = mine.wait_for("job", timeout=5, where=lambda msg: msg["state"] == "succeeded")
    assert (done["id"], done["kind"], done["percent"]) == (job_id, "map_import", 100)
