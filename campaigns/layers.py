"""Proposals and campaigns that cover chosen districts are layers (their area is the union of those districts).

Seoul-wide ones are left out of the layers: a polygon over the whole city would hide everything
under it and says nothing about where; they are listed on the pages and in the API instead.
"""
from django.db.models import Count, IntegerField, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from layers.registry import Layer, registry
from maps.models import Feature

from .models import Campaign, Proposal


def _proposals(viewer):
    return Proposal.objects.with_area().with_votes()


def _published_per_map(aggregate):
    features = Feature.objects.filter(map_id=OuterRef("map_id")).published().order_by().values("map_id")
    return Coalesce(Subquery(features.annotate(n=aggregate).values("n"), output_field=IntegerField()), 0)


def _campaigns(viewer):
    return Campaign.objects.with_area().annotate(
        features=_published_per_map(Count("pk")), contributors=_published_per_map(Count("author", distinct=True)))


def _campaigns_version() -> str:
    """Progress changes with every contribution to a campaign map: the cache key follows it."""
    latest = Feature.objects.filter(map__campaign__isnull=False).aggregate(n=Count("pk"), at=Max("updated_at"))
    campaigns = Campaign.objects.aggregate(n=Count("pk"), at=Max("created_at"))
    stamp = max(filter(None, (latest["at"], campaigns["at"])), default=None)
    return f"{campaigns['n']}-{latest['n']}-{stamp.isoformat() if stamp else 0}"


registry.register(
    Layer(
        name="proposals",
        title_ko="지도 주제 제안",
        title_en="Map topic proposals",
        description_ko="시민이 제안한 크라우드소싱 지도 주제 (자치구를 고른 제안만; 공감 수와 답변 상태 포함)",
        description_en="Citizens' proposals for crowdsourced maps (those for chosen districts), with votes and state",
        geometry_type="polygon",
        fields=("id", "title", "vote_count", "state"),
        geom_field="area",
        datetime_field="created_at",
        queryset_factory=_proposals,
        style={"color": "#8d5fd3", "fill_opacity": 0.12},
        legend=[{"key": s, "label": label, "color": c} for s, label, c in (
            ("open", _("Open for votes"), "#8d5fd3"), ("selected", _("Selected"), "#2a9d8f"),
            ("merged", _("Merged"), "#6c757d"), ("declined", _("Declined"), "#adb5bd"))],
    )
)
registry.register(
    Layer(
        name="campaigns",
        title_ko="지도 캠페인",
        title_en="Map campaigns",
        description_ko="선정된 제안으로 만든 시민 지도 캠페인과 진행 상황 (기여 수, 기여자 수)",
        description_en="Campaign maps made from selected proposals, with their progress (features, contributors)",
        geometry_type="polygon",
        fields=("id", "title", "features", "contributors", "map_id"),
        geom_field="area",
        datetime_field="created_at",
        queryset_factory=_campaigns,
        version_factory=_campaigns_version,
        style={"color": "#2a9d8f", "fill_opacity": 0.15},
    )
)
