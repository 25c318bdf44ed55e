"""Background work: closing timed citizen steps when their time is up (idempotent, safe to run any number of times).

A new round enqueues `rounds_close_due_task` to run at its end, a new evaluation `evaluations_close_due_task`
at the end of its citizen step (with the database worker, which can defer); `manage.py close_rounds` (cron)
and the proposal pages run the same sweeps, so a missed task only delays a step until the next one.
"""
from django_tasks import task

from .services import evaluations_close_due, rounds_close_due, steps_close_due


@task()
def rounds_close_due_task() -> list[int]:
    return rounds_close_due()


@task()
def evaluations_close_due_task() -> list[int]:
    return evaluations_close_due()


@task()
def steps_close_due_task() -> dict:
    return steps_close_due()
