"""docs/privacy.md states exactly what each public path shows; this test reads its table and compares it
with the fields the real answers carry, as the public gets them (#16, "Done when")."""
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import mapbox_vector_tile
import pytest

from layers.cache import tile_cache
from layers.tilegrid import lonlat_to_tile_fraction

from tests.live.conftest import ws  # noqa: F401  (fixture: real sockets on the live server)

from .test_photos import jpeg_with_gps, upload

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"


def documented() -> dict[tuple[str, str], tuple[set[str], set[str]]]:
    """(path, object) → (fields always shown, fields shown only under their condition) from the doc's table."""
    text = DOC.read_text()
    section = text.split("## What each public path shows", 1)[1].split("\n## ", 1)[0]
    table = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`/"):
            continue
        path, obj = cells[0].strip("`"), cells[1]
        fields = re.findall(r"`([a-z_0-9]+)`(\*?)", cells[2])
        table[(path, obj)] = ({f for f, star in fields if not star}, {f for f, star in fields if star})
    return table


@pytest.fixture
def world(make_report, make_user, citizen, gangnam_officer, places, client_for, django_capture_on_commit_callbacks,
          settings):
    """A published road report, a private-description road report, a sensitive report (answered, with a
    photo where allowed) and a public map with a feature."""
    from maps.services import feature_create, map_create

    tile_cache().drop_layer("reports")
    with django_capture_on_commit_callbacks(execute=True):
        published = make_report(citizen, places["seolleung"], description="보도 파손 (sample)", description_public=True)
        private = make_report(citizen, places["mangwon"], description="우리 가게 앞 (sample)")
        dark = make_report(citizen, places["samseong"], category="dark", description="우리 집 앞 (sample)",
                           description_public=True)
    for report in (published, dark):
        photo = upload(client_for(citizen), report.pk, jpeg_with_gps())
        assert photo.status_code == 201, photo.content
        client_for(gangnam_officer).post(f"/api/reports/{report.pk}/status/",
                                         {"status": "acknowledged", "message": "확인 / seen"}, format="json")
    owner = make_user("mapper")
    map_obj = map_create(owner=owner, title="공개 지도 (sample)", visibility="public")
    feature_create(map_obj=map_obj, actor=owner, geom=places["city_hall"], name="시청 (sample)")
    return {"published": published, "private": private, "dark": dark, "map": map_obj, **_other_paths(citizen, places),
            **_civic_paths(citizen, make_user, client_for, settings)}


