"""The demo loader builds a believable, consistent sample through the services, once."""
import io

from campaigns.demo import MARK, load_demo
from campaigns.models import Campaign, Proposal, RankingEntry, Round
from geoplatform.demo import demo_users_load


def test_demo_loads_a_closed_round_and_a_campaign_and_is_idempotent(seoul):
    out = io.StringIO()
    demo_users_load(out)
    load_demo(out)
    closed, running = Round.objects.order_by("starts_at")
    assert (closed.status, running.status) == ("closed", "open")
    ranking = list(RankingEntry.objects.filter(round=closed).values_list("rank", "votes"))
    assert ranking == [(1, 5), (2, 3), (3, 2), (4, 1)]
    assert set(Proposal.objects.values_list("state", flat=True)) == {"open", "selected", "declined", "merged"}
    assert all(p.title.startswith(MARK) for p in Proposal.objects.all())
    assert all(p.answer for p in Proposal.objects.exclude(state="open"))
    campaign = Campaign.objects.get()
    assert campaign.proposal.title.endswith("성북구 어두운 골목 지도")
    # one language per field: no "한국어 / English" content (the English proposal is written in English alone)
    assert not any(" / " in text for p in Proposal.objects.all() for text in (p.title, p.why, p.answer)), \
        [p.title for p in Proposal.objects.all()]
    assert campaign.map.features.published().count() == 3

    load_demo(out)
    assert Round.objects.count() == 2 and Proposal.objects.count() == 6
    assert "already loaded" in out.getvalue()
