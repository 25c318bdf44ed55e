"""The one write of the audit log: append a row inside the transaction of the change it records."""
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from .models import AuditLog


def _jsonable(value):
    return None if value is None else json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def audit_target(target) -> tuple[str, str]:
    """('app_label.model', 'pk') for a model instance; a string 'type:id' is split; None gives ('', '')."""
    if target is None:
        return "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk)
    kind, _, key = str(target).partition(":")
    return kind[:64], key[:64]


def audit_record(*, actor, action: str, target, before: dict | None, after: dict | None) -> AuditLog:
    """Append one row to the audit log (who, what, on which object, before and after).

    Call it inside the transaction of the change it records, so both are stored or neither.
    `target` is a model instance or a 'type:id' string (e.g. 'layer:reports' for an export).
    """
    target_type, target_id = audit_target(target)
    entry = AuditLog(
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        action=action[:64],
        target_type=target_type,
        target_id=target_id,
        before=_jsonable(before),
        after=_jsonable(after),
    )
    entry.full_clean()
    entry.save()
    return entry
