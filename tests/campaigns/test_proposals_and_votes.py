"""Proposals, votes and public answers through the API, as citizens and staff use them."""
import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from campaigns import services
from campaigns.models import Proposal, RankingEntry, Vote
from audit.models import AuditLog

from .conftest import end_round_now


pytestmark = pytest.mark.usefixtures("english_clients")  # reads English messages
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _english(response):
    """The error reads in the client's language alone (English here: no Korean half)."""
    text = str(response.json())
    assert not HANGUL.search(text) and " / " not in text, text
    return text


def test_two_propose_five_vote_round_freezes_and_staff_answer_in_public(
        citizen, citizen2, voters, staff, open_round, propose, client_for, api):
    alleys = propose(citizen, "성북구 어두운 골목 지도 / Dark alleys of Seongbuk-gu").json()
    cafes = propose(citizen2, "마포구 휠체어로 갈 수 있는 가게 / Wheelchair-friendly shops in Mapo-gu",
                    districts=("11440",)).json()
    lights = propose(citizen, "성북구 가로등 고장 지도", districts=("11290",)).json()
    assert alleys["round"] == cafes["round"] == open_round.pk
    assert alleys["round_status"] == "open"

    for voter in voters[:4]:
        assert client_for(voter).post(f"/api/proposals/{alleys['id']}/vote/").status_code == 201
    for voter in voters[3:]:
        assert client_for(voter).post(f"/api/proposals/{cafes['id']}/vote/").status_code == 201
    withdrawn = client_for(voters[4])
    assert withdrawn.post(f"/api/proposals/{lights['id']}/vote/").status_code == 201
    answer = withdrawn.delete(f"/api/proposals/{lights['id']}/vote/")
    assert answer.status_code == 200 and answer.json() == {"proposal": lights["id"], "votes": 0, "my_vote": False}

    duplicate = client_for(voters[0]).post(f"/api/proposals/{alleys['id']}/vote/")
    assert duplicate.status_code == 409
    _english(duplicate)
    assert Vote.objects.filter(proposal_id=alleys["id"]).count() == 4

    listing = client_for(voters[0]).get("/api/proposals/", {"round": open_round.pk}).json()["results"]
    assert [(p["id"], p["votes"], p["my_vote"]) for p in listing] == [
        (alleys["id"], 4, True), (cafes["id"], 2, False), (lights["id"], 0, False)]

    assert client_for(citizen).post(f"/api/rounds/{open_round.pk}/close/").status_code == 403
    closed = client_for(staff).post(f"/api/rounds/{open_round.pk}/close/")
    assert closed.status_code == 200
    ranking = [(r["proposal"], r["rank"], r["votes"]) for r in closed.json()["ranking"]]
    assert ranking == [(alleys["id"], 1, 4), (cafes["id"], 2, 2), (lights["id"], 3, 0)]
    assert closed.json()["status"] == "closed"

    # After the close, nothing a citizen does (or a stray row change) moves the published ranking.
    late = client_for(voters[4]).post(f"/api/proposals/{alleys['id']}/vote/")
    assert late.status_code == 400 and "ended" in _english(late)
    assert client_for(voters[0]).delete(f"/api/proposals/{alleys['id']}/vote/").status_code == 400
    Vote.objects.filter(proposal_id=alleys["id"]).delete()
    published = api.get(f"/api/rounds/{open_round.pk}/").json()["ranking"]
    assert [(r["proposal"], r["rank"], r["votes"]) for r in published] == ranking
    assert client_for(staff).post(f"/api/rounds/{open_round.pk}/close/").json()["ranking"] == published

    # Staff answer every proposal publicly: selected, declined with a reason, merged.
    assert client_for(citizen).post(f"/api/proposals/{alleys['id']}/answer/",
                                    {"state": "selected"}, format="json").status_code == 403
    no_reason = client_for(staff).post(f"/api/proposals/{cafes['id']}/answer/", {"state": "declined"}, format="json")
    assert no_reason.status_code == 400
    _english(no_reason)
    assert client_for(staff).post(f"/api/proposals/{alleys['id']}/answer/", {"state": "selected"},
                                  format="json").status_code == 200
    declined = client_for(staff).post(
        f"/api/proposals/{cafes['id']}/answer/",
        {"state": "declined", "answer": "서울시 '무장애 지도'가 이미 있습니다. / Seoul already maps this."}, format="json")
    assert declined.status_code == 200
    merged = client_for(staff).post(f"/api/proposals/{lights['id']}/answer/",
                                    {"state": "merged", "merged_into": alleys["id"], "answer": "같은 주제입니다."},
                                    format="json")
    assert merged.status_code == 200 and merged.json()["merged_into"] == alleys["id"]
    again = client_for(staff).post(f"/api/proposals/{cafes['id']}/answer/", {"state": "selected"}, format="json")
    assert again.status_code == 400

    public = {p["id"]: p for p in api.get("/api/proposals/").json()["results"]}
    assert public[alleys["id"]]["state"] == "selected"
    assert public[cafes["id"]]["state"] == "declined"
    assert "무장애" in public[cafes["id"]]["answer"]
    assert public[lights["id"]]["state"] == "merged"
    assert "minji" not in str(public) and "jihoon" not in str(public)  # proposers are never named
    assert AuditLog.objects.filter(action="proposal.answer").count() == 3
    assert AuditLog.objects.filter(action="round.close").count() == 1


