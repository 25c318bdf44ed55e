"""`manage.py run_worker`: django-tasks-db's db_worker, plus recovery of tasks whose worker died.

Same options as db_worker. The default worker id names the host and process, so a restarted worker
never inherits the identity (and the liveness lock) of the one it replaces. See jobs/recovery.py.
"""
import logging
import os
import socket
import time

from django.db import InterfaceError, OperationalError, connections

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from jobs.recovery import ClaimGuard


class Command(DbWorkerCommand):
    help = "Run a background worker that also requeues the tasks of workers that died"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=f"{socket.gethostname()[:40]}-{os.getpid()}")

    def handle(self, *args, **options):
        guard = ClaimGuard(worker_id=options["worker_id"], backend_name=options["backend_name"])
        guard.start()
        if not guard.locked.wait(timeout=30):
            raise SystemExit("run_worker: could not take the worker's liveness lock (is the database up?)")
        try:
            while True:
                try:
                    super().handle(*args, **options)
                    return
                except (OperationalError, InterfaceError) as exc:  # the primary is away: wait for it, do not exit
                    logging.getLogger(__name__).warning("worker: database unavailable (%s); retrying",
                                                        str(exc).splitlines()[0][:200] if str(exc) else exc)
                    connections.close_all()
                    time.sleep(2)
        finally:
            guard.stop()
