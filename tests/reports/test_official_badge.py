"""#16 (names): wherever a person's display name is shown, the official badge beside it comes from their role,
never from the name they chose: report timelines and notes, a report's reporter, analyses' authors, a map's
live events (maps' owners and features' authors: tests/accounts/test_names_and_email.py)."""
import pytest
from django.contrib.gis.geos import Point

from maps.models import MapEvent
from maps.services import feature_create, map_create

pytestmark = pytest.mark.django_db


def test_report_timeline_notes_and_reporter_carry_the_badge_by_role(client_for, make_user, gangnam_officer, staff,
                                                                   make_report, places):
    # a citizen who calls themself an office still gets no badge (such names are refused; this one is plain)
    reporter = make_user("haneul", display_name="강남 주민")
    report = make_report(reporter, places["seolleung"])
    officer = client_for(gangnam_officer)
    assert officer.post(f"/api/reports/{report.pk}/status/", {"status": "acknowledged", "message": "확인했습니다."},
                        format="json").status_code == 200
    assert officer.post(f"/api/reports/{report.pk}/notes/", {"note": "현장 확인 예정"}, format="json").status_code == 201
    body = client_for(staff).get(f"/api/reports/{report.pk}/").json()["properties"]
    by_kind = {event["kind"]: event for event in body["timeline"]}
    assert by_kind["status"]["actor"] == gangnam_officer.public_name and by_kind["status"]["actor_official"] is True
    assert by_kind["created"]["actor"] == "강남 주민" and by_kind["created"]["actor_official"] is False
    assert body["reporter"] == {"id": reporter.pk, "name": "강남 주민", "official": False}
    (note,) = officer.get(f"/api/reports/{report.pk}/notes/").json()["results"]
    assert note["actor"] == gangnam_officer.public_name and note["actor_official"] is True


def test_analysis_authors_and_map_events_carry_the_badge_by_role(client_for, make_user, staff, api, seoul):
    from analysis.services import analysis_create

    chief = make_user("chief", role="admin")  # an administrator is an analyst too, and an official
    analyst = make_user("dana", role="analyst")
    for author, official in ((chief, True), (analyst, False)):
        made = analysis_create(user=author, name=f"by {author.username}", method="aggregation",
                               parameters={"source": "districts", "unit": "district"})
        shown = client_for(staff).get(f"/api/analyses/{made.pk}/").json()
        assert shown["created_by_official"] is official

    map_obj = map_create(owner=staff, title="공공 쉼터", visibility="public")
    feature_create(map_obj=map_obj, actor=staff, geom=Point(126.97797, 37.56654, srid=4326), name="시청 앞")
    event = MapEvent.objects.filter(map_id=map_obj.pk, type="feature.created").latest("revision")
    assert event.payload["author"] == staff.public_name and event.payload["author_official"] is True

