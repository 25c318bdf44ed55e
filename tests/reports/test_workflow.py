"""The workflow: officers of the responsible districts answer; every change is kept, audited and notified."""
import datetime
import json

import pytest
from django.core import mail

from audit.models import AuditLog
from notifications.models import Notification
from reports.models import Report, ReportEvent
from reports.workdays import add_working_days

from .conftest import GANGNAM, MAPO, SEOCHO

pytestmark = pytest.mark.django_db


@pytest.fixture
def gangnam_report(make_report, citizen, places):
    return make_report(citizen, places["seolleung"])


@pytest.fixture
def seocho_officer(make_user, seoul):
    return make_user("officer_seocho", role="district_officer", districts=[SEOCHO])


def change(client, report, status, message="확인했습니다. / We have seen it.", **extra):
    return client.post(f"/api/reports/{report.pk}/status/", {"status": status, "message": message, **extra},
                       format="json")


@pytest.mark.parametrize("path", [
    "submitted>acknowledged>in_progress>resolved",
    "submitted>rejected",
    "submitted>acknowledged>not_our_responsibility",
    "submitted>acknowledged>in_progress>resolved>in_progress",
])
def test_every_transition_makes_a_timeline_entry_an_audit_row_a_notification_and_an_email(
        client_for, gangnam_officer, gangnam_report, citizen, path, django_capture_on_commit_callbacks):
    officer = client_for(gangnam_officer)
    steps = path.split(">")[1:]
    for step in steps:
        events_before = ReportEvent.objects.filter(report=gangnam_report, kind="status").count()
        audits_before = AuditLog.objects.on("reports.report", gangnam_report.pk).count()
        notes_before = Notification.objects.filter(user=citizen, report=gangnam_report).count()
        mail.outbox.clear()
        extra = {"responsible_body": "한국전력공사 (KEPCO)"} if step == "not_our_responsibility" else {}
        message = f"상태 변경: {step} / status: {step}"
        with django_capture_on_commit_callbacks(execute=True):
            with_commit = officer.post(f"/api/reports/{gangnam_report.pk}/status/",
                                       {"status": step, "message": message, **extra}, format="json")
        assert with_commit.status_code == 200, with_commit.content
        body = with_commit.json()
        assert body["properties"]["status"] == step
        last = body["properties"]["timeline"][-1]
        assert (last["kind"], last["to_status"], last["message"]) == ("status", step, message)
        assert ReportEvent.objects.filter(report=gangnam_report, kind="status").count() == events_before + 1
        audit = AuditLog.objects.on("reports.report", gangnam_report.pk).order_by("-id").first()
        assert AuditLog.objects.on("reports.report", gangnam_report.pk).count() == audits_before + 1
        assert (audit.actor, audit.action, audit.after["status"]) == (gangnam_officer, f"report.status.{step}", step)
        assert Notification.objects.filter(user=citizen, report=gangnam_report).count() == notes_before + 1
        assert len(mail.outbox) == 1 and mail.outbox[0].to == [citizen.email]
        assert message in mail.outbox[0].body
        assert Notification.objects.filter(user=citizen, report=gangnam_report).first().emailed_at is not None


def test_reporter_sees_the_official_answer_in_notifications_and_can_mark_them_read(
        client_for, gangnam_officer, gangnam_report, citizen):
    change(client_for(gangnam_officer), gangnam_report, "acknowledged", "현장 확인 예정 / We will inspect")
    me = client_for(citizen)
    listed = me.get("/api/notifications/").json()
    assert listed["unread"] == 2  # received, acknowledged
    assert "현장 확인 예정" in listed["results"][0]["body"]
    assert me.post("/api/notifications/read/", {"all": True}, format="json").json() == {"marked": 2}
    assert me.get("/api/notifications/", {"unread": "true"}).json()["count"] == 0


def test_app_only_contact_preference_stores_the_notification_without_email(
        client_for, gangnam_officer, citizen, places, categories, django_capture_on_commit_callbacks):
    body = {"type": "Feature", "geometry": json.loads(places["samseong"].geojson),
            "properties": {"category": "road_damage", "description": "맨홀 뚜껑 (sample)", "contact_preference": "app"}}
    with django_capture_on_commit_callbacks(execute=True):
        report_id = client_for(citizen).post("/api/reports/", body, format="json").json()["id"]
        change(client_for(gangnam_officer), Report.objects.get(pk=report_id), "acknowledged")
    assert mail.outbox == []
    assert Notification.objects.filter(user=citizen, report_id=report_id, kind="report_status").count() == 1


