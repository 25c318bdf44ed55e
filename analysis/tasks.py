"""Background work: analyses run in the django-tasks worker (immediately in tests)."""
from django_tasks import task


@task()
def analysis_run_task(analysis_id: int) -> dict:
    from .services import analysis_execute

    return analysis_execute(analysis_id=analysis_id)
