"""Reads of the audit log."""
from django.db.models import QuerySet

from .models import AuditLog


def audit_list(*, action: str = "", target_type: str = "", target_id: str = "", actor_id=None) -> QuerySet[AuditLog]:
    entries = AuditLog.objects.select_related("actor")
    if action:
        entries = entries.of_action(action)
    if target_type:
        entries = entries.filter(target_type=target_type)
    if target_id:
        entries = entries.filter(target_id=str(target_id))
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    return entries