def test_mapo_officer_cannot_act_on_or_see_internals_of_a_gangnam_report(client_for, mapo_officer, gangnam_report):
    mapo = client_for(mapo_officer)
    assert change(mapo, gangnam_report, "acknowledged").status_code == 403
    assert mapo.post(f"/api/reports/{gangnam_report.pk}/transfer/", {"to_district": MAPO, "reason": "x"},
                     format="json").status_code == 403
    assert mapo.post(f"/api/reports/{gangnam_report.pk}/notes/", {"note": "x"}, format="json").status_code == 403
    assert mapo.get(f"/api/reports/{gangnam_report.pk}/notes/").status_code == 403
    assert mapo.get("/api/reports/", {"queue": "mine"}).json()["features"] == []
    detail = mapo.get(f"/api/reports/{gangnam_report.pk}/").json()
    assert "reporter" not in detail["properties"] and "created_at" not in detail["properties"]
    gangnam_report.refresh_from_db()
    assert gangnam_report.status == "submitted"
    assert not AuditLog.objects.filter(action__startswith="report.status").exists()


def test_hidden_gangnam_report_is_a_404_for_the_mapo_officer_but_not_for_gangnam(client_for, mapo_officer,
                                                                               gangnam_officer, gangnam_report):
    Report.objects.filter(pk=gangnam_report.pk).update(is_hidden=True)
    assert client_for(mapo_officer).get(f"/api/reports/{gangnam_report.pk}/").status_code == 404
    assert change(client_for(mapo_officer), gangnam_report, "acknowledged").status_code == 404
    assert client_for(gangnam_officer).get(f"/api/reports/{gangnam_report.pk}/").status_code == 200


def test_citizens_and_staff_cannot_change_status(client_for, citizen, staff, gangnam_report):
    assert change(client_for(citizen), gangnam_report, "resolved").status_code == 403
    assert change(client_for(staff), gangnam_report, "acknowledged").status_code == 403


