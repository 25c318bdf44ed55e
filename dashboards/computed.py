"""Indicators the platform computes from its own data: open datasets, hazard reports, crowd maps.

Each computation returns `{district_pk: value}` for all 25 districts. Point-in-district
counts use `ST_Intersects` against the district polygons (GiST indexed on both sides):
a point exactly on a shared boundary counts in both districts.
"""
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import (Aggregate, Count, DurationField, ExpressionWrapper, F, FloatField, Func, IntegerField,
                              OuterRef, Subquery, Value)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_noop

from districts.models import District

# Sources are English msgids, read in each reader's language (`Indicator.source_text`).
SEOUL_OPEN_DATA = gettext_noop("Seoul Open Data Plaza")


@dataclass(frozen=True)
class Computation:
    key: str
    name_ko: str
    name_en: str
    theme: str
    unit_ko: str
    unit_en: str
    definition_ko: str
    definition_en: str
    source_department: str
    compute: Callable[[], dict[int, float] | None]
    higher_is_better: bool = True
    update_frequency: str = "daily"
    aggregate: str = "mean"
    period: str | None = None  # a fixed reference period (e.g. a census month); None: the current month


def per_10k(counts: dict[int, float]) -> dict[int, float]:
    """Counts per 10,000 registered residents (MOIS, 2025-09), rounded to 2 decimals."""
    population = dict(District.objects.values_list("pk", "population"))
    return {pk: round(n * 10_000 / population[pk], 2) for pk, n in counts.items() if population.get(pk)}


def dataset_counts(slug: str) -> dict[int, float] | None:
    """Features of an open dataset inside each district; None when the dataset is not loaded."""
    from layers.models import Dataset, DatasetFeature

    if not Dataset.objects.filter(slug=slug).exists():
        return None
    inside = (DatasetFeature.objects.filter(dataset__slug=slug, geom__intersects=OuterRef("geom"))
              .order_by().values("dataset").annotate(n=Count("pk")).values("n"))
    rows = District.objects.annotate(n=Coalesce(Subquery(inside, output_field=IntegerField()), 0)).values_list("pk", "n")
    return {pk: float(n) for pk, n in rows}


def _dataset_per_10k(slug: str):
    def compute():
        counts = dataset_counts(slug)
        return None if counts is None else per_10k(counts)

    return compute


_DATASETS = [
    ("seoul_public_toilets", "public-toilets", "공중화장실", "Public toilets", "welfare", "개소", "toilets",
     "서울시 공중화장실 위치정보", "Seoul public toilet locations"),
    ("seoul_public_libraries", "public-libraries", "공공도서관", "Public libraries", "welfare", "개관", "libraries",
     "서울시 공공도서관 현황정보", "Seoul public libraries"),
    ("seoul_subway_stations", "subway-stations", "지하철역(노선별)", "Rail stations (per line)", "transport", "개소",
     "stations", "서울시 역사마스터 정보 (환승역은 노선마다 셈)", "Seoul station master list (transfer stations count once per line)"),
]

COMPUTATIONS: dict[str, Computation] = {}


def _register(computation: Computation) -> None:
    COMPUTATIONS[computation.key] = computation


for _slug, _key, _ko, _en, _theme, _unit_ko, _unit_en, _src_ko, _src_en in _DATASETS:
    _register(Computation(
        key=_key, name_ko=f"자치구별 {_ko} 수", name_en=f"{_en} per district", theme=_theme,
        unit_ko=_unit_ko, unit_en=_unit_en, source_department=SEOUL_OPEN_DATA,
        definition_ko=f"{_src_ko} 데이터의 지점 중 자치구 경계 안에 있는 수 (PostGIS ST_Intersects).",
        definition_en=f"Points of the {_src_en} dataset inside each district boundary (PostGIS ST_Intersects).",
        compute=(lambda s=_slug: dataset_counts(s)), aggregate="sum",
    ))
    _register(Computation(
        key=f"{_key}-per-10k", name_ko=f"주민 1만 명당 {_ko} 수", name_en=f"{_en} per 10,000 residents",
        theme=_theme, unit_ko=f"{_unit_ko}/1만 명", unit_en=f"{_unit_en} per 10,000", source_department=SEOUL_OPEN_DATA,
        definition_ko=f"{_src_ko} 지점 수 ÷ 주민등록인구(행정안전부, 2025-09) × 10,000.",
        definition_en=f"{_src_en} points ÷ registered population (MOIS, 2025-09) × 10,000.",
        compute=_dataset_per_10k(_slug),
    ))


