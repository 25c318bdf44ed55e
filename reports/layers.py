"""The `reports` layer: hazard reports with public fields only, styled by status.

No reporter, no description, no exact time (the day only); sensitive categories are drawn at
their coarsened location (`Report.public_geom`) and named by its district (`Report.public_district`); reports hidden by moderation are left out for
everyone, so the tiles are the same for every viewer and can be shared in caches.

Up to zoom 14 (`cluster_maxzoom`) the reports' points are counted in grid cells (`count`, as every point layer's
clusters) and their lines and polygons simplified; from zoom 15 each report is drawn (coloured by status). Through
z14, not z13 only: at Seoul's 9 million reports a year a z14 tile would hold ~56,000 reports on average and ~130,000
at City Hall, above the 20,000-feature cap (it would show an arbitrary subset); a z15 tile holds a quarter of that.
The pre-aggregated rows of layers/aggregates.py hold exactly what the anonymous viewer sees (built from
`reports_public_queryset`), so hidden reports are never counted and sensitive ones are counted at their coarsened
place.
"""
from django.db.models import Case, CharField, F, When

from layers.registry import Layer, registry

from .models import Report, Status
from django.utils.translation import gettext_lazy as _

REPORT_LAYER = "reports"
STATUS_COLORS = {
    Status.SUBMITTED: "#e4572e",
    Status.ACKNOWLEDGED: "#f3a712",
    Status.IN_PROGRESS: "#2e86ab",
    Status.RESOLVED: "#3b9c5a",
    Status.REJECTED: "#8d8d8d",
    Status.DUPLICATE: "#b0a8b9",
    Status.NOT_OUR_RESPONSIBILITY: "#6c5b7b",
}
FIELDS = ("category_code", "category_name_ko", "category_name_en", "status", "created_on", "districts_ko",
          "districts_en", "coarsened")


def _district_names(language: str) -> Case:
    """The routing districts (`Report.routed_districts_*`, kept by the services that route a report); for a sensitive
    category the district of the coarsened point instead (the routing districts would tell on which side of a
    boundary the exact place lies)."""
    return Case(When(category__is_sensitive=True, then=F(f"public_district__name_{language}")),
                default=F(f"routed_districts_{language}"), output_field=CharField())


def reports_public_queryset(viewer=None):
    """Every non-hidden report with its public attributes only (the same rows for every viewer)."""
    return Report.objects.public().annotate(
        category_code=F("category__code"),
        category_name_ko=F("category__name_ko"),
        category_name_en=F("category__name_en"),
        coarsened=F("category__is_sensitive"),
        districts_ko=_district_names("ko"),
        districts_en=_district_names("en"),
    )


registry.register(
    Layer(
        name=REPORT_LAYER,
        title_ko="위험 신고",
        title_en="Hazard reports",
        description_ko="시민 위험 신고와 처리 상태. 신고자는 공개하지 않으며, 민감한 분류는 200m 격자 중심으로 표시합니다.",
        description_en="Citizens' hazard reports and their status. Reporters are never shown; sensitive "
                       "categories are shown at the centre of a 200 m grid cell.",
        geometry_type="mixed",
        fields=FIELDS,
        geom_field="public_geom",
        datetime_field="created_on",
        queryset_factory=reports_public_queryset,
        style={"property": "status", "color": "#e4572e", "radius": 6, "line_width": 4, "fill_opacity": 0.3},
        legend=[{"value": str(s), "label": Status(s).label, "color": c} for s, c in STATUS_COLORS.items()],
        attribution=_("citizens' reports"),
        # The same SQL for every viewer and every request (no viewer, no clock: hidden reports are left out for
        # everyone): compiled once per zoom class, and served by the light tile path on its event loop.
        static_queryset=True,
        # Seoul's 9 million reports a year: up to zoom 14 the points are counted in grid cells and the lines and
        # polygons simplified, read from rows kept current by every write of reports/services.py (through
        # layers.services, layers/aggregates.py); each report drawn from zoom 15, from the rows.
        aggregated=True,
        cluster_maxzoom=14,
    )
)
