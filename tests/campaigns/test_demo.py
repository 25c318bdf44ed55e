"""The demo loader builds a believable, consistent sample through the services, once."""
import io

from campaigns.demo import BUDGET_ROUND, MARK, load_demo
from campaigns.models import Campaign, Evaluation, Proposal, RankingEntry, Round
from geoplatform.demo import demo_users_load


def test_demo_loads_a_closed_round_and_a_campaign_and_is_idempotent(seoul):
    out = io.StringIO()
    demo_users_load(out)
    load_demo(out)
    budget = Round.objects.get(title=BUDGET_ROUND)
    closed, running = Round.objects.exclude(pk=budget.pk).order_by("starts_at")
    assert (closed.status, running.status) == ("closed", "open")
    ranking = list(RankingEntry.objects.filter(round=closed).values_list("rank", "votes"))
    assert ranking == [(1, 5), (2, 3), (3, 2), (4, 1)]
    topics = Proposal.objects.filter(kind="map_topic")
    assert set(topics.values_list("state", flat=True)) == {"open", "selected", "declined", "merged"}
    assert all(p.title.startswith(MARK) for p in Proposal.objects.all())
    assert all(p.answer for p in topics.exclude(state="open"))
    campaign = Campaign.objects.get()
    assert campaign.proposal.title.endswith("성북구 어두운 골목 지도")
    # one language per field: no "한국어 / English" content (the English proposal is written in English alone)
    assert not any(" / " in text for p in Proposal.objects.all() for text in (p.title, p.why, p.answer)), \
        [p.title for p in Proposal.objects.all()]
    assert campaign.map.features.published().count() == 3

    # the participatory-budget sample: a frozen winning set within the cap, one evaluation scored and reviewed
    # (projects/demo.py decides it), one still with its citizen group
    assert budget.status == "closed" and budget.budget_cap == 100_000_000
    funded = list(RankingEntry.objects.filter(round=budget, funded=True).values_list("proposal__budget_estimate", flat=True))
    assert funded == [12_000_000, 60_000_000]
    reviewed, scoring = Evaluation.objects.order_by("pk")
    assert reviewed.citizen_done_at is not None and reviewed.committee_reviews.count() == 1
    assert scoring.decided_at is None and scoring.citizen_done_at is None

    load_demo(out)
    assert Round.objects.count() == 3 and Proposal.objects.count() == 10
    assert "already loaded" in out.getvalue()