def test_votes_before_a_round_starts_are_refused_with_the_opening_date(citizen, voters, staff, propose, client_for):
    now = timezone.now()
    upcoming = services.round_create(actor=staff, title="다음 회차", starts_at=now + datetime.timedelta(days=1),
                                     ends_at=now + datetime.timedelta(days=8))
    proposal = propose(citizen).json()
    assert proposal["round"] == upcoming.pk and proposal["round_status"] == "scheduled"
    refused = client_for(voters[0]).post(f"/api/proposals/{proposal['id']}/vote/")
    assert refused.status_code == 400
    assert "opens" in _english(refused)
    assert not Vote.objects.exists()


def test_votes_after_a_round_ended_are_refused_even_before_it_is_closed(citizen, voters, open_round, propose,
                                                                        client_for):
    proposal = propose(citizen).json()
    assert client_for(voters[0]).post(f"/api/proposals/{proposal['id']}/vote/").status_code == 201
    end_round_now(open_round)
    assert client_for(voters[1]).post(f"/api/proposals/{proposal['id']}/vote/").status_code == 400
    assert client_for(voters[0]).delete(f"/api/proposals/{proposal['id']}/vote/").status_code == 400
    assert Vote.objects.filter(proposal_id=proposal["id"]).count() == 1


def test_proposals_made_between_rounds_wait_and_join_the_next_round(citizen, voters, staff, propose, client_for,
                                                                     seoul):
    proposal = propose(citizen).json()
    assert proposal["round"] is None
    waiting = client_for(voters[0]).post(f"/api/proposals/{proposal['id']}/vote/")
    assert waiting.status_code == 400 and "next round" in _english(waiting)
    now = timezone.now()
    created = client_for(staff).post("/api/rounds/", {
        "title": "봄 회차", "starts_at": (now - datetime.timedelta(minutes=5)).isoformat(),
        "ends_at": (now + datetime.timedelta(days=3)).isoformat()}, format="json")
    assert created.status_code == 201 and created.json()["proposals"] == 1
    assert client_for(voters[0]).post(f"/api/proposals/{proposal['id']}/vote/").status_code == 201


def test_withdrawing_a_vote_never_given_is_a_clear_400(citizen, voters, open_round, propose, client_for):
    proposal = propose(citizen).json()
    answer = client_for(voters[0]).delete(f"/api/proposals/{proposal['id']}/vote/")
    assert answer.status_code == 400
    _english(answer)


def test_anonymous_and_banned_people_cannot_propose_or_vote(make_user, citizen, open_round, propose, api, client_for):
    proposal = propose(citizen).json()
    assert api.post("/api/proposals/", {"title": "x", "why": "y"}, format="json").status_code == 401
    assert api.post(f"/api/proposals/{proposal['id']}/vote/").status_code == 401
    banned = make_user("troll", is_banned=True)
    refused = propose(banned)
    assert refused.status_code == 403
    assert client_for(banned).post(f"/api/proposals/{proposal['id']}/vote/").status_code == 403
    assert Proposal.objects.count() == 1 and not Vote.objects.exists()


def test_script_in_a_proposal_is_stripped_and_why_is_rendered_safely(citizen, open_round, propose):
    answer = propose(citizen, title='<script>alert(1)</script>한강 그늘 지도',
                     why='**Shade** matters <img src=x onerror=alert(1)> [link](javascript:alert(1))',
                     districts=(), categories=["<b>그늘</b>", "그늘", "벤치"])
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["title"] == "한강 그늘 지도"
    assert "<strong>Shade</strong>" in body["why_html"]
    assert "onerror" not in body["why_html"] and "javascript:" not in body["why_html"] and "<img" not in body["why_html"]
    assert body["categories"] == ["그늘", "벤치"]
    assert body["area_scope"] == "seoul" and body["districts"] == []


