"""A selected proposal becomes a campaign map (through the maps app) with live progress; both are layers."""
import gzip

import mapbox_vector_tile
import pytest

from campaigns import services
from campaigns.models import Campaign
from maps.models import Map
from layers.tilegrid import lonlat_to_tile_fraction
from tests.conftest import korean_only

SEONGBUK_OFFICE = (127.0167, 37.5894)  # 성북구청
GANGNAM_STATION = (127.0276, 37.4979)  # 강남역


@pytest.fixture
def selected(citizen, voters, staff, open_round):
    proposal = services.proposal_create(proposer=citizen, title="성북구 어두운 골목 지도 / Dark alleys of Seongbuk-gu",
                                        why="가로등이 없는 골목을 찾아 밤길을 밝힙니다.", area_scope="districts",
                                        district_codes=["11290"], categories=["가로등 없음", "CCTV 없음"])
    for voter in voters[:3]:
        services.vote_cast(proposal=proposal, voter=voter)
    services.round_close(round_=open_round, actor=staff)
    return services.proposal_answer(proposal=proposal, actor=staff, state="selected")


def _start(client, proposal, **extra):
    body = {"proposal": proposal.pk, "template": "safety", "goal": "성북구의 어두운 골목을 모두 지도에 올리기", **extra}
    return client.post("/api/campaigns/", body, format="json")


def _point(client, map_id, lonlat, name):
    return client.post(f"/api/maps/{map_id}/features/",
                       {"geometry": {"type": "Point", "coordinates": list(lonlat)}, "name": name}, format="json")


def _tile(api, layer, lonlat, z=12):
    fx, fy = lonlat_to_tile_fraction(*lonlat, z)
    response = api.get(f"/tiles/{layer}/{z}/{int(fx)}/{int(fy)}.mvt")
    if response.status_code == 204:
        return []
    assert response.status_code == 200, response.status_code
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return mapbox_vector_tile.decode(data)[layer]["features"]


def test_the_selected_proposal_becomes_a_campaign_map_whose_progress_counts_new_contributions(
        selected, staff, citizen2, voters, client_for, api):
    started = _start(client_for(staff), selected, target_features=200)
    assert started.status_code == 201, started.json()
    campaign = started.json()
    map_id = campaign["map"]
    assert campaign["tilejson"].endswith(f"/tiles/map-{map_id}.json")
    assert campaign["map_url"] == f"/maps/{map_id}/"
    assert campaign["progress"] == {"features": 0, "goal": 200, "percent": 0, "contributors": 0, "districts_covered": 0, "districts_total": 1,
                                    "coverage": [{"code": "11290", "name_ko": "성북구", "name_en": "Seongbuk-gu",
                                                  "features": 0}]}
    made = Map.objects.get(pk=map_id)
    assert (made.visibility, made.contribution_mode, made.template.slug) == ("public", "open", "safety")
    assert {"가로등 없음", "CCTV 없음"} <= {c["label_ko"] for c in made.categories}
    assert api.get(f"/api/proposals/{selected.pk}/").json()["campaign"] == campaign["id"]

    assert _point(client_for(citizen2), map_id, SEONGBUK_OFFICE, "구청 뒤 골목").status_code == 201
    progress = api.get(f"/api/campaigns/{campaign['id']}/").json()["progress"]
    assert (progress["features"], progress["contributors"], progress["coverage"][0]["features"]) == (1, 1, 1)

    assert _point(client_for(voters[0]), map_id, GANGNAM_STATION, "구역 밖").status_code == 201
    assert _point(client_for(citizen2), map_id, (127.0201, 37.5920), "두 번째 골목").status_code == 201
    listed = api.get("/api/campaigns/").json()["results"][0]["progress"]
    assert (listed["features"], listed["contributors"], listed["districts_covered"]) == (3, 2, 1)
    assert (listed["goal"], listed["percent"]) == (200, 1)
    assert listed["coverage"][0]["features"] == 2  # the Gangnam point is outside the target district

    tile = _tile(api, "campaigns", SEONGBUK_OFFICE)
    assert [(f["properties"]["id"], f["properties"]["features"], f["properties"]["contributors"]) for f in tile] == [
        (campaign["id"], 3, 2)]
    assert _tile(api, "campaigns", GANGNAM_STATION) == []


