"""Reads of background jobs: the one access helper for a job."""
from django.http import Http404

from .models import Job


def job_access(*, user, job_id) -> Job:
    """The job if this person may follow it (who started it, or city staff); 404 for missing and not-yours alike."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or not job.can_view(user):
        raise Http404
    return job
