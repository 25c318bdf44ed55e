"""City staff: categories, the audit log; officers' notifications."""
import pytest

from moderation.models import AuditLog, Notification, Report

pytestmark = pytest.mark.django_db


def test_categories_are_public_and_only_staff_manage_them(api, client_for, citizen, staff, categories):
    listed = api.get("/api/reports/categories/").json()
    assert [c["code"] for c in listed] == ["dark_alley", "road_damage"]
    new = {"code": "flooding", "name_ko": "침수", "name_en": "Flooding", "acknowledge_days": 1, "resolve_days": 5,
           "responsible_body_ko": "물순환안전국", "responsible_body_en": "Water Safety Bureau"}
    assert client_for(citizen).post("/api/reports/categories/", new, format="json").status_code == 403
    created = client_for(staff).post("/api/reports/categories/", new, format="json")
    assert created.status_code == 201 and created.json()["name_ko"] == "침수"
    bad = client_for(staff).post("/api/reports/categories/", {**new, "code": "x", "resolve_days": 0}, format="json")
    assert bad.status_code == 400 and "resolve_days" in bad.json()
    assert AuditLog.objects.filter(action="category.create", actor=staff).count() == 1


def test_making_a_category_sensitive_coarsens_its_existing_reports(client_for, staff, make_report, citizen, places,
                                                                   api):
    report = make_report(citizen, places["seolleung"])
    assert report.public_geom.equals(report.geom)
    response = client_for(staff).patch("/api/reports/categories/road_damage/", {"is_sensitive": True}, format="json")
    assert response.status_code == 200
    report.refresh_from_db()
    assert not report.public_geom.equals(report.geom)
    assert api.get(f"/api/reports/{report.pk}/").json()["properties"]["coarsened"] is True
    entry = AuditLog.objects.get(action="category.update")
    assert (entry.before["is_sensitive"], entry.after["is_sensitive"]) == (False, True)


def test_audit_log_is_for_city_staff_and_filterable(client_for, staff, citizen, gangnam_officer, make_report, places):
    report = make_report(citizen, places["seolleung"])
    client_for(gangnam_officer).post(f"/api/reports/{report.pk}/status/",
                                     {"status": "acknowledged", "message": "확인 / seen"}, format="json")
    for user in (citizen, gangnam_officer):
        assert client_for(user).get("/api/audit/").status_code == 403
    rows = client_for(staff).get("/api/audit/", {"target_type": "moderation.report", "target_id": report.pk}).json()
    assert [r["action"] for r in rows["results"]] == ["report.status.acknowledged", "report.create"]
    assert rows["results"][0]["actor"]["username"] == gangnam_officer.username
    assert rows["results"][0]["before"]["status"] == "submitted"
    assert client_for(staff).get("/api/audit/", {"action": "report.status"}).json()["count"] == 1
    assert client_for(staff).get("/api/audit/", {"actor": "me"}).status_code == 400


def test_officers_are_told_of_new_reports_in_their_districts(client_for, gangnam_officer, mapo_officer, citizen,
                                                             make_report, places):
    report = make_report(citizen, places["seolleung"])
    assert Notification.objects.filter(user=gangnam_officer, report=report, kind="report_routed").count() == 1
    assert not Notification.objects.filter(user=mapo_officer).exists()
    listed = client_for(gangnam_officer).get("/api/notifications/").json()
    assert listed["unread"] == 1
    # one's notifications only
    assert client_for(mapo_officer).get("/api/notifications/").json()["count"] == 0


def test_deleting_an_account_keeps_reports_without_a_name(client_for, citizen, make_report, places, api):
    report = make_report(citizen, places["seolleung"])
    assert client_for(citizen).delete("/api/auth/me/").status_code == 204
    report = Report.objects.get(pk=report.pk)
    assert report.contact_preference == "app"
    assert not Notification.objects.filter(user_id=citizen.pk).exists()
    assert api.get(f"/api/reports/{report.pk}/").status_code == 200