def _civic_paths(citizen, make_user, client_for, settings) -> dict:
    """A proposal taken through its citizen evaluation (drawn volunteers scored it, the committee reviewed it) and
    accepted into a project with a dated update; the volunteers have names and e-mails that must not show."""
    import datetime

    from django.utils import timezone

    from campaigns.services import round_create
    from projects.models import Project
    from projects.services import update_post

    # pytest-django's settings fixture: restored after the test (a plain assignment leaked into later tests)
    settings.PROPOSALS_EVALUATION_THRESHOLD = 2
    settings.PROPOSALS_EVALUATION_GROUP_SIZE = 2
    settings.PROPOSALS_EVALUATION_BY_KIND = {}
    staff = make_user("privacy.staff", role="city_staff")
    now = timezone.now()
    round_create(actor=staff, title="2026 가을 (sample)", starts_at=now - datetime.timedelta(hours=1),
                 ends_at=now + datetime.timedelta(days=7))
    volunteers = [make_user(f"privacy.volunteer{i}", email=f"privacy.volunteer{i}@example.org") for i in range(3)]
    for person in volunteers:
        assert client_for(person).post("/api/evaluators/me/").status_code == 201
    body = {"title": "선릉역 정류장 그늘막 (sample)", "why": "여름 한낮에 기다리기 힘듭니다.", "kind": "local_project",
            "place": {"type": "Point", "coordinates": [127.048203, 37.504286]}, "budget_estimate": 12_000_000,
            "area_scope": "districts", "districts": ["11680"]}
    proposal = client_for(citizen).post("/api/proposals/", body, format="json").json()["id"]
    for i in range(2):
        voter = make_user(f"privacy.voter{i}", established=True)
        assert client_for(voter).post(f"/api/proposals/{proposal}/vote/").status_code == 201
    drawn = client_for(citizen).get(f"/api/proposals/{proposal}/evaluation/").json()["drawn"]
    score = {"need": 5, "feasibility": 4, "benefit": 4, "comment": "이용객이 많습니다 (sample)"}
    for person in volunteers:
        if person.evaluator.pk in drawn:
            answer = client_for(person).post(f"/api/proposals/{proposal}/evaluation/score/", score, format="json")
            assert answer.status_code == 201, answer.json()
    assert client_for(staff).post(f"/api/proposals/{proposal}/evaluation/review/",
                                  {"score": 4, "comment": "예산 범위 안 (sample)"}, format="json").status_code == 201
    decide = {"outcome": "accepted", "feedback": "여름 전에 설치합니다 (sample)",
              "new_project": {"title_ko": "선릉역 그늘막 설치 (sample)", "department_ko": "기후환경본부",
                              "districts": ["11680"], "budget_planned": 12_000_000}}
    decided = client_for(staff).post(f"/api/proposals/{proposal}/decision/", decide, format="json")
    assert decided.status_code == 200, decided.json()
    project = Project.objects.get(pk=decided.json()["project"])
    update_post(actor=staff, project=project, date=datetime.date(2026, 6, 1), text_ko="착공 (sample)",
                status="in_progress", progress=30)
    commenter = make_user("privacy.commenter", display_name="댓글러", email="privacy.commenter@example.org")
    assert client_for(commenter).post(f"/api/proposals/{proposal}/comments/", {"text": "좋아요 (sample)"},
                                      format="json").status_code == 201
    from campaigns.services import campaign_create, proposal_answer, proposal_create, round_close

    selected = proposal_create(proposer=citizen, title="성북구 어두운 골목 지도 (sample)", why="밤길 안전",
                               area_scope="districts", district_codes=["11290"])
    round_close(round_=selected.round, actor=staff)
    proposal_answer(proposal=selected, actor=staff, state="selected")
    campaign_create(actor=staff, proposal_id=selected.pk, template_slug="safety", goal="골목 200곳 (sample)",
                    target_features=200)
    return {"proposal": proposal, "project": project.pk, "volunteers": volunteers + [commenter]}