# --- from the platform's own data: hazard reports and crowd maps ----------------------------------
class Median(Aggregate):
    """percentile_cont(0.5) WITHIN GROUP (ORDER BY …): the median, interpolated."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class Days(Func):
    """The length of an interval in days (EXTRACT(EPOCH …) / 86400)."""

    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)"
    output_field = FloatField()


def _report_links():
    """Each (report, responsible district) pair of reports the public may see (hidden ones left out)."""
    from reports.models import ReportDistrict

    return ReportDistrict.objects.filter(report__is_hidden=False)


def _all_districts(counts: dict[int, float]) -> dict[int, float]:
    return {pk: float(counts.get(pk, 0)) for pk in District.objects.values_list("pk", flat=True)}


def report_counts(statuses: tuple[str, ...] | None = None) -> dict[int, float]:
    """Reports per responsible district (a report crossing a boundary counts in every district it touches)."""
    links = _report_links()
    if statuses is not None:
        links = links.filter(status__in=statuses)
    return _all_districts(dict(links.order_by().values("district").annotate(n=Count("pk")).values_list("district", "n")))


def report_median_days(until: str) -> dict[int, float]:
    """Median days from a report's creation to the district's acknowledgement or resolution."""
    links = _report_links()
    if until == "acknowledged_at":
        links = links.filter(acknowledged_at__isnull=False)
    else:
        links = links.filter(status="resolved", closed_at__isnull=False)
    span = ExpressionWrapper(F(until) - F("report__created_at"), output_field=DurationField())
    rows = links.order_by().values("district").annotate(m=Median(Days(span))).values_list("district", "m")
    return {pk: round(m, 2) for pk, m in rows if m is not None}


def report_resolved_share() -> dict[int, float]:
    totals, resolved = report_counts(), report_counts(("resolved",))
    return {pk: round(100 * resolved[pk] / n, 1) for pk, n in totals.items() if n}


def map_feature_counts() -> dict[int, float]:
    """Published features of public crowd maps inside each district (private and hidden ones left out)."""
    from maps.models import Feature

    inside = (Feature.objects.published().filter(map__visibility="public", map__is_hidden=False,
                                                 geom__intersects=OuterRef("geom"))
              .order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk")).values("n"))
    rows = District.objects.annotate(n=Coalesce(Subquery(inside, output_field=IntegerField()), 0)).values_list("pk", "n")
    return {pk: float(n) for pk, n in rows}


OPEN = ("submitted", "acknowledged", "in_progress")
MOIS = gettext_noop("Resident registration statistics, Ministry of the Interior and Safety")
REPORTS = gettext_noop("Citizen reports (geoplatform)")
REPORT_KEYS = ("reports", "reports-per-10k", "reports-open", "reports-resolved", "reports-resolved-share",
               "reports-days-to-acknowledge", "reports-days-to-resolve")
_report_specs = [
    ("reports", "자치구별 위험 신고 수", "Hazard reports per district", "건", "reports", report_counts, False, "sum",
     "자치구에 배정된 신고 수 (경계에 걸친 신고는 닿은 자치구마다 셈, 숨김 처리된 신고 제외).",
     "Reports routed to each district (a report across a boundary counts in each district; hidden ones left out)."),
    ("reports-per-10k", "주민 1만 명당 위험 신고 수", "Hazard reports per 10,000 residents", "건/1만 명",
     "reports per 10,000", lambda: per_10k(report_counts()), False, "mean",
     "자치구 신고 수 ÷ 주민등록인구(행정안전부, 2025-09) × 10,000.",
     "Reports per district ÷ registered population (MOIS, 2025-09) × 10,000."),
    ("reports-open", "처리 중인 신고 수", "Open reports", "건", "reports", lambda: report_counts(OPEN), False, "sum",
     "접수·확인·처리 중 상태인 신고 수.", "Reports submitted, acknowledged or in progress."),
    ("reports-resolved", "처리 완료된 신고 수", "Resolved reports", "건", "reports",
     lambda: report_counts(("resolved",)), True, "sum",
     "자치구가 처리 완료로 답한 신고 수.", "Reports the district answered as resolved."),
    ("reports-resolved-share", "신고 처리 완료율", "Share of reports resolved", "%", "%", report_resolved_share, True,
     "mean", "처리 완료 신고 ÷ 전체 신고 × 100.", "Resolved reports ÷ all reports × 100."),
    ("reports-days-to-acknowledge", "신고 확인까지 걸린 일수 (중앙값)", "Median days to acknowledge", "일", "days",
     lambda: report_median_days("acknowledged_at"), False, "mean",
     "신고 접수부터 자치구가 확인할 때까지 걸린 일수의 중앙값.",
     "Median days from a report's submission to the district's acknowledgement."),
    ("reports-days-to-resolve", "신고 처리까지 걸린 일수 (중앙값)", "Median days to resolve", "일", "days",
     lambda: report_median_days("closed_at"), False, "mean",
     "신고 접수부터 처리 완료까지 걸린 일수의 중앙값.", "Median days from a report's submission to its resolution."),
]
for _key, _ko, _en, _unit_ko, _unit_en, _fn, _better, _agg, _def_ko, _def_en in _report_specs:
    _register(Computation(key=_key, name_ko=_ko, name_en=_en, theme="safety", unit_ko=_unit_ko, unit_en=_unit_en,
                          definition_ko=_def_ko, definition_en=_def_en, source_department=REPORTS, compute=_fn,
                          higher_is_better=_better, aggregate=_agg, update_frequency="continuous"))

MAP_KEYS = ("map-features",)
_register(Computation(
    key="map-features", name_ko="자치구별 시민 지도 항목 수", name_en="Crowd-map features per district",
    theme="participation", unit_ko="개", unit_en="features", aggregate="sum", update_frequency="continuous",
    source_department=gettext_noop("Citizens' maps (geoplatform)"),
    definition_ko="공개 시민 지도에 게시된 항목 중 자치구 경계 안에 있는 수 (비공개·숨김 제외).",
    definition_en="Published features of public citizens' maps inside each district (private and hidden ones left out).",
    compute=map_feature_counts,
))


def population() -> dict[int, float]:
    return {pk: float(n) for pk, n in District.objects.filter(population__isnull=False).values_list("pk", "population")}


def persons_per_household() -> dict[int, float]:
    return {pk: round(p / h, 2) for pk, p, h in District.objects.values_list("pk", "population", "households")
            if p and h}


_register(Computation(
    key="population", name_ko="주민등록인구", name_en="Registered population", theme="welfare", unit_ko="명",
    unit_en="people", aggregate="sum", update_frequency="monthly", source_department=MOIS,
    definition_ko="주민등록 총인구수 (행정안전부, 2025-09 말, 등록외국인 제외).",
    definition_en="Resident-registration population (MOIS, end of 2025-09; registered foreigners excluded).",
    compute=population, period="2025-09",
))
_register(Computation(
    key="persons-per-household", name_ko="세대당 인구", name_en="Persons per household", theme="welfare",
    unit_ko="명/세대", unit_en="people per household", update_frequency="monthly",
    source_department=MOIS,
    definition_ko="주민등록인구 ÷ 세대수 (행정안전부, 2025-09 말).",
    definition_en="Registered population ÷ households (MOIS, end of 2025-09).",
    compute=persons_per_household, period="2025-09",
))
