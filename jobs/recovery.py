"""Stale-claim recovery for django-tasks-db: a task whose worker died is run again by another worker.

django-tasks-db claims a task by marking it RUNNING with the worker's id and never looks at it again:
if that worker is killed (SIGKILL, OOM, a lost machine) the task stays RUNNING forever. Here every
worker holds a PostgreSQL session advisory lock named after its id for as long as it lives, on a
connection of its own. PostgreSQL drops the lock the moment that connection ends, so "can I take the
lock of the worker that claimed this task?" is an exact liveness test with no timeout to tune.
A RUNNING task whose claimer is gone goes back to READY (at most `JOBS_MAX_ATTEMPTS` claims; then it
is FAILED). Tasks must therefore be safe to run again: their side effects carry an idempotency key
(for an import, its Job row, locked and checked in the transaction that writes the features).
"""
from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

log = logging.getLogger(__name__)

LOCK_CLASS = 71310  # first key of our advisory locks; the second is hashtext(worker id)


def unpooled_connection(alias: str):
    """A connection of its own, outside Django's connection pool (settings DATABASE_POOL): a pooled one
    would go back to the pool on close() still holding the session lock, and the pool would keep it open."""
    from django.db.utils import load_backend

    settings_dict = connections.settings[alias]
    options = {key: value for key, value in settings_dict.get("OPTIONS", {}).items() if key != "pool"}
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper({**settings_dict, "OPTIONS": options}, alias)


class ClaimGuard(threading.Thread):
    """Holds this worker's liveness lock and requeues the tasks of dead workers."""

    def __init__(self, *, worker_id: str, backend_name: str, interval: float = 2.0):
        super().__init__(name=f"claim-guard-{worker_id}", daemon=True)
        self.worker_id, self.backend_name, self.interval = worker_id, backend_name, interval
        self._lock_db = None
        self._stop = threading.Event()
        self.locked = threading.Event()  # set once this worker's liveness lock is held

    def stop(self) -> None:
        self._stop.set()

    def hold_lock(self) -> None:
        """(Re)take this worker's lock on a connection of its own (after a primary restart, too)."""
        if self._lock_db is not None:
            try:
                with self._lock_db.cursor() as cursor:
                    cursor.execute("SELECT 1")
                return
            except DatabaseError:
                self._lock_db.close()
        self._lock_db = unpooled_connection(DEFAULT_DB_ALIAS)
        with self._lock_db.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [LOCK_CLASS, self.worker_id])

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                self.hold_lock()
                self.locked.set()
                requeue_dead_claims(backend_name=self.backend_name, own_worker_id=self.worker_id)
            except DatabaseError as exc:  # the primary is away: try again on the next round
                log.warning("claim guard: %s", str(exc).splitlines()[0][:200] if str(exc) else exc)
                connections[DEFAULT_DB_ALIAS].close()
            self._stop.wait(self.interval)
        connections[DEFAULT_DB_ALIAS].close()


def requeue_dead_claims(*, backend_name: str, own_worker_id: str = "") -> list[str]:
    """READY again (or FAILED after too many claims) every RUNNING task whose claiming worker is gone."""
    requeued = []
    connection = connections[DEFAULT_DB_ALIAS]
    running = DBTaskResult.objects.running().filter(backend_name=backend_name).values_list("id", "worker_ids")
    for task_id, worker_ids in running:
        claimer = worker_ids[-1] if worker_ids else ""
        if not claimer or claimer == own_worker_id:
            continue
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))", [LOCK_CLASS, claimer])
            if not cursor.fetchone()[0]:
                continue  # the claimer is alive
            try:
                with transaction.atomic():
                    task = DBTaskResult.objects.select_for_update().filter(
                        pk=task_id, status=TaskResultStatus.RUNNING).first()
                    if task is None or task.worker_ids != worker_ids:
                        continue  # finished, or re-claimed meanwhile
                    if len(worker_ids) >= settings.JOBS_MAX_ATTEMPTS:
                        task.status, task.finished_at = TaskResultStatus.FAILED, timezone.now()
                        task.exception_class_path = "jobs.recovery.WorkerLost"
                        task.traceback = f"Its worker died {len(worker_ids)} times: {', '.join(worker_ids)}"
                        task.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                        log.error("task %s failed: its worker died %d times", task_id, len(worker_ids))
                    else:
                        task.status, task.started_at = TaskResultStatus.READY, None
                        task.save(update_fields=["status", "started_at"])
                        log.warning("task %s requeued: worker %s is gone", task_id, claimer)
                requeued.append(str(task_id))
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", [LOCK_CLASS, claimer])
    return requeued
