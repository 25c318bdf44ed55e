import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditLog
from audit.services import audit_record

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
    "UPDATE audit_auditlog SET action = 'forged' WHERE id = %s",
    "DELETE FROM audit_auditlog WHERE id = %s",
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


def test_audit_log_is_for_city_staff_and_filterable(client_for, staff, citizen, gangnam_officer, make_report, places):
    report = make_report(citizen, places["seolleung"])
    client_for(gangnam_officer).post(f"/api/reports/{report.pk}/status/",
                                     {"status": "acknowledged", "message": "확인 / seen"}, format="json")
    for user in (citizen, gangnam_officer):
        assert client_for(user).get("/api/audit/").status_code == 403
    rows = client_for(staff).get("/api/audit/", {"target_type": "reports.report", "target_id": report.pk}).json()
    assert [r["action"] for r in rows["results"]] == ["report.status.acknowledged", "report.create"]
    assert rows["results"][0]["actor"]["username"] == gangnam_officer.username
    assert rows["results"][0]["before"]["status"] == "submitted"
    assert client_for(staff).get("/api/audit/", {"action": "report.status"}).json()["count"] == 1
    assert client_for(staff).get("/api/audit/", {"actor": "me"}).status_code == 400


@pytest.mark.parametrize("filters,index,ordered", [
    ({}, "auditlog_newest_idx", True),
    ({"actor_id": 1}, "auditlog_actor_newest_idx", True),
    ({"target_type": "moderation.flag"}, "auditlog_type_newest_idx", True),
    ({"target_id": "42"}, "auditlog_target_idx", False),
    ({"target_type": "reports.report", "target_id": "42"}, "auditlog_target_idx", False),
    ({"action": "report.status"}, "auditlog_action_idx", False),
])
def test_each_filter_of_the_log_reads_its_index_not_the_whole_log(filters, index, ordered):
    """27,000,000 rows a year: with scans of the whole table off, each page is found through its filter's index;
    where a filter keeps many rows (none, an actor, a target type) the index gives the page's order too (with
    sorting off a plan that has to sort keeps its Sort node); one object's or a rare action's few rows are sorted."""
    from audit.selectors import audit_list

    types = ("reports.report", "maps.feature")
    AuditLog.objects.bulk_create([  # a log of many actors and objects; one status change and one flag in a hundred
        # rows (a rare type: walking the newest-first index and dropping other types would cost more than its own)
        AuditLog(actor_id=i % 30 + 1, action="report.status.closed" if i % 100 == 0 else "report.create",
                 target_type="moderation.flag" if i % 100 == 1 else types[i % 2], target_id=str(i // 3))
        for i in range(3000)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditlog")
        cursor.execute("SET LOCAL enable_seqscan = off")
        if ordered:
            cursor.execute("SET LOCAL enable_sort = off")
    plan = audit_list(**filters)[:100].explain()
    assert index in plan
    if ordered:
        assert "Sort" not in plan
