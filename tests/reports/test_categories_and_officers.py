"""City staff manage categories; officers are told of new reports; account deletion keeps reports."""
import pytest

from audit.models import AuditLog
from notifications.models import Notification
from reports.models import Report

pytestmark = pytest.mark.django_db


def test_categories_are_public_and_only_staff_manage_them(api, client_for, citizen, staff, categories):
    listed = api.get("/api/reports/categories/").json()["results"]
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
