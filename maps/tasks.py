"""Background work: large imports run in the django-tasks worker and report progress through a Job."""
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django_tasks import task

from geoplatform.i18n import language_of
from jobs.models import Job
from jobs.services import JobReporter, job_finish

from .models import Map
from .readers import ImportSource
from .services import IMPORT_TIME_LIMIT_JOB, map_import_run
from django.utils.translation import gettext_noop as _  # stored as msgids, read in the reader's language


@task()
def map_import_task(*, job_id: str, map_id: int, user_id: int | None, path: str, directory: str, fmt: str,
                    srid: int | None = None) -> dict:
    job = Job.objects.get(pk=job_id)
    if job.state in (Job.State.SUCCEEDED, Job.State.FAILED):
        return job.result  # a retry of a run that finished before its worker died
    source = ImportSource(fmt=fmt, path=Path(path), directory=Path(directory), srid=srid)
    if not source.path.exists():
        job_finish(job=job, error=_("The uploaded file is not reachable from the worker (MAPS_IMPORT_DIR must be shared by the web server and the workers)."))
        return {}
    try:
        map_obj = Map.objects.filter(pk=map_id).first()
        if map_obj is None:
            job_finish(job=job, error=_("The map was deleted before the import ran."))
            return {}
        actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
        reporter = JobReporter(job, total=job.total, every=250)
        with language_of(actor):  # rejected rows' reasons are stored for the importer to read
            return map_import_run(map_obj=map_obj, actor=actor, source=source, reporter=reporter,
                                  time_limit=IMPORT_TIME_LIMIT_JOB, job=job)
    except ValidationError as exc:
        job_finish(job=job, error=" ".join(exc.messages))
        return {}
    except Exception:
        job_finish(job=job, error=_("The import failed unexpectedly."))
        raise
    finally:
        source.cleanup()
