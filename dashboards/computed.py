"""Indicators the platform computes from its own data: open datasets, hazard reports, crowd maps.

Each computation returns `{district_pk: value}` for all 25 districts. Point-in-district
counts use `ST_Intersects` against the district polygons (GiST indexed on both sides):
a point exactly on a shared boundary counts in both districts.
"""
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from districts.models import District

SEOUL_OPEN_DATA = "서울 열린데이터 광장 / Seoul Open Data Plaza"


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
        compute=(lambda s=_slug: dataset_counts(s)),
    ))
    _register(Computation(
        key=f"{_key}-per-10k", name_ko=f"주민 1만 명당 {_ko} 수", name_en=f"{_en} per 10,000 residents",
        theme=_theme, unit_ko=f"{_unit_ko}/1만 명", unit_en=f"{_unit_en} per 10,000", source_department=SEOUL_OPEN_DATA,
        definition_ko=f"{_src_ko} 지점 수 ÷ 주민등록인구(행정안전부, 2025-09) × 10,000.",
        definition_en=f"{_src_en} points ÷ registered population (MOIS, 2025-09) × 10,000.",
        compute=_dataset_per_10k(_slug),
    ))
