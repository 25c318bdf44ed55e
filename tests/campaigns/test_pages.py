"""The /proposals/ and /campaigns/ pages: server-rendered content in Korean and English, and a real browser."""
import pytest
from django.test import Client

from campaigns import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(citizen, citizen2, voters, staff, open_round):
    """A closed round with a selected proposal turned campaign, and a declined one."""
    alleys = services.proposal_create(proposer=citizen, title="성북구 어두운 골목 지도", why="**밤길** 안전",
                                      area_scope="districts", district_codes=["11290"])
    cafes = services.proposal_create(proposer=citizen2, title="마포구 카공 카페 지도", why="공부하기 좋은 곳")
    for voter in voters[:3]:
        services.vote_cast(proposal=alleys, voter=voter)
    services.vote_cast(proposal=cafes, voter=voters[4])
    services.round_close(round_=open_round, actor=staff)
    services.proposal_answer(proposal=alleys, actor=staff, state="selected")
    services.proposal_answer(proposal=cafes, actor=staff, state="declined",
                             answer="상업 시설 홍보가 될 수 있어 선정하지 않았습니다.")
    campaign = services.campaign_create(actor=staff, proposal_id=alleys.pk, template_slug="safety",
                                        goal="성북구 어두운 골목 200곳 찾기", target_features=200)
    return {"alleys": alleys, "cafes": cafes, "campaign": campaign}


def _get(path, language="ko", user=None):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_proposals_page_shows_answers_and_the_frozen_ranking_in_both_languages(story):
    korean = _get("/proposals/")
    assert "서울시의 답변" in korean and "확정된 순위" in korean
    assert "상업 시설 홍보가 될 수 있어" in korean and "<strong>밤길</strong>" in korean
    english = _get("/proposals/", "en")
    assert "The city's answers" in english and "Published rankings" in english and "Declined" in english
    assert "minji" not in korean and "jihoon" not in korean


def test_campaigns_page_shows_progress_and_links_to_the_map(story):
    page = _get("/campaigns/")
    assert "성북구 어두운 골목 200곳 찾기" in page
    assert f'href="/maps/{story["campaign"].map_id}/"' in page
    assert "0</strong> / 200" in page
    assert "Coverage per district" in _get("/campaigns/", "en")


def test_script_in_titles_never_reaches_the_page_as_markup(citizen, open_round):
    services.proposal_create(proposer=citizen, title="<b>굵게</b> \"><svg onload=alert(1)>", why="<script>x</script>위험")
    page = _get("/proposals/")
    assert "<svg" not in page and "onload=alert" not in page.replace("&quot;", "")


def test_the_admin_shows_rounds_proposals_and_campaigns_read_only(story, make_user):
    admin = make_user("boss", role="admin")
    client = Client()
    client.force_login(admin)
    for path in ("/admin/campaigns/round/", "/admin/campaigns/proposal/", "/admin/campaigns/campaign/",
                 f"/admin/campaigns/round/{story['alleys'].round_id}/change/",
                 f"/admin/campaigns/campaign/{story['campaign'].pk}/change/"):
        assert client.get(path).status_code == 200, path
    assert client.get("/admin/campaigns/proposal/add/").status_code == 403


def test_a_round_that_ended_shows_its_frozen_ranking_and_what_awaits_an_answer(citizen, voters, open_round):
    from .conftest import end_round_now

    proposal = services.proposal_create(proposer=citizen, title="광진구 자전거 보관소 지도", why="자전거")
    services.vote_cast(proposal=proposal, voter=voters[0])
    end_round_now(open_round)
    page = _get("/proposals/")
    assert "서울시 답변을 기다리는 제안" in page and "확정된 순위" in page
    open_round.refresh_from_db()
    assert open_round.closed_at is not None and open_round.ranking.get().votes == 1
