"""A whole rebuild of the reports layer's pre-aggregated rows (layers/aggregates.py) never runs in a request nor holds
up report writes: a category rename hands it to the worker (layers/tasks.py), readers keep the old rows until the new
ones commit, and a report sent while a rebuild holds the layer's lock answers at once, its refresh deferred to the
worker (which runs it after the rebuild, so the report is counted)."""
import json
import threading
import time

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks import task_backends

from layers.models import TileShape
from layers.selectors import layer_counter
from layers.tasks import aggregates_rebuild_task, aggregates_refresh_task
from reports.models import Report

from .test_report_tiles import (CITY_HALL, city, counted, drawn, public_points_in, render,  # noqa: F401 (fixtures)
                                report_categories, tile_of)

# transactional: the lock and the rows are those another connection sees (in one test transaction, the fixture's
# rebuild would hold the layer's lock until the test ends)
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued(settings):
    """Tasks are kept, not run (tests otherwise run them at once): the test runs them as the worker would."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return task_backends["default"]


def of(backend, task) -> list:
    return [result for result in backend.results if result.task.func is task.func]


def layer_lock_held_elsewhere(layer_name: str):
    """A second connection holding the layer's advisory lock in an open transaction, as a running rebuild does."""
    settings = connection.settings_dict
    other = psycopg.connect(dbname=settings["NAME"], user=settings["USER"], password=settings["PASSWORD"],
                            host=settings["HOST"] or None, port=settings["PORT"] or None)
    other.execute("SET lock_timeout = '10s'")
    other.execute("SELECT pg_advisory_xact_lock(hashtext('tile_aggregates'), hashtext(%s))", [layer_name])
    return other


def test_a_category_rename_answers_without_rebuilding_and_the_worker_redraws_every_zoom(
        city, staff, client, client_for, queued, django_capture_on_commit_callbacks):
    named = TileShape.objects.filter(layer="reports", props__category_name_en="Damaged road")
    assert named.exists()  # the lines drawn in advance at z0-z14
    z15 = "/tiles/reports/{}/{}/{}.mvt".format(*tile_of(CITY_HALL, 15))
    counter = layer_counter("reports")

    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        answer = client_for(staff).patch("/api/reports/categories/road_damage/", {"name_en": "Broken road surface"},
                                         format="json")
    assert answer.status_code == 200
    assert not [q for q in queries.captured_queries if "layers_tileshape" in q["sql"] or "layers_tilecluster" in
                q["sql"] or "advisory" in q["sql"]]  # the request neither rebuilt nor waited for the layer's lock
    [rebuild] = of(queued, aggregates_rebuild_task)
    assert rebuild.kwargs == {"layer_name": "reports"}
    # meanwhile: the old rows are read whole, the zooms drawn from the rows show the new name at once
    assert named.exists() and not TileShape.objects.filter(props__category_name_en="Broken road surface").exists()
    assert "Broken road surface" in {f["properties"]["category_name_en"]
                                     for f in drawn(client.get(z15).content).values()}
    assert layer_counter("reports") == counter + 1

    rebuild.task.call(*rebuild.args, **rebuild.kwargs)  # the worker
    assert not named.exists()
    assert TileShape.objects.filter(layer="reports", props__category_name_en="Broken road surface").exists()
    assert layer_counter("reports") == counter + 2  # the tile URLs change once the new rows have committed
    for z in (10, 12, 14):
        tile = tile_of(CITY_HALL, z)
        assert drawn(render(*tile, True)) == drawn(render(*tile, False))
        assert counted(render(*tile, True)) == public_points_in(*tile)


def test_a_report_sent_while_a_rebuild_holds_the_lock_answers_at_once_and_is_counted_after_the_rebuild(
        city, citizen, client_for, places, queued, django_capture_on_commit_callbacks):
    place = places["seolleung"]  # 선릉역, Gangnam-gu
    zooms = {z: tile_of((place.x, place.y), z) for z in (10, 12, 14)}
    before = {z: counted(render(*tile, True)) for z, tile in zooms.items()}
    body = {"type": "Feature", "geometry": json.loads(place.geojson),
            "properties": {"category": "road_damage", "description": "보도블록이 깨져 있습니다"}}
    other = layer_lock_held_elsewhere("reports")
    safety = threading.Timer(30, other.close)  # without the deferral the request would wait for this lock
    safety.start()
    try:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            answer = client_for(citizen).post("/api/reports/", body, format="json")
        elapsed = time.monotonic() - started
        assert answer.status_code == 201 and elapsed < 10
        [refresh] = of(queued, aggregates_refresh_task)
        assert refresh.kwargs["layer_name"] == "reports"
        assert {z: counted(render(*tile, True)) for z, tile in zooms.items()} == before  # not yet counted
    finally:
        safety.cancel()
        other.close()  # the rebuild ends

    refresh.task.call(*refresh.args, **refresh.kwargs)  # the worker, after the rebuild
    assert Report.objects.filter(pk=answer.json()["id"]).exists()
    for z, tile in zooms.items():
        assert counted(render(*tile, True)) == before[z] + 1 == public_points_in(*tile)


def test_the_real_background_worker_runs_the_rebuild_a_rename_queued(city, staff, client, client_for, settings,
                                                                      django_capture_on_commit_callbacks):
    """The same rename with the product's task backend (django-tasks' database queue) and a real `manage.py
    db_worker` process: the queued rebuild is stored, run by the worker, and its result is what readers get."""
    import subprocess
    import sys
    from pathlib import Path

    from django_tasks_db.models import DBTaskResult

    from tests.servers import served_env

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    named = TileShape.objects.filter(layer="reports", props__category_name_en="Damaged road")
    renamed = TileShape.objects.filter(layer="reports", props__category_name_en="Cracked pavement")
    counter = layer_counter("reports")
    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for(staff).patch("/api/reports/categories/road_damage/", {"name_en": "Cracked pavement"},
                                         format="json")
    assert answer.status_code == 200
    [queued_row] = DBTaskResult.objects.filter(task_path="layers.tasks.aggregates_rebuild_task", status="READY")
    assert named.exists() and not renamed.exists()  # queued, not run

    worker = subprocess.run([sys.executable, "manage.py", "db_worker", "--batch", "--queue-name", "*",
                             "--no-startup-delay", "--no-reload"], cwd=Path(__file__).resolve().parents[2],
                            env=served_env(TILES_CACHE_BACKEND="none"), capture_output=True, text=True, timeout=180)
    assert worker.returncode == 0, worker.stderr[-2000:]
    queued_row.refresh_from_db()
    assert queued_row.status == "SUCCESSFUL" and queued_row.return_value is True
    assert renamed.exists() and not named.exists()
    assert layer_counter("reports") == counter + 2  # the request's change, then the worker's once its rows committed
    z14 = tile_of(CITY_HALL, 14)
    assert counted(client.get("/tiles/reports/{}/{}/{}.mvt".format(*z14)).content) == public_points_in(*z14)
