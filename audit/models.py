"""The audit log: who did what to which object, before and after, for every app."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from django.utils.translation import gettext_lazy as _

class AuditLogQuerySet(models.QuerySet):
    def on(self, target_type: str, target_id) -> "AuditLogQuerySet":
        return self.filter(target_type=target_type, target_id=str(target_id))

    def of_action(self, prefix: str) -> "AuditLogQuerySet":
        return self.filter(action__startswith=prefix)


class AuditLog(models.Model):
    """Who did what to which object, before and after. Append-only: a trigger refuses UPDATE and DELETE.

    The actor is a plain reference without a database constraint so the log never blocks or
    follows changes to accounts (accounts are anonymised, not deleted).
    """

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                              db_constraint=False, related_name="+")
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        # Every report write appends rows (27,000,000 a year): each filter of /api/audit/ has an index that yields
        # its rows newest first, or that finds so few that sorting them costs nothing, so no page sorts the log.
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="auditlog_newest_idx"),
            models.Index(fields=["actor", "-created_at", "-id"], name="auditlog_actor_newest_idx"),
            models.Index(fields=["target_type", "-created_at", "-id"], name="auditlog_type_newest_idx"),
            # ?target_id= with or without ?target_type=: one object's few rows
            models.Index(fields=["target_id", "target_type"], name="auditlog_target_idx"),
            # ?action= is a prefix (LIKE 'report.%'): pattern_ops whatever the database's collation
            models.Index(fields=["action", "created_at"], name="auditlog_action_idx",
                         opclasses=["varchar_pattern_ops", "timestamptz_ops"]),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("The audit log is append-only."))
        super().save(*args, **kwargs)
