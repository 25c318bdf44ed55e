"""Background work: closing rounds when they end (idempotent, safe to run any number of times)."""
from django_tasks import task

from .services import rounds_close_due


@task()
def rounds_close_due_task() -> list[int]:
    return rounds_close_due()
