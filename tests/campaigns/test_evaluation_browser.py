"""In Chromium, on a desktop and on a phone: the whole open evaluation of a citizen's local project on its
page. A citizen volunteers; the last supporter's click sends it to evaluation; a drawn volunteer scores;
city staff add the committee's review and publish the decision, which becomes a city project; every step
shows its date and deadline on the page, and the proposer is told at each step. A citizen also proposes
a local project with a place picked on the map."""
import datetime

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from campaigns import services
from campaigns.models import Evaluation, Evaluator, Proposal
from notifications.models import Notification
from projects.models import Project

pytestmark = pytest.mark.browser

SEOLLEUNG = (127.048203, 37.504286)  # the bus stop at Seolleung station (Teheran-ro)


@pytest.fixture
def evaluation_round(make_user):
    staff = make_user("committee-staff", role="city_staff")
    now = timezone.now()
    round_ = services.round_create(actor=staff, title="2027 강남 시민 제안", starts_at=now - datetime.timedelta(hours=1),
                                   ends_at=now + datetime.timedelta(days=7),
                                   evaluation_rules={"local_project": {"threshold": 3, "group_size": 2, "days": 10}})
    return staff, round_


def _steps(page):
    return dict(page.eval_on_selector_all("[data-testid=steps] li", "els => els.map(e => [e.dataset.step, e.dataset.state])"))


def _as(page, login, user, path):
    page.context.clear_cookies()
    login(page, user)
    page.goto(path)


