"""Flags on crowd content: distinct flaggers hide it pending review; city staff restore or remove; all audited."""
import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditLog
from moderation.models import Flag
from reports.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def flaggers(make_user):
    return [make_user(f"flagger{i}") for i in range(3)]


@pytest.fixture
def food_map(make_user, places):
    from maps.services import feature_create, map_create

    owner = make_user("mapmaker")
    map_obj = map_create(owner=owner, title="망원동 맛집 지도 (sample)", theme="food", visibility="public")
    feature = feature_create(map_obj=map_obj, actor=owner, geom=places["mangwon"], name="망원시장 (sample)")
    return map_obj, feature, owner


def flag(client, target_type, target_id, reason="spam"):
    return client.post("/api/flags/", {"target_type": target_type, "target_id": target_id, "reason": reason},
                       format="json")


def feature_ids(client, map_obj):
    return [f["id"] for f in client.get(f"/api/maps/{map_obj.pk}/features/").json()["features"]]


def test_three_distinct_flags_hide_a_feature_and_staff_can_restore_it(client_for, flaggers, food_map, staff, api):
    map_obj, feature, _ = food_map
    assert feature_ids(api, map_obj) == [feature.pk]
    for i, user in enumerate(flaggers):
        assert flag(client_for(user), "feature", feature.pk, reason=["spam", "abuse", "wrong"][i]).status_code == 201
        feature.refresh_from_db()
        assert feature.is_hidden is (i == 2)
    assert feature_ids(api, map_obj) == []
    hide = AuditLog.objects.get(action="flag.hide", target_type="maps.feature", target_id=str(feature.pk))
    assert hide.after == {"is_hidden": True, "flaggers": 3}
    assert AuditLog.objects.filter(action="flag.create", target_type="maps.feature").count() == 3

    queue = client_for(staff).get("/api/moderation/flags/").json()
    entry = queue["results"][0]
    assert (entry["target_type"], entry["target_id"], entry["flaggers"], entry["is_hidden"]) == (
        "feature", feature.pk, 3, True)
    assert (entry["spam"], entry["abuse"], entry["wrong"]) == (1, 1, 1)
    assert all("user" not in f for f in entry["flags"])

    decided = client_for(staff).post(f"/api/moderation/flags/feature/{feature.pk}/",
                                     {"decision": "restore", "note": "정상 게시물 / fine"}, format="json")
    assert decided.status_code == 200 and decided.json()["flags_closed"] == 3
    assert feature_ids(api, map_obj) == [feature.pk]
    restore = AuditLog.objects.get(action="flag.restore")
    assert (restore.actor, restore.before, restore.after["is_hidden"]) == (staff, {"is_hidden": True}, False)
    assert client_for(staff).get("/api/moderation/flags/").json()["count"] == 0


def test_two_flags_do_not_hide(client_for, flaggers, food_map):
    _, feature, _ = food_map
    for user in flaggers[:2]:
        flag(client_for(user), "feature", feature.pk)
    feature.refresh_from_db()
    assert feature.is_hidden is False


def test_the_same_person_flagging_twice_counts_once(client_for, citizen, food_map):
    _, feature, _ = food_map
    me = client_for(citizen)
    assert flag(me, "feature", feature.pk).status_code == 201
    again = flag(me, "feature", feature.pk, reason="abuse")
    assert again.status_code == 400 and "이미 신고한" in str(again.json())
    assert Flag.objects.filter(target_type="feature", target_id=feature.pk).count() == 1


def test_the_database_refuses_a_second_flag_by_the_same_user(citizen, food_map):
    _, feature, _ = food_map
    Flag.objects.create(user=citizen, target_type="feature", target_id=feature.pk, reason="spam")
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(user=citizen, target_type="feature", target_id=feature.pk, reason="abuse")


def test_three_flags_hide_a_report_and_removal_keeps_it_hidden(client_for, flaggers, make_report, citizen, places,
                                                               staff, api):
    report = make_report(citizen, places["seolleung"], description="광고 문구 (sample spam)")
    for user in flaggers:
        flag(client_for(user), "report", report.pk)
    assert api.get(f"/api/reports/{report.pk}/").status_code == 404
    assert client_for(citizen).get(f"/api/reports/{report.pk}/").status_code == 200  # the reporter still sees it
    client_for(staff).post(f"/api/moderation/flags/report/{report.pk}/", {"decision": "remove"}, format="json")
    report.refresh_from_db()
    assert report.is_hidden is True
    assert set(Flag.objects.filter(target_id=report.pk).values_list("state", flat=True)) == {"removed"}
    assert AuditLog.objects.filter(action="flag.remove", target_id=str(report.pk), actor=staff).exists()