def test_a_moderated_campaign_counts_a_suggestion_only_once_approved(selected, staff, citizen2, client_for, api):
    campaign = _start(client_for(staff), selected, contribution_mode="moderated").json()
    suggestion = _point(client_for(citizen2), campaign["map"], SEONGBUK_OFFICE, "제안된 골목")
    assert suggestion.status_code == 201 and suggestion.json()["properties"]["status"] == "pending"
    assert api.get(f"/api/campaigns/{campaign['id']}/").json()["progress"]["features"] == 0
    fid = suggestion.json()["id"]
    assert client_for(staff).post(f"/api/maps/{campaign['map']}/features/{fid}/review/",
                                  {"decision": "approve"}, format="json").status_code == 200
    assert api.get(f"/api/campaigns/{campaign['id']}/").json()["progress"]["features"] == 1


def test_a_seoul_wide_campaign_reports_coverage_for_all_25_districts_and_is_not_a_layer(
        citizen, staff, open_round, client_for, api, seoul):
    proposal = services.proposal_create(proposer=citizen, title="서울 무더위 쉼터 지도", why="여름 쉼터")
    services.round_close(round_=open_round, actor=staff)
    services.proposal_answer(proposal=proposal, actor=staff, state="selected")
    campaign = _start(client_for(staff), proposal, template="neighbourhood", goal="쉼터 500곳").json()
    assert campaign["progress"]["districts_total"] == 25 and campaign["target_districts"] == []
    assert _tile(api, "campaigns", SEONGBUK_OFFICE, z=10) == []


def test_proposals_with_districts_are_a_layer_with_votes_and_state(selected, citizen, open_round, api):
    features = _tile(api, "proposals", SEONGBUK_OFFICE)
    assert [(f["properties"]["id"], f["properties"]["vote_count"], f["properties"]["state"]) for f in features] == [
        (selected.pk, 3, "selected")]
    assert _tile(api, "proposals", GANGNAM_STATION) == []
    items = api.get("/ogc/collections/proposals/items").json()
    assert [f["properties"]["title"] for f in items["features"]] == [selected.title]


def test_bad_campaign_requests_are_refused_and_create_no_map(selected, citizen, citizen2, staff, open_round,
                                                             client_for):
    other = services.proposal_create(proposer=citizen2, title="선정 안 된 제안", why="이유")
    maps_before = Map.objects.count()
    staff_api = client_for(staff)
    for answer in (
        _start(staff_api, other),                                    # not selected
        _start(staff_api, selected, template="no-such-template"),
        _start(staff_api, selected, target_districts=["00000"]),
        _start(staff_api, selected, contribution_mode="owner"),
        _start(staff_api, selected, goal="<script></script>"),
        _start(staff_api, selected, target_features=0),
    ):
        assert answer.status_code == 400, answer.json()
        assert korean_only(answer.json()), answer.json()
    assert _start(client_for(citizen), selected).status_code == 403
    assert Map.objects.count() == maps_before and not Campaign.objects.exists()
    assert _start(staff_api, selected).status_code == 201
    again = _start(staff_api, selected)
    assert again.status_code == 400 and Campaign.objects.count() == 1
    assert client_for(staff).get("/api/campaigns/31337/").status_code == 404


def test_proposer_and_voters_are_told_when_their_proposal_is_answered_and_its_map_opens(
        selected, citizen, voters, staff, client_for, django_capture_on_commit_callbacks):
    from django.core import mail

    from notifications.models import Notification

    answered = Notification.objects.get(user=citizen, kind="proposal_answered")
    assert answered.title == "서울시가 제안에 답했습니다: 선정"  # the proposer's language (Korean by default)
    # Stored as a key with parameters: a reader of English reads it in English, not in Korean.
    from django.utils import translation

    from notifications.services import notification_text
    with translation.override("en"):
        assert notification_text(answered)[0] == "The city answered your proposal: Selected"
    with django_capture_on_commit_callbacks(execute=True):
        _start(client_for(staff), selected)
    started = Notification.objects.filter(kind="campaign_started")
    assert set(started.values_list("user__username", flat=True)) == {citizen.username,
                                                                      *(v.username for v in voters[:3])}
    assert voters[4].username not in set(started.values_list("user__username", flat=True))
    assert all(f"/maps/{Campaign.objects.get().map_id}/" in n.body for n in started)
    assert sorted(m.to[0] for m in mail.outbox if "함께 고른 지도가 열렸습니다" in m.subject) == sorted(
        f"{u.username}@example.org" for u in (citizen, *voters[:3]))