@pytest.mark.parametrize("status,extra,field", [
    ("resolved", {}, "status"),  # must be acknowledged first
    ("acknowledged", {"message": "   "}, "message"),
    ("acknowledged", {"message": "<script>x</script>"}, "message"),
    ("duplicate", {}, "duplicate_of"),
    ("not_our_responsibility", {}, "responsible_body"),
    ("closed", {}, "status"),
])
def test_invalid_changes_are_a_400_and_change_nothing(client_for, gangnam_officer, gangnam_report, status, extra,
                                                      field):
    body = {"status": status, "message": "메시지 / message", **extra}
    response = client_for(gangnam_officer).post(f"/api/reports/{gangnam_report.pk}/status/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    text = json.dumps(response.json(), ensure_ascii=False)  # in Korean only: the client asked for no other
    assert any("\uac00" <= ch <= "\ud7a3" for ch in text) and " / " not in text, text
    gangnam_report.refresh_from_db()
    assert gangnam_report.status == "submitted"
    assert not ReportEvent.objects.filter(report=gangnam_report, kind="status").exists()


def test_closed_states_other_than_resolved_are_final(client_for, gangnam_officer, gangnam_report):
    officer = client_for(gangnam_officer)
    assert change(officer, gangnam_report, "rejected").status_code == 200
    assert change(officer, gangnam_report, "acknowledged").status_code == 400


def test_duplicate_links_to_the_original(client_for, gangnam_officer, make_report, citizen2, gangnam_report, places):
    again = make_report(citizen2, places["seolleung"], description="같은 곳 파손 (sample)")
    response = change(client_for(gangnam_officer), again, "duplicate", duplicate_of=gangnam_report.pk)
    assert response.status_code == 200
    assert response.json()["properties"]["duplicate_of"] == gangnam_report.pk
    missing = change(client_for(gangnam_officer), gangnam_report, "duplicate", duplicate_of=999999)
    assert missing.status_code == 404


def test_not_our_responsibility_says_who_is(client_for, gangnam_officer, gangnam_report):
    response = change(client_for(gangnam_officer), gangnam_report, "not_our_responsibility",
                      responsible_body="서울교통공사 (Seoul Metro)")
    assert response.json()["properties"]["responsible_body"] == "서울교통공사 (Seoul Metro)"


def test_border_report_is_resolved_only_when_every_district_has_answered(client_for, gangnam_officer, seocho_officer,
                                                                         make_report, citizen, places):
    report = make_report(citizen, places["gangnam_seocho_border"])
    gangnam, seocho = client_for(gangnam_officer), client_for(seocho_officer)
    for step in ("acknowledged", "in_progress", "resolved"):
        assert change(gangnam, report, step).status_code == 200
    body = client_for(citizen).get(f"/api/reports/{report.pk}/").json()["properties"]
    assert body["status"] == "submitted"  # Seocho has not answered yet
    assert {d["code"]: d["status"] for d in body["districts"]} == {GANGNAM: "resolved", SEOCHO: "submitted"}
    change(seocho, report, "acknowledged")
    assert client_for(citizen).get(f"/api/reports/{report.pk}/").json()["properties"]["status"] == "acknowledged"
    change(seocho, report, "in_progress")
    change(seocho, report, "resolved", "보수 완료 / repaired")
    body = client_for(citizen).get(f"/api/reports/{report.pk}/").json()["properties"]
    assert body["status"] == "resolved"
    assert {d["answer"] for d in body["districts"]} >= {"보수 완료 / repaired"}
    report.refresh_from_db()
    assert report.closed_at is not None and report.acknowledged_at is not None


def test_transfer_moves_the_report_to_another_queue_with_the_reason_recorded(client_for, gangnam_officer,
                                                                             mapo_officer, gangnam_report, citizen):
    reason = "망원동 관할 도로입니다 / the road is Mapo's"
    response = client_for(gangnam_officer).post(f"/api/reports/{gangnam_report.pk}/transfer/",
                                                {"to_district": MAPO, "reason": reason}, format="json")
    assert response.status_code == 200, response.content
    props = response.json()["properties"]
    assert [d["code"] for d in props["districts"]] == [MAPO]
    transfer = props["timeline"][-1]
    assert (transfer["kind"], transfer["district"]["code"], transfer["to_district"]["code"], transfer["message"]) == (
        "transfer", GANGNAM, MAPO, reason)
    assert [f["id"] for f in client_for(mapo_officer).get("/api/reports/", {"queue": "mine"}).json()["features"]] == [
        gangnam_report.pk]
    assert client_for(gangnam_officer).get("/api/reports/", {"queue": "mine"}).json()["features"] == []
    assert AuditLog.objects.filter(action="report.transfer", target_id=str(gangnam_report.pk)).count() == 1
    assert Notification.objects.filter(user=citizen, kind="report_transfer").count() == 1
    # now Gangnam may no longer answer it, Mapo may
    assert change(client_for(gangnam_officer), gangnam_report, "acknowledged").status_code == 403
    assert change(client_for(mapo_officer), gangnam_report, "acknowledged").status_code == 200


@pytest.mark.parametrize("body,field", [
    ({"to_district": "99999", "reason": "x"}, "to_district"),
    ({"to_district": GANGNAM, "reason": "x"}, "to_district"),
    ({"to_district": MAPO, "reason": ""}, "reason"),
])
def test_bad_transfers_are_refused(client_for, gangnam_officer, gangnam_report, body, field):
    response = client_for(gangnam_officer).post(f"/api/reports/{gangnam_report.pk}/transfer/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert [d.code for d in Report.objects.get(pk=gangnam_report.pk).districts.all()] == [GANGNAM]


def test_internal_notes_are_for_officers_and_staff_only(client_for, gangnam_officer, staff, citizen, citizen2,
                                                        gangnam_report, api):
    note = "신고자 차량 번호 확인 필요 (internal)"
    assert client_for(gangnam_officer).post(f"/api/reports/{gangnam_report.pk}/notes/", {"note": note},
                                            format="json").status_code == 201
    assert client_for(gangnam_officer).get(f"/api/reports/{gangnam_report.pk}/notes/").json()["results"][0]["note"] == note
    staff_view = client_for(staff).get(f"/api/reports/{gangnam_report.pk}/").json()
    assert note in json.dumps(staff_view, ensure_ascii=False)
    for client, refusal in ((client_for(citizen), 403), (client_for(citizen2), 403), (api, 401)):
        detail = client.get(f"/api/reports/{gangnam_report.pk}/")
        assert note not in detail.content.decode()
        assert client.get(f"/api/reports/{gangnam_report.pk}/notes/").status_code == refusal
    assert not Notification.objects.filter(user=citizen, body__contains=note).exists()


def test_bulk_acknowledge_is_all_or_nothing(client_for, gangnam_officer, make_report, citizen, places):
    first = make_report(citizen, places["seolleung"])
    second = make_report(citizen, places["samseong"])
    mapo_one = make_report(citizen, places["mangwon"])
    officer = client_for(gangnam_officer)
    refused = officer.post("/api/reports/acknowledge/", {"ids": [first.pk, mapo_one.pk], "message": "확인 / seen"},
                           format="json")
    assert refused.status_code == 400
    assert Report.objects.get(pk=first.pk).status == "submitted"
    done = officer.post("/api/reports/acknowledge/", {"ids": [first.pk, second.pk], "message": "확인 / seen"},
                        format="json")
    assert done.status_code == 200 and sorted(done.json()["acknowledged"]) == sorted([first.pk, second.pk])
    assert set(Report.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {"acknowledged"}
    assert AuditLog.objects.filter(action="report.status.acknowledged").count() == 2
    third = make_report(citizen, places["seolleung"])
    assert officer.post("/api/reports/acknowledge/", {"ids": [third.pk], "message": ""},
                        format="json").status_code == 200
    third.refresh_from_db()
    assert "검토" in third.report_districts.get().answer  # the standard acknowledgement, in both languages


def test_a_border_report_transferred_to_the_other_district_stays_once_in_its_queue(
        client_for, gangnam_officer, seocho_officer, make_report, citizen, places):
    report = make_report(citizen, places["gangnam_seocho_border"])
    response = client_for(gangnam_officer).post(f"/api/reports/{report.pk}/transfer/",
                                                {"to_district": SEOCHO, "reason": "서초구 도로 / Seocho's road"},
                                                format="json")
    assert response.status_code == 200
    assert [d["code"] for d in response.json()["properties"]["districts"]] == [SEOCHO]
    assert [f["id"] for f in client_for(seocho_officer).get("/api/reports/", {"queue": "mine"}).json()["features"]] == [
        report.pk]


def test_queue_filters_status_category_overdue_and_bbox(client_for, gangnam_officer, make_report, citizen, places):
    road = make_report(citizen, places["seolleung"])
    dark = make_report(citizen, places["samseong"], category="dark")
    officer = client_for(gangnam_officer)
    change(officer, road, "acknowledged")

    def ids(**params):
        response = officer.get("/api/reports/", {"queue": "mine", **params})
        assert response.status_code == 200, response.content
        return {f["id"] for f in response.json()["features"]}

    assert ids() == {road.pk, dark.pk}
    assert ids(status="submitted") == {dark.pk}
    assert ids(status="acknowledged,in_progress") == {road.pk}
    assert ids(category="dark_alley") == {dark.pk}
    assert ids(overdue="true") == set()
    Report.objects.filter(pk=dark.pk).update(acknowledge_due=datetime.date(2026, 1, 2))
    assert ids(overdue="true") == {dark.pk}
    assert ids(overdue="false") == {road.pk}
    seolleung = places["seolleung"]
    assert ids(bbox=f"{seolleung.x - 0.002},{seolleung.y - 0.002},{seolleung.x + 0.002},{seolleung.y + 0.002}") == {
        road.pk}
    assert officer.get("/api/reports/", {"queue": "mine", "status": "lost"}).status_code == 400
    assert officer.get("/api/reports/", {"queue": "mine", "bbox": "1,2,3"}).status_code == 400


def test_queue_is_for_officers_only(client_for, citizen):
    response = client_for(citizen).get("/api/reports/", {"queue": "mine"})
    assert response.status_code == 403 and any("\uac00" <= ch <= "\ud7a3" for ch in response.json()["detail"])


def test_service_targets_count_korean_working_days():
    # Chuseok 2026 is 24–26 September (Thu–Sat): two working days from Wednesday the 23rd end on Tuesday the 29th.
    assert add_working_days(datetime.date(2026, 9, 23), 2) == datetime.date(2026, 9, 29)
    assert add_working_days(datetime.date(2026, 11, 27), 1) == datetime.date(2026, 11, 30)  # Friday → Monday
    assert add_working_days(datetime.date(2026, 12, 24), 1) == datetime.date(2026, 12, 28)  # Christmas


def test_due_dates_come_from_the_category_targets(gangnam_report, categories):
    assert gangnam_report.acknowledge_due == add_working_days(gangnam_report.created_on, 2)
    assert gangnam_report.resolve_due == add_working_days(gangnam_report.created_on, 10)


@pytest.mark.parametrize("who", ["anonymous", "reporter", "officer", "staff"])
def test_the_report_list_costs_the_same_queries_for_3_or_30_reports(who, api, client_for, citizen, gangnam_officer,
                                                                   staff, make_report, places):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = {"anonymous": api, "reporter": client_for(citizen), "officer": client_for(gangnam_officer),
              "staff": client_for(staff)}[who]
    counts = []
    for total in (3, 30):
        while Report.objects.count() < total:
            make_report(citizen, places["seolleung"], description=f"보도 파손 {Report.objects.count()} (sample)")
        with CaptureQueriesContext(connection) as queries:
            listed = client.get("/api/reports/", {"queue": "mine"} if who == "officer" else {})
        assert listed.status_code == 200 and len(listed.json()["features"]) == total
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] and counts[1] <= 10, counts
