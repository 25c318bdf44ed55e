"""Writes on jobs. Workers report progress through `job_progress`, throttled to one write per step."""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from geoplatform.i18n import language_of

from .models import Job


def job_create(*, kind: str, created_by=None, total: int = 0, message: str = "") -> Job:
    return Job.objects.create(kind=kind, created_by=created_by, total=total, message=message)


def job_progress(*, job: Job, progress: int, total: int | None = None, message: str | None = None) -> None:
    fields = {"progress": progress, "state": Job.State.RUNNING, "updated_at": timezone.now()}
    if total is not None:
        fields["total"] = total
    if message is not None:
        fields["message"] = message
    Job.objects.filter(pk=job.pk).update(**fields)
    for key, value in fields.items():
        setattr(job, key, value)
    _job_told(job)


def job_finish(*, job: Job, result: dict | None = None, error: str | None = None) -> None:
    job.state = Job.State.FAILED if error else Job.State.SUCCEEDED
    job.message = error or job.message
    job.result = result or {}
    if not error:
        job.progress = job.total or job.progress
    job.finished_at = timezone.now()
    with transaction.atomic():
        job.save()
        _job_told(job)


def _job_told(job: Job) -> None:
    """Its owner's open pages hear of the job's progress over their socket (polling stays as the fallback)."""
    if job.created_by_id is None:
        return
    from live.services import user_send

    with language_of(job.created_by):  # messages are stored as English msgids (gettext_noop)
        text = gettext(job.message) if job.message else ""
    message = {"type": "job", "id": str(job.pk), "kind": job.kind, "state": job.state, "progress": job.progress,
               "total": job.total, "percent": job.percent, "message": text}
    transaction.on_commit(lambda: user_send(user_id=job.created_by_id, message=message))


def job_lock_unfinished(*, job: Job) -> bool:
    """Lock the job's row (inside the caller's transaction); False when a run of it already finished.

    A job is the idempotency key of the work it tracks: the work's writes and `job_finish` commit
    together, so a task retried after its worker died sees the job finished and does nothing.
    """
    state = Job.objects.select_for_update().filter(pk=job.pk).values_list("state", flat=True).first()
    if state in (Job.State.SUCCEEDED, Job.State.FAILED):
        job.refresh_from_db()
        return False
    return True


class JobReporter:
    """Progress callback for long loops: reports at most every `every` items."""

    def __init__(self, job: Job | None, total: int, every: int = 100):
        self.job, self.total, self.every = job, total, max(1, every)
        if job is not None:
            job_progress(job=job, progress=0, total=total)

    def __call__(self, done: int, message: str | None = None) -> None:
        if self.job is not None and (done % self.every == 0 or done == self.total):
            job_progress(job=self.job, progress=done, message=message)
