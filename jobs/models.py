import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy


class Job(models.Model):
    """A long job (import, tileset build, analysis) that a person can follow.

    The work itself runs in the django-tasks worker; this row carries what the
    person sees: state, progress and a message (an English msgid, read in the reader's language).
    """

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("job state", "Waiting")
        RUNNING = "running", pgettext_lazy("job state", "Running")
        SUCCEEDED = "succeeded", pgettext_lazy("job state", "Finished")
        FAILED = "failed", pgettext_lazy("job state", "Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        if self.state == self.State.SUCCEEDED:
            return 100
        return int(100 * self.progress / self.total) if self.total else 0

    def can_view(self, user) -> bool:
        return user.is_authenticated and (user.pk == self.created_by_id or user.is_city_staff)