@pytest.mark.parametrize("change, field", [
    ({"districts": ["99999"]}, "districts"),
    ({"area_scope": "districts", "districts": []}, "districts"),
    ({"area_scope": "seoul", "districts": ["11290"]}, "districts"),
    ({"area_scope": "galaxy"}, "area_scope"),
    ({"title": "<b></b>"}, "title"),
    ({"why": "   "}, "why"),
    ({"categories": "가로등"}, "categories"),
    ({"categories": [f"c{i}" for i in range(13)]}, "categories"),
    ({"round": 999999}, "round"),
    ({"title": "가" * 201}, "title"),
])
def test_bad_proposals_are_refused_with_a_message_in_the_readers_language_and_nothing_stored(citizen, open_round, propose,
                                                                                change, field):
    answer = propose(citizen, **change)
    assert answer.status_code == 400
    assert field in answer.json()
    _english(answer)
    assert not Proposal.objects.exists()


def test_bad_query_parameters_are_400s(api):
    for params in ({"round": "x"}, {"state": "maybe"}, {"district": "gangnam"}, {"ordering": "random"}):
        assert api.get("/api/proposals/", params).status_code == 400, params


def test_area_is_the_union_of_the_chosen_districts(citizen, open_round, propose, seoul):
    body = propose(citizen, districts=("11290", "11305")).json()  # Seongbuk-gu and Gangbuk-gu
    proposal = Proposal.objects.get(pk=body["id"])
    expected = seoul["11290"].geom.area + seoul["11305"].geom.area
    assert proposal.area.geom_type == "MultiPolygon"
    assert abs(proposal.area.area - expected) / expected < 0.001
    assert {d["code"] for d in body["districts"]} == {"11290", "11305"}


def test_district_filter_finds_proposals_for_that_district_and_all_of_seoul(citizen, open_round, propose, api):
    seongbuk = propose(citizen, districts=("11290",)).json()
    citywide = propose(citizen, title="서울 전체 쉼터 지도", districts=()).json()
    propose(citizen, title="강남구 침수 지도", districts=("11680",))
    found = {p["id"] for p in api.get("/api/proposals/", {"district": "11290"}).json()["results"]}
    assert found == {seongbuk["id"], citywide["id"]}


def test_comments_are_public_sanitised_and_anonymous(citizen, citizen2, open_round, propose, client_for, api):
    proposal = propose(citizen).json()
    posted = client_for(citizen2).post(f"/api/proposals/{proposal['id']}/comments/",
                                       {"text": "우리 동네도 <script>x</script>넣어 주세요"}, format="json")
    assert posted.status_code == 201 and posted.json()["is_mine"] is True
    assert client_for(citizen2).post(f"/api/proposals/{proposal['id']}/comments/", {"text": "  "},
                                     format="json").status_code == 400
    public = api.get(f"/api/proposals/{proposal['id']}/comments/").json()["results"]
    assert public == [{"id": posted.json()["id"], "text": "우리 동네도 넣어 주세요", "is_mine": False,
                       "created_at": posted.json()["created_at"]}]
    assert api.get(f"/api/proposals/{proposal['id']}/").json()["comments"] == 1
    assert api.get("/api/proposals/424242/comments/").status_code == 404


def test_proposing_too_fast_is_throttled_with_retry_after_and_nothing_extra_stored(citizen, open_round, propose):
    statuses = []
    for i in range(40):
        answer = propose(citizen, title=f"제안 {i}", districts=())
        statuses.append(answer.status_code)
        if answer.status_code == 429:
            assert int(answer["Retry-After"]) > 0
            assert "Try again" in answer.json()["detail"]  # in the reader's language (English here)
            assert not HANGUL.search(answer.json()["detail"])
            break
    assert statuses[-1] == 429
    assert Proposal.objects.count() == statuses.count(201) == len(statuses) - 1


def test_staff_round_input_is_checked(staff, citizen, client_for, open_round):
    now = timezone.now()
    staff_api = client_for(staff)
    backwards = staff_api.post("/api/rounds/", {"title": "거꾸로", "starts_at": (now + datetime.timedelta(days=30)).isoformat(),
                                                "ends_at": (now + datetime.timedelta(days=20)).isoformat()}, format="json")
    assert backwards.status_code == 400
    _english(backwards)
    overlapping = staff_api.post("/api/rounds/", {"title": "겹침", "starts_at": now.isoformat(),
                                                  "ends_at": (now + datetime.timedelta(days=2)).isoformat()}, format="json")
    assert overlapping.status_code == 400 and "round" in _english(overlapping)
    past = staff_api.post("/api/rounds/", {"title": "과거", "starts_at": (now - datetime.timedelta(days=20)).isoformat(),
                                           "ends_at": (now - datetime.timedelta(days=10)).isoformat()}, format="json")
    assert past.status_code == 400
    assert client_for(citizen).post("/api/rounds/", {"title": "x", "starts_at": now.isoformat(),
                                                     "ends_at": now.isoformat()}, format="json").status_code == 403
    assert staff_api.post("/api/rounds/", {"title": "x", "starts_at": "soon"}, format="json").status_code == 400