def _other_paths(citizen, places) -> dict:
    """Platform feedback, a committee meeting with a disclosed and a withheld document, a published analysis."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    from analysis.services import analysis_create, analysis_publish, analysis_run
    from feedback.services import feedback_create
    from meetings.services import committee_create, disclosure_reason_upsert, document_add, meeting_create

    feedback_create(author=citizen, kind="wish", text="지도 인쇄 기능이 있으면 좋겠어요 (sample)")
    committee = committee_create(name_ko="교통위원회 (sample)", name_en="Transport Committee",
                                 department_ko="교통정책과", department_en="Transport Policy",
                                 members=[("김위원 (sample)", "위원장", "Chair")])
    reason = disclosure_reason_upsert(code="art9-1-5", legal_basis="정보공개법 제9조 제1항 제5호",
                                      title_ko="내부검토 과정", title_en="Under internal review")
    point = places["city_hall"]
    meeting = meeting_create(committee=committee, title_ko="제3차 교통위원회 (sample)", place_name="서울특별시청",
                             starts_at=datetime.datetime(2025, 9, 2, 14, tzinfo=datetime.timezone.utc),
                             lon=point.x, lat=point.y, agenda="버스 노선 (sample)", minutes="회의록 (sample)")
    document_add(meeting=meeting, title="안건지", file=SimpleUploadedFile("a.pdf", b"%PDF-1.4 a"))
    document_add(meeting=meeting, title="내부 검토", file=SimpleUploadedFile("r.pdf", b"%PDF-1.4 r"),
                 disclosure="not_disclosed", disclosure_reason=reason)
    from accounts.models import User

    analyst = User.objects.create_user(username="privacy.analyst", password="x" * 12, role="analyst",
                                       email="privacy.analyst@example.org")
    analysis = analysis_create(user=analyst, name="구별 집계 (sample)", method="aggregation",
                               parameters={"source": "districts", "unit": "district"})
    analysis = analysis_run(analysis=analysis, user=analyst)
    analysis_publish(analysis=analysis, user=analyst)
    return {"meeting": meeting, "analysis": analysis}


def observed(api, world, client_for, citizen2) -> dict[tuple[str, str], list[tuple[str, set[str]]]]:
    """(path, object) → [(which report or row, its keys)] as the public gets them."""
    out: dict[tuple[str, str], list] = {}

    def add(path, obj, label, keys):
        out.setdefault((path, obj), []).append((label, set(keys)))

    reports = {name: world[name] for name in ("published", "private", "dark")}
    for name, report in reports.items():
        detail = api.get(f"/api/reports/{report.pk}/").json()
        add("/api/reports/{id}/", "feature", name, detail)
        add("/api/reports/{id}/", "properties", name, detail["properties"])
        for row in detail["properties"]["districts"]:
            add("/api/reports/{id}/", "districts", name, row)
        for event in detail["properties"]["timeline"]:
            add("/api/reports/{id}/", "timeline", name, event)
        for photo in detail["properties"]["photos"]:
            add("/api/reports/{id}/", "photos", name, photo)
    for feature in api.get("/api/reports/").json()["features"]:
        label = next(n for n, r in reports.items() if r.pk == feature["id"])
        add("/api/reports/", "feature", label, feature)
        add("/api/reports/", "properties", label, feature["properties"])
    for row in api.get("/open311/v2/requests.json").json():
        add("/open311/v2/requests.json", "request", row["service_request_id"], row)
    root = ET.fromstring(api.get("/open311/v2/requests.xml").content)
    for request in root.findall("request"):
        add("/open311/v2/requests.xml", "request", request.findtext("service_request_id"),
            [child.tag for child in request])
    for name, report in reports.items():
        point = report.public_geom
        fx, fy = lonlat_to_tile_fraction(point.x, point.y, 16)
        tile = api.get(f"/tiles/reports/16/{int(fx)}/{int(fy)}.mvt")
        for feature in mapbox_vector_tile.decode(tile.content)["reports"]["features"]:
            add("/tiles/reports/{z}/{x}/{y}.mvt", "properties", name, feature["properties"])
        for z in (12, 14):  # up to z14 the points are counted cells
            fx, fy = lonlat_to_tile_fraction(point.x, point.y, z)
            tile = api.get(f"/tiles/reports/{z}/{int(fx)}/{int(fy)}.mvt")
            for feature in mapbox_vector_tile.decode(tile.content)["reports"]["features"]:
                add("/tiles/reports/{z}/{x}/{y}.mvt", "cells (zoom ≤ 14)", name, feature["properties"])
    for feature in api.get("/ogc/collections/reports/items", {"limit": 100}).json()["features"]:
        add("/ogc/collections/reports/items", "properties", feature["id"], feature["properties"])
    export = client_for(citizen2).get("/api/layers/reports/export.geojson")
    for feature in json.loads(b"".join(export.streaming_content))["features"]:
        add("/api/layers/reports/export.geojson", "properties", feature.get("id"), feature["properties"])
    map_obj = world["map"]
    add("/api/maps/{id}/", "map", "map", api.get(f"/api/maps/{map_obj.pk}/").json())
    for feature in api.get(f"/api/maps/{map_obj.pk}/features/").json()["features"]:
        add("/api/maps/{id}/features/", "properties", feature["id"], feature["properties"])
    layer = map_obj.layer_name
    where = map_obj.features.get().geom
    fx, fy = lonlat_to_tile_fraction(where.x, where.y, 16)
    tile = api.get(f"/tiles/{layer}/16/{int(fx)}/{int(fy)}.mvt")
    for tile_layer in mapbox_vector_tile.decode(tile.content).values():
        for feature in tile_layer["features"]:
            add("/tiles/map-{id}/{z}/{x}/{y}.mvt", "properties", "map", feature["properties"])
    for feature in api.get(f"/ogc/collections/{layer}/items").json()["features"]:
        add("/ogc/collections/map-{id}/items", "properties", feature["id"], feature["properties"])
    export = client_for(citizen2).get(f"/api/layers/{layer}/export.geojson")
    for feature in json.loads(b"".join(export.streaming_content))["features"]:
        add("/api/layers/map-{id}/export.geojson", "properties", feature.get("id"), feature["properties"])
    for item in api.get("/api/feedback/").json()["results"]:
        add("/api/feedback/", "feedback", item["id"], item)
    add("/api/roadmap/", "roadmap", "roadmap", api.get("/api/roadmap/").json())
    meeting = api.get(f"/api/meetings/{world['meeting'].pk}/").json()
    add("/api/meetings/{id}/", "meeting", "meeting", meeting)
    for document in meeting["documents"]:
        add("/api/meetings/{id}/", "documents", document["title"], document)
    analysis = api.get(f"/api/analyses/{world['analysis'].pk}/").json()
    add("/api/analyses/{id}/", "analysis", "analysis", analysis)
    for output in analysis["outputs"]:
        add("/api/analyses/{id}/", "outputs", output["key"], output)
    _observe_civic(api, world, add)
    add("/api/notifications/", "(anonymous)", "status", {f"status_{api.get('/api/notifications/').status_code}"})
    add("/api/auth/me/", "(anonymous)", "status", {f"status_{api.get('/api/auth/me/').status_code}"})
    return out


def _observe_civic(api, world, add) -> None:
    """Proposals and their evaluation, projects and their updates, committees and the meetings list."""
    for item in api.get("/api/proposals/").json()["results"]:
        add("/api/proposals/", "proposal", item["id"], item)
    proposal = api.get(f"/api/proposals/{world['proposal']}/").json()
    add("/api/proposals/{id}/", "proposal", "proposal", proposal)
    for link in proposal["projects"]:
        add("/api/proposals/{id}/", "projects", link["id"], link)
    evaluation = api.get(f"/api/proposals/{world['proposal']}/evaluation/").json()
    add("/api/proposals/{id}/evaluation/", "evaluation", "evaluation", evaluation)
    for seat in evaluation["seats"]:
        add("/api/proposals/{id}/evaluation/", "seats", seat["evaluator"], seat)
    for review in evaluation["committee_reviews"]:
        add("/api/proposals/{id}/evaluation/", "committee_reviews", "review", review)
    for step in evaluation["steps"]:
        add("/api/proposals/{id}/evaluation/", "steps", step["step"], step)
    projects = api.get("/api/projects/").json()
    for feature in projects["features"]:
        add("/api/projects/", "feature", feature["id"], feature)
        add("/api/projects/", "properties", feature["id"], feature["properties"])
    for update in api.get(f"/api/projects/{world['project']}/updates/").json()["results"]:
        add("/api/projects/{id}/updates/", "update", update["id"], update)
    for committee in api.get("/api/committees/").json()["results"]:
        add("/api/committees/", "committee", committee["id"], committee)
        for member in committee.get("members", ()):
            add("/api/committees/", "members", member["name"], member)
    for meeting in api.get("/api/meetings/").json()["results"]:
        add("/api/meetings/", "meeting", meeting["id"], meeting)
    for comment in api.get(f"/api/proposals/{world['proposal']}/comments/").json()["results"]:
        add("/api/proposals/{id}/comments/", "comment", comment["id"], comment)
    for item in api.get("/api/rounds/").json()["results"]:
        add("/api/rounds/", "round", item["id"], item)
        detail = api.get(f"/api/rounds/{item['id']}/").json()
        add("/api/rounds/{id}/", "round", item["id"], detail)
        for entry in detail["ranking"] or ():
            add("/api/rounds/{id}/", "ranking", entry["rank"], entry)
    for item in api.get("/api/campaigns/").json()["results"]:
        add("/api/campaigns/", "campaign", item["id"], item)
        for district in item["target_districts"]:
            add("/api/campaigns/", "target_districts", district["code"], district)
        add("/api/campaigns/", "progress", item["id"], item["progress"])
        for row in item["progress"]["coverage"]:
            add("/api/campaigns/", "coverage", row["code"], row)
    stats = api.get("/api/meetings/stats/").json()
    add("/api/meetings/stats/", "stats", "stats", stats)
    add("/api/meetings/stats/", "overall", "overall", stats["overall"])
    for part in ("by_department", "by_committee", "over_time", "by_department_over_time"):
        for row in stats[part]:
            add("/api/meetings/stats/", part, part, row)


def test_every_public_path_shows_exactly_the_fields_docs_privacy_md_lists(world, api, client_for, citizen2):
    doc = {key: fields for key, fields in documented().items() if not key[0].startswith(SOCKETS)}
    _compare(doc, observed(api, world, client_for, citizen2))


SOCKETS = "/ws/"


def _compare(doc, seen) -> None:
    assert set(seen) == set(doc), "paths in the doc and paths tested differ"
    for key, rows in seen.items():
        always, conditional = doc[key]
        for label, keys in rows:
            assert always <= keys, f"{key} {label}: the doc lists {sorted(always - keys)}, not shown"
            assert keys <= always | conditional, f"{key} {label}: shows {sorted(keys - always - conditional)}, not in the doc"


def test_proposals_and_their_evaluation_show_volunteers_by_number_never_by_name_or_e_mail(world, api):
    seen = json.dumps([api.get(f"/api/proposals/{world['proposal']}/").json(), api.get("/api/proposals/").json(),
                       api.get(f"/api/proposals/{world['proposal']}/evaluation/").json(),
                       api.get(f"/api/proposals/{world['proposal']}/comments/").json()], ensure_ascii=False)
    evaluation = api.get(f"/api/proposals/{world['proposal']}/evaluation/").json()
    assert len(evaluation["seats"]) == 2 and all(isinstance(n, int) for n in evaluation["pool"] + evaluation["drawn"])
    for person in world["volunteers"]:
        assert person.username not in seen and person.email not in seen and str(person.public_name) not in seen


def test_a_user_name_that_is_an_e_mail_address_never_shows_as_the_public_name(make_user, api, places):
    from maps.services import feature_create, map_create

    mapper = make_user("minji.kim@example.org", email="minji.kim@example.org")
    map_obj = map_create(owner=mapper, title="내 지도 (sample)", visibility="public")
    feature_create(map_obj=map_obj, actor=mapper, geom=places["city_hall"], name="시청 (sample)")
    shown = json.dumps([api.get(f"/api/maps/{map_obj.pk}/").json(),
                        api.get(f"/api/maps/{map_obj.pk}/features/").json()], ensure_ascii=False)
    assert "example.org" not in shown
    assert api.get(f"/api/maps/{map_obj.pk}/").json()["owner"] == "minji.kim"


@pytest.mark.django_db(transaction=True)
def test_the_map_socket_sends_exactly_the_fields_docs_privacy_md_lists(ws, make_user):  # noqa: F811
    """Through real sockets: the hello, a feature event (a REST edit) and presence as a signed-in viewer gets them;
    people by display name and badge, never a user name or e-mail."""
    from django.contrib.gis.geos import Point
    from rest_framework.authtoken.models import Token

    from maps.services import feature_create, feature_delete, feature_update, map_create

    owner = make_user("privacy.owner", display_name="지도 주인", email="privacy.owner@example.org")
    viewer = make_user("privacy.viewer", display_name="민지", email="privacy.viewer@example.org")
    map_obj = map_create(owner=owner, title="실시간 지도 (sample)", visibility="public")
    token = Token.objects.get_or_create(user=viewer)[0].key
    socket = ws(f"/ws/maps/{map_obj.pk}/", token=token)
    messages = [socket.wait_for("hello")]
    messages.append(socket.wait_for("presence", where=lambda m: m["people"]))
    feature_create(map_obj=map_obj, actor=owner, geom=Point(126.978, 37.5665, srid=4326), name="시청 (sample)")
    messages.append(socket.wait_for("feature.created"))
    feature = map_obj.features.get()
    feature = feature_update(feature=feature, actor=owner, expected_version=feature.version, name="시청 앞")
    messages.append(socket.wait_for("feature.updated"))
    feature_delete(feature=feature, actor=owner)
    messages.append(socket.wait_for("feature.deleted"))
    seen: dict = {}

    def add(obj, label, keys):
        seen.setdefault((f"{SOCKETS}maps/{{id}}/", obj), []).append((label, set(keys)))

    for message in messages:
        add(message["type"], message["type"], message)
        if message["type"] == "presence":
            for person in message["people"]:
                add("presence people", person["id"], person)
        if message.get("feature"):
            add(f"{message['type']} properties", message["id"], message["feature"]["properties"])
    doc = {key: fields for key, fields in documented().items() if key[0].startswith(SOCKETS)}
    _compare(doc, seen)
    text = json.dumps(messages, ensure_ascii=False)
    for person in (owner, viewer):
        assert person.email not in text and person.username not in text, text
    assert {p["name"] for p in messages[1]["people"]} == {"민지"} and messages[2]["author"] == "지도 주인"


def test_the_conditional_description_appears_exactly_when_published(world, api):
    def props(name):
        return api.get(f"/api/reports/{world[name].pk}/").json()["properties"]

    assert "description" in props("published")
    assert "description" not in props("private")
    assert "description" not in props("dark")  # published by its reporter, but in a sensitive category


def test_the_doc_table_is_parsed(world):
    doc = documented()
    assert len(doc) >= 30
    assert doc[("/api/reports/{id}/", "properties")][1] == {"description"}
