"""In Chromium: a citizen votes, withdraws and proposes; staff close the round, answer and start a campaign."""
import datetime

import pytest
from django.utils import timezone

from campaigns import services
from campaigns.models import Proposal, Vote

pytestmark = pytest.mark.browser


@pytest.fixture
def running_round(make_user):
    staff = make_user("round-staff", role="city_staff")
    now = timezone.now()
    round_ = services.round_create(actor=staff, title="2026 겨울 지도 주제", starts_at=now - datetime.timedelta(hours=1),
                                   ends_at=now + datetime.timedelta(days=7))
    return staff, round_


def test_a_citizen_votes_withdraws_and_proposes_on_the_proposals_page(page, login, make_user, running_round):
    proposer, voter = make_user("proposer"), make_user("browser-voter")
    proposal = services.proposal_create(proposer=proposer, title="성북구 어두운 골목 지도", why="밤길이 어둡습니다.",
                                        area_scope="districts", district_codes=["11290"])
    login(page, voter)
    page.goto("/proposals/")
    card = page.locator(f"#proposal-{proposal.pk}")
    assert card.locator("h3").inner_text() == "성북구 어두운 골목 지도"
    card.get_by_role("button", name="공감하기").click()
    card.get_by_role("button", name="공감 취소").wait_for()
    assert card.locator("[data-votes]").inner_text() == "1"
    assert Vote.objects.filter(proposal=proposal, voter=voter).count() == 1
    card.get_by_role("button", name="공감 취소").click()
    card.get_by_role("button", name="공감하기").wait_for()
    assert card.locator("[data-votes]").inner_text() == "0" and not Vote.objects.exists()

    page.locator(".propose-card summary").click()
    page.fill("#p-title", "마포구 경사로 지도")
    page.fill("#p-why", "휠체어와 유모차가 다니기 힘든 **경사로**를 찾습니다.")
    page.check("input[name=area_scope][value=districts]")
    page.select_option("#p-districts", ["11440"])
    page.fill("#p-categories", "급경사, 계단만 있음")
    page.get_by_role("button", name="제안하기").click()
    page.wait_for_url("**/proposals/?proposed=*")
    created = Proposal.objects.get(title="마포구 경사로 지도")
    assert [d.code for d in created.districts.all()] == ["11440"] and created.categories == ["급경사", "계단만 있음"]
    assert page.locator(f"#proposal-{created.pk} .proposal-why strong").inner_text() == "경사로"


def test_staff_close_the_round_answer_and_start_a_campaign_that_shows_on_the_home_page(
        page, login, make_user, running_round, map_templates):
    staff, round_ = running_round
    citizen, voter = make_user("proposer"), make_user("voter")
    alleys = services.proposal_create(proposer=citizen, title="성북구 어두운 골목 지도", why="밤길",
                                      area_scope="districts", district_codes=["11290"])
    cafes = services.proposal_create(proposer=voter, title="카페 홍보 지도", why="우리 가게")
    services.vote_cast(proposal=alleys, voter=voter)

    login(page, voter)
    page.goto("/proposals/")
    card = page.locator(f"#proposal-{alleys.pk}")
    card.locator("[data-comments] summary").click()
    card.locator("[data-comment-form] input[name=text]").fill("우리 골목도 어두워요")
    card.get_by_role("button", name="남기기").click()
    card.locator("[data-comment-list] li").wait_for()
    assert "우리 골목도 어두워요" in card.locator("[data-comment-list]").inner_text()
    assert card.locator("[data-comment-count]").inner_text() == "1"
    page.get_by_test_id("sign-out").click()
    page.wait_for_load_state("networkidle")

    login(page, staff)
    page.goto("/proposals/")
    page.get_by_role("button", name="지금 마감하고 순위 확정").click()
    page.wait_for_url("**/proposals/?closed=*")
    ranking = page.locator(f".ranking[data-round='{round_.pk}'] tbody tr")
    assert ranking.count() == 2 and ranking.first.inner_text().startswith("1")

    cafe_card = page.locator(f"#proposal-{cafes.pk}")
    cafe_card.locator("select[name=state]").select_option("declined")
    cafe_card.locator("input[name=answer]").fill("상업 홍보는 받지 않습니다.")
    cafe_card.get_by_role("button", name="공개 답변").click()
    page.wait_for_url(f"**/proposals/?answered={cafes.pk}*")
    assert "상업 홍보는 받지 않습니다." in page.locator(f"#proposal-{cafes.pk} [data-testid=answer]").inner_text()

    page.locator(f"#proposal-{alleys.pk} select[name=state]").select_option("selected")
    page.locator(f"#proposal-{alleys.pk}").get_by_role("button", name="공개 답변").click()
    page.wait_for_url(f"**/proposals/?answered={alleys.pk}*")
    form = page.locator(f"#proposal-{alleys.pk} [data-campaign]")
    form.locator("select[name=template]").select_option("safety")
    form.locator("input[name=goal]").fill("성북구 어두운 골목 100곳 찾기")
    form.locator("input[name=target_features]").fill("100")
    form.get_by_role("button", name="캠페인 지도 만들기").click()
    page.wait_for_url("**/campaigns/#campaign-*")
    campaign = page.get_by_test_id("campaign")
    assert "성북구 어두운 골목 100곳 찾기" in campaign.inner_text()
    assert campaign.get_by_test_id("features").inner_text() == "0"

    page.goto("/")
    page.locator("#campaigns li").first.wait_for()
    assert "성북구 어두운 골목 지도" in page.locator("#campaigns").inner_text()