@pytest.mark.parametrize("device", ["page", "phone_page"])
def test_a_local_project_is_evaluated_in_the_open_on_its_page_and_becomes_a_city_project(
        request, device, login, make_user, evaluation_round):
    page = request.getfixturevalue(device)
    staff, _round = evaluation_round
    proposer, newcomer, other_volunteer = make_user("proposer"), make_user("newcomer"), make_user("volunteer-2")
    voters = [make_user(f"supporter{i}") for i in range(3)]
    services.evaluator_join(user=other_volunteer)
    proposal = services.proposal_create(
        proposer=proposer, title="선릉역 버스정류장 그늘막", why="여름 한낮에 버스를 기다리기 힘듭니다.",
        kind="local_project", place=Point(*SEOLLEUNG, srid=4326), budget_estimate=12_000_000,
        area_scope="districts", district_codes=["11680"])
    path = f"/proposals/{proposal.pk}/"

    # a citizen volunteers for evaluation groups from the proposal's page
    _as(page, login, newcomer, path)
    assert page.get_by_test_id("proposal-title").inner_text() == "선릉역 버스정류장 그늘막"
    assert _steps(page) == {"proposed": "done", "support": "current", "citizen_group": "pending",
                            "committee": "pending", "decision": "pending"}
    assert "필요한 공감 3개 중 0개" in page.locator("[data-step=support]").inner_text()
    page.get_by_test_id("volunteer").get_by_role("button", name="자원하기").click()
    page.get_by_test_id("volunteer").get_by_role("button", name="자원 그만두기").wait_for()
    number = Evaluator.objects.get(user=newcomer).pk
    assert f"시민 {number}번" in page.get_by_test_id("volunteer").inner_text()

    # the third supporter's click reaches the round's threshold: the group of 2 is drawn
    for voter in voters[:2]:
        services.vote_cast(proposal=proposal, voter=voter)
    _as(page, login, voters[2], path)
    page.get_by_role("button", name="공감하기").click()
    page.locator("[data-step=citizen_group][data-state=current]").wait_for()
    evaluation = Evaluation.objects.get(proposal=proposal)
    assert sorted(evaluation.drawn) == sorted([number, other_volunteer.evaluator.pk])
    due = page.locator("[data-step=citizen_group] [data-due]").inner_text()
    assert due == timezone.localtime(evaluation.citizen_due_at).strftime("%Y-%m-%d %H:%M")
    assert page.get_by_test_id("drawn").text_content() == ", ".join(map(str, evaluation.drawn))

    # the drawn volunteer scores on the page; the other one through the API; the citizen step is done
    _as(page, login, newcomer, path)
    page.select_option("#s-need", "5")
    page.select_option("#s-feasibility", "4")
    page.select_option("#s-benefit", "4")
    page.fill("#s-comment", "정류장 이용객이 많습니다.")
    page.get_by_role("button", name="평가 제출").click()
    page.get_by_test_id("my-score").wait_for()
    seat_text = page.locator(f"[data-seat='{number}']").inner_text()
    assert "필요성 5" in seat_text and "정류장 이용객이 많습니다." in seat_text
    assert "newcomer" not in page.get_by_test_id("citizen-group").inner_text()  # numbers, never names
    services.seat_score(proposal=proposal, user=other_volunteer, need=4, feasibility=4, benefit=3, comment="좋아요")

    # city staff: the committee's review, then the decision with the officials' feedback → a new project
    _as(page, login, staff, path)
    assert _steps(page)["citizen_group"] == "done" and _steps(page)["committee"] == "current"
    page.select_option("#r-score", "4")
    page.fill("#r-comment", "예산 범위 안입니다.")
    page.get_by_role("button", name="위원회 검토 올리기").click()
    page.locator("[data-step=committee][data-state=done]").wait_for()
    assert "예산 범위 안입니다." in page.get_by_test_id("committee").inner_text()
    page.fill("#d-title", "선릉역 정류장 그늘막 설치")
    page.fill("#d-dept", "기후환경본부")
    page.fill("#d-feedback", "여름 전에 설치합니다.")
    page.get_by_role("button", name="결정 공개").click()
    page.get_by_test_id("feedback").wait_for()
    assert "여름 전에 설치합니다." in page.get_by_test_id("feedback").inner_text()
    assert all(state == "done" for state in _steps(page).values())
    assert all(page.locator(f"[data-step={step}] [data-at]").count() == 1 for step in _steps(page))
    project = Project.objects.get(title_ko="선릉역 정류장 그늘막 설치")
    assert list(project.proposals.values_list("pk", flat=True)) == [proposal.pk]
    assert project.budget_planned == 12_000_000 and project.geom[0].coords == SEOLLEUNG
    page.get_by_test_id("project-link").click()
    page.wait_for_url(f"**/projects/{project.pk}/")

    kinds = list(Notification.objects.filter(user=proposer).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["proposal_evaluation", "proposal_evaluation", "proposal_decided"]
    assert Notification.objects.filter(user=newcomer, kind="evaluation_drawn").count() == 1
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing overflows a phone screen


def test_a_citizen_proposes_a_local_project_with_a_place_picked_on_the_map_on_a_phone(
        phone_page, login, make_user, evaluation_round):
    page = phone_page
    citizen = make_user("phone-proposer")
    login(page, citizen)
    page.goto("/proposals/")
    page.locator(".propose-card summary").click()
    page.fill("#p-title", "역삼동 골목 쉼터")
    page.fill("#p-why", "어르신들이 쉴 곳이 없습니다.")
    page.check("input[name=kind][value=local_project]")
    page.wait_for_function("document.body.dataset.placeMapReady === 'true'", timeout=30_000)
    page.wait_for_function("window.gpMap && window.gpMap.loaded()", timeout=30_000)
    page.evaluate("window.gpMap.jumpTo({center: [127.0364, 37.5006], zoom: 15})")
    page.wait_for_function("window.gpMap.loaded()", timeout=30_000)
    box = page.locator("#p-place-map canvas").bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    words = page.locator("[data-place-words]")
    words.wait_for()
    page.wait_for_function("document.querySelector('[data-place-words]').textContent.includes('강남구')", timeout=10_000)
    page.get_by_role("button", name="제안하기").click()
    page.wait_for_url("**/proposals/*/")
    created = Proposal.objects.get(title="역삼동 골목 쉼터")
    assert created.kind == "local_project"
    assert created.place.distance(Point(127.0364, 37.5006, srid=4326)) < 0.0005  # where the finger went
    assert page.get_by_test_id("proposal-title").inner_text() == "역삼동 골목 쉼터"
    page.wait_for_function("document.body.dataset.proposalReady === 'true'", timeout=30_000)
    assert page.locator("#proposal-map canvas").count() == 1
