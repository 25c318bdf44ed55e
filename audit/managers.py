"""Chainable reads of the audit log."""
from django.db import models


class AuditLogQuerySet(models.QuerySet):
    def on(self, target_type: str, target_id) -> "AuditLogQuerySet":
        return self.filter(target_type=target_type, target_id=str(target_id))

    def of_action(self, prefix: str) -> "AuditLogQuerySet":
        return self.filter(action__startswith=prefix)
