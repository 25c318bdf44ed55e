"""A task whose worker died runs again on another worker, and its side effects happen once."""
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jobs.models import Job
from jobs.recovery import LOCK_CLASS, requeue_dead_claims
from maps.readers import import_receive
from maps.models import Feature
from maps.services import map_create, map_import_run

pytestmark = pytest.mark.django_db


def _running(*worker_ids):
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING, args_kwargs={"args": [], "kwargs": {}}, task_path="campaigns.tasks.rounds_close_due_task",
        backend_name="default", run_after=timezone.now(), started_at=timezone.now(), worker_ids=list(worker_ids))


@pytest.fixture
def live_worker():
    """A worker that is alive: another session holds its liveness lock (as run_worker's guard does)."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [LOCK_CLASS, "alive-1"])
    yield "alive-1"
    other.close()


def test_a_task_whose_worker_died_is_ready_again(live_worker):
    orphan = _running("gone-1")
    busy = _running(live_worker)
    assert requeue_dead_claims(backend_name="default") == [str(orphan.pk)]
    orphan.refresh_from_db()
    busy.refresh_from_db()
    assert orphan.status == TaskResultStatus.READY and orphan.started_at is None
    assert busy.status == TaskResultStatus.RUNNING


def test_a_task_that_killed_its_workers_too_often_fails_instead_of_looping(settings):
    settings.JOBS_MAX_ATTEMPTS = 3
    task = _running("gone-1", "gone-2", "gone-3")
    requeue_dead_claims(backend_name="default")
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED and "died 3 times" in task.traceback


def test_a_retried_import_whose_first_run_committed_imports_nothing_twice(citizen, seoul):
    m = map_create(owner=citizen, title="강남구 도서관 지도")
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [127.0276, 37.4979]},
                 "properties": {"name": "강남역"}}]
    upload = SimpleUploadedFile("one.geojson", json.dumps({"type": "FeatureCollection", "features": features}).encode())
    job = Job.objects.create(kind="map_import", created_by=citizen, total=1)
    first = map_import_run(map_obj=m, actor=citizen, source=import_receive(upload=upload, fmt="geojson"), job=job)
    assert first["imported"] == 1
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.result["imported"] == 1  # finished in the same transaction
    upload.seek(0)
    again = map_import_run(map_obj=m, actor=citizen, source=import_receive(upload=upload, fmt="geojson"), job=job)
    assert again == job.result
    assert Feature.objects.filter(map=m).count() == 1