def test_a_proposal_of_an_unknown_id_is_404_everywhere(citizen, staff, client_for, api):
    assert api.get("/api/proposals/987654/").status_code == 404
    assert client_for(citizen).post("/api/proposals/987654/vote/").status_code == 404
    assert client_for(staff).post("/api/proposals/987654/answer/", {"state": "declined", "answer": "x"},
                                  format="json").status_code == 404
    assert api.get("/api/rounds/987654/").status_code == 404
    assert RankingEntry.objects.count() == 0


def test_staff_hide_an_abusive_proposal_everywhere_the_public_looks(citizen, citizen2, voters, staff, open_round,
                                                                   propose, client_for, api):
    abusive = propose(citizen2, "성북구 ○○○ 집 주소 지도", districts=("11290",)).json()
    fine = propose(citizen).json()
    client_for(voters[0]).post(f"/api/proposals/{abusive['id']}/vote/")
    assert client_for(citizen).post(f"/api/proposals/{abusive['id']}/moderate/", {"hidden": True, "reason": "x"},
                                    format="json").status_code == 403
    no_reason = client_for(staff).post(f"/api/proposals/{abusive['id']}/moderate/", {"hidden": True}, format="json")
    assert no_reason.status_code == 400 and _english(no_reason)
    hidden = client_for(staff).post(f"/api/proposals/{abusive['id']}/moderate/",
                                    {"hidden": True, "reason": "개인정보 노출"}, format="json")
    assert hidden.status_code == 200
    assert [p["id"] for p in api.get("/api/proposals/").json()["results"]] == [fine["id"]]
    assert api.get(f"/api/proposals/{abusive['id']}/").status_code == 404
    assert client_for(voters[1]).post(f"/api/proposals/{abusive['id']}/vote/").status_code == 404
    assert api.get(f"/api/proposals/{abusive['id']}/comments/").status_code == 404
    assert abusive["id"] in [p["id"] for p in client_for(staff).get("/api/proposals/").json()["results"]]
    assert "○○○" not in api.get("/ogc/collections/proposals/items").content.decode()
    closed = client_for(staff).post(f"/api/rounds/{open_round.pk}/close/").json()
    assert [r["proposal"] for r in closed["ranking"]] == [fine["id"]]
    assert "○○○" not in Client().get("/proposals/").content.decode()
    assert AuditLog.objects.filter(action="proposal.hide").count() == 1


def test_comments_can_be_taken_back_by_their_author_and_hidden_by_staff(citizen, citizen2, staff, open_round,
                                                                       propose, client_for, api):
    proposal = propose(citizen).json()
    url = f"/api/proposals/{proposal['id']}/comments/"
    mine = client_for(citizen2).post(url, {"text": "좋아요"}, format="json").json()
    rude = client_for(citizen2).post(url, {"text": "욕설"}, format="json").json()
    assert client_for(citizen).delete(f"{url}{mine['id']}/").status_code == 403
    assert client_for(citizen2).delete(f"{url}{mine['id']}/").status_code == 204
    assert client_for(staff).post(f"{url}{rude['id']}/moderate/", {"hidden": True, "reason": "욕설"},
                                  format="json").status_code == 200
    assert api.get(url).json()["results"] == []
    assert api.get(f"/api/proposals/{proposal['id']}/").json()["comments"] == 0
    assert [c["id"] for c in client_for(staff).get(url).json()["results"]] == [rude["id"]]
    assert client_for(staff).post(f"{url}{rude['id']}/moderate/", {"hidden": False}, format="json").status_code == 200
    assert [c["text"] for c in api.get(url).json()["results"]] == ["욕설"]
    assert client_for(citizen2).delete(f"{url}999999/").status_code == 404


def test_huge_ids_and_far_dates_are_a_400_or_404_never_a_500(staff, client_for, api, open_round):
    huge = 2**70
    assert api.get(f"/api/proposals/{huge}/").status_code == 404
    assert api.get(f"/api/rounds/{huge}/").status_code == 404
    assert api.get("/api/proposals/", {"round": huge}).status_code == 400
    far = client_for(staff).post("/api/rounds/", {"title": "x", "starts_at": "2027-01-01T00:00:00+09:00",
                                                  "ends_at": "9999-12-31T23:59:59-14:00"}, format="json")
    assert far.status_code == 400
    assert client_for(staff).post("/api/campaigns/", {"proposal": huge, "template": "safety", "goal": "g"},
                                  format="json").status_code == 400
