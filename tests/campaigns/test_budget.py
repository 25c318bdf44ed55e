"""Participatory-budget rounds: the winning set within the cap, by the stated rule (greedy by votes, skipping
what does not fit; equal votes: the earlier proposal first), shown with the rule in words on the proposals
page, provisionally while the round runs and frozen once it closes."""
import datetime
import re

import pytest
from django.utils import timezone

from campaigns import services
from campaigns.budget import budget_winners
from campaigns.models import RankingEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget_round(staff, seoul):
    now = timezone.now()
    return services.round_create(actor=staff, title="2027 강남구 주민참여예산", starts_at=now - datetime.timedelta(hours=1),
                                 ends_at=now + datetime.timedelta(days=7), budget_cap=100_000_000)


def _propose(citizen, round_, title, cost, voters):
    proposal = services.proposal_create(proposer=citizen, title=title, why="주민 제안", kind="local_project",
                                        budget_estimate=cost, round_id=round_.pk)
    for voter in voters:
        services.vote_cast(proposal=proposal, voter=voter)
    return proposal


def _funded_rows(html: str, round_id: int) -> dict[int, bool]:
    block = html.split(f'data-testid="budget" data-round="{round_id}"', 1)[1].split("</table>", 1)[0]
    return {int(pid): flag == "true" for pid, flag in re.findall(r'data-proposal="(\d+)" data-funded="(\w+)"', block)}


def test_the_cost_that_exactly_fills_the_cap_is_funded_and_what_has_no_estimate_never_is():
    assert budget_winners(cap=100, ranked=[("A", 40), ("B", 60), ("C", 1)]) == {"A", "B"}
    assert budget_winners(cap=100, ranked=[("A", None), ("B", 100)]) == {"B"}
    assert budget_winners(cap=100, ranked=[("A", 101), ("B", 0)]) == {"B"}
    assert budget_winners(cap=100, ranked=[]) == set()


def test_equal_votes_fund_the_earlier_proposal_when_only_one_fits(settings, citizen, voters, staff, budget_round):
    settings.PROPOSALS_EVALUATION_BY_KIND = {"local_project": {"threshold": 100}}  # ranked only, not evaluated
    earlier = _propose(citizen, budget_round, "놀이터 그늘막", 70_000_000, voters[:3])
    later = _propose(citizen, budget_round, "골목 가로등", 70_000_000, voters[1:4])
    cheap = _propose(citizen, budget_round, "화단 정비", 30_000_000, voters[:1])
    services.round_close(round_=budget_round, actor=staff)
    entries = {e.proposal_id: e for e in RankingEntry.objects.filter(round=budget_round)}
    assert entries[earlier.pk].rank == entries[later.pk].rank == 1  # a tie shares the rank…
    assert entries[earlier.pk].funded and not entries[later.pk].funded  # …and the earlier proposal is funded
    assert entries[cheap.pk].funded  # the later one did not fit; the cheaper one below still gets its chance
    assert sum(p.budget_estimate for p in (earlier, later, cheap) if entries[p.pk].funded) <= budget_round.budget_cap


def test_the_proposals_page_shows_the_winning_set_and_the_rule_provisionally_then_frozen(
        settings, citizen, voters, staff, budget_round, client):
    settings.PROPOSALS_EVALUATION_BY_KIND = {"local_project": {"threshold": 100}}
    shade = _propose(citizen, budget_round, "놀이터 그늘막", 60_000_000, voters[:5])
    lights = _propose(citizen, budget_round, "골목 가로등", 50_000_000, voters[:4])
    flowers = _propose(citizen, budget_round, "화단 정비", 40_000_000, voters[:2])
    page = client.get("/proposals/").content.decode()
    assert "회차가 지금 끝난다면" in page  # provisional while it runs
    assert _funded_rows(page, budget_round.pk) == {shade.pk: True, lights.pk: False, flowers.pk: True}
    assert "공감이 많은 순서로" in page and "₩100,000,000" in page  # the rule in words, with the cap

    # a late vote changes the provisional set; the frozen one is what the close decided
    services.vote_cast(proposal=lights, voter=voters[4])
    services.vote_cast(proposal=lights, voter=citizen)
    page = client.get("/proposals/").content.decode()
    assert _funded_rows(page, budget_round.pk) == {lights.pk: True, shade.pk: False, flowers.pk: True}
    services.round_close(round_=budget_round, actor=staff)
    page = client.get("/proposals/").content.decode()
    assert _funded_rows(page, budget_round.pk) == {lights.pk: True, shade.pk: False, flowers.pk: True}
    total = re.search(r'data-testid="budget-total">([\d,]+)<', page).group(1)
    assert total == "90,000,000"