def test_three_flags_hide_a_map_and_a_photo(client_for, flaggers, food_map, api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from maps.services import photo_add

    from tests.reports.test_photos import jpeg_with_gps

    map_obj, feature, owner = food_map
    photo = photo_add(feature=feature, actor=owner, upload=SimpleUploadedFile("p.jpg", jpeg_with_gps()))
    for user in flaggers:
        assert flag(client_for(user), "photo", photo.pk, reason="personal_data").status_code == 201
        assert flag(client_for(user), "map", map_obj.pk).status_code == 201
    photo.refresh_from_db()
    map_obj.refresh_from_db()
    assert photo.is_hidden and map_obj.is_hidden
    assert api.get(f"/api/maps/{map_obj.pk}/").status_code == 404


def test_private_content_cannot_be_flagged_or_probed(client_for, citizen, make_user, places):
    from maps.services import feature_create, map_create

    owner = make_user("diarist")
    private = map_create(owner=owner, title="내 산책길 (sample)", visibility="private")
    feature = feature_create(map_obj=private, actor=owner, geom=places["hapjeong"])
    assert flag(client_for(citizen), "map", private.pk).status_code == 404
    assert flag(client_for(citizen), "feature", feature.pk).status_code == 404
    assert flag(client_for(citizen), "report", 999999).status_code == 404


@pytest.mark.parametrize("body", [
    {"target_type": "user", "target_id": 1, "reason": "spam"},
    {"target_type": "report", "target_id": 1, "reason": "boring"},
    {"target_type": "report", "target_id": "one", "reason": "spam"},
])
def test_bad_flags_are_a_400(client_for, citizen, body):
    assert client_for(citizen).post("/api/flags/", body, format="json").status_code == 400


def test_anonymous_and_banned_users_cannot_flag(api, client_for, citizen, make_report, places):
    report = make_report(citizen, places["seolleung"])
    assert flag(api, "report", report.pk).status_code == 401
    citizen.is_banned = True
    citizen.save()
    assert flag(client_for(citizen), "report", report.pk).status_code == 403


def test_only_city_staff_see_the_queue_and_decide(client_for, citizen, gangnam_officer, flaggers, make_report,
                                                  places):
    report = make_report(citizen, places["seolleung"])
    flag(client_for(flaggers[0]), "report", report.pk)
    for user in (citizen, gangnam_officer):
        assert client_for(user).get("/api/moderation/flags/").status_code == 403
        assert client_for(user).post(f"/api/moderation/flags/report/{report.pk}/", {"decision": "remove"},
                                     format="json").status_code == 403
    assert Report.objects.get(pk=report.pk).is_hidden is False


def test_the_owner_of_hidden_content_is_told_without_naming_who_flagged(client_for, make_user, seoul):
    from maps.services import feature_create, map_create
    from notifications.models import Notification

    owner = make_user("mapmaker")
    flaggers = [make_user(f"flagger{i}") for i in range(3)]
    m = map_create(owner=owner, title="골목 지도 (sample)")
    from django.contrib.gis.geos import Point

    feature = feature_create(map_obj=m, actor=owner, geom=Point(126.9780, 37.5665, srid=4326))  # Seoul City Hall
    for user in flaggers:
        client_for(user).post("/api/flags/", {"target_type": "feature", "target_id": feature.pk, "reason": "spam"},
                              format="json")
    notes = list(Notification.objects.filter(user=owner, kind="content_hidden"))
    assert len(notes) == 1
    # stored as a message: each reader reads it in their own language
    from django.utils import translation

    from notifications.services import notification_text

    assert "숨겨졌습니다" in notification_text(notes[0])[0] and "hidden" not in notification_text(notes[0])[0]
    with translation.override("en"):
        assert "hidden" in notification_text(notes[0])[0] and "숨겨" not in notification_text(notes[0])[0]
    assert not any(u.username in notes[0].body for u in flaggers)
    assert not Notification.objects.filter(user__in=flaggers, kind="content_hidden").exists()
