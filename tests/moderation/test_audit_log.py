import pytest
from django.db import DatabaseError, connection, transaction

from moderation.models import AuditLog
from moderation.services import audit_record

pytestmark = pytest.mark.django_db


def test_audit_record_stores_actor_action_target_and_before_after(staff, seoul):
    gangnam = seoul["11680"]
    entry = audit_record(actor=staff, action="district.rename", target=gangnam,
                         before={"name_en": "Gangnam-gu"}, after={"name_en": "Gangnam"})
    stored = AuditLog.objects.get(pk=entry.pk)
    assert (stored.actor, stored.action, stored.target_type, stored.target_id) == (
        staff, "district.rename", "districts.district", str(gangnam.pk))
    assert stored.before == {"name_en": "Gangnam-gu"} and stored.after == {"name_en": "Gangnam"}


def test_audit_record_accepts_a_type_id_string_target(analyst):
    entry = audit_record(actor=analyst, action="export.full", target="layer:reports", before=None, after={"rows": 3})
    assert (entry.target_type, entry.target_id) == ("layer", "reports")


@pytest.mark.parametrize("statement", [
    "UPDATE moderation_auditlog SET action = 'forged' WHERE id = %s",
    "DELETE FROM moderation_auditlog WHERE id = %s",
])
def test_the_database_refuses_to_change_or_delete_audit_rows(staff, statement):
    entry = audit_record(actor=staff, action="flag.restore", target="report:1", before={"a": 1}, after={"a": 2})
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement, [entry.pk])
    assert AuditLog.objects.get(pk=entry.pk).action == "flag.restore"


def test_saving_an_existing_audit_row_is_refused_by_the_model(staff):
    from django.core.exceptions import ValidationError

    entry = audit_record(actor=staff, action="flag.remove", target="map:3", before=None, after=None)
    entry.action = "forged"
    with pytest.raises(ValidationError):
        entry.save()
