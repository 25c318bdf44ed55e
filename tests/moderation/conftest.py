"""Fixtures for reports and moderation: categories, real Seoul places, reports made through services."""
import json
from functools import lru_cache
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, LineString, Point
from django.core.cache import cache
from django.db import connection

STATIONS = Path(settings.BASE_DIR) / "data" / "seoul" / "seoul_subway_stations.geojson"
GANGNAM, SEOCHO, MAPO, GWANGJIN, SONGPA = "11680", "11650", "11440", "11215", "11710"


@lru_cache(maxsize=1)
def _stations() -> dict[str, str]:
    features = json.loads(STATIONS.read_text(encoding="utf-8"))["features"]
    return {f["properties"]["역사_ID"]: json.dumps(f["geometry"]) for f in features}


def station(station_id: str) -> Point:
    """A real station point from the Seoul station master list, by its 역사_ID."""
    return GEOSGeometry(_stations()[station_id], srid=4326)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


_BORDER = {}


def gangnam_seocho_border() -> GEOSGeometry:
    """The middle 40 % of the longest stretch of the real Gangnam/Seocho border (away from triple points)."""
    if "wkt" in _BORDER:
        return GEOSGeometry(_BORDER["wkt"], srid=4326)
    with connection.cursor() as cur:
        cur.execute(
            """WITH border AS (
                 SELECT (ST_Dump(ST_LineMerge(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 2)))).geom AS line
                 FROM districts_district a, districts_district b WHERE a.code=%s AND b.code=%s),
               longest AS (SELECT line FROM border ORDER BY ST_Length(line) DESC LIMIT 1)
               SELECT ST_AsText(ST_LineSubstring(line, 0.3, 0.7)) FROM longest""",
            [GANGNAM, SEOCHO],
        )
        _BORDER["wkt"] = cur.fetchone()[0]
    return GEOSGeometry(_BORDER["wkt"], srid=4326)


@pytest.fixture
def places(seoul):
    """Real places: stations (Seoul Open Data Plaza) and a stretch of the real Gangnam/Seocho border."""
    return {
        "seolleung": station("220"),  # 선릉 (Line 2), Gangnam-gu
        "samseong": station("219"),  # 삼성(무역센터) (Line 2), Gangnam-gu
        "mangwon": station("2622"),  # 망원 (Line 6), Mapo-gu
        "hapjeong": station("238"),  # 합정 (Line 2), Mapo-gu
        "city_hall": station("201"),  # 시청 (Line 2), Jung-gu
        "incheon_city_hall": station("3124"),  # 인천시청 (Incheon Line 1): outside Seoul
        "gangbyeon": station("214"),  # 강변 (Line 2), Gwangjin-gu, north bank of the Han
        "jamsillaru": station("215"),  # 잠실나루 (Line 2), Songpa-gu, south bank
        "gangnam_seocho_border": gangnam_seocho_border(),
    }


@pytest.fixture
def categories(db):
    from moderation.services import category_create

    return {
        "road": category_create(
            code="road_damage", name_ko="도로 파손", name_en="Damaged road", responsible_body_ko="도로관리과",
            responsible_body_en="Road management", acknowledge_days=2, resolve_days=10,
        ),
        "dark": category_create(
            code="dark_alley", name_ko="어두운 골목", name_en="Dark alley", is_sensitive=True,
            responsible_body_ko="안전총괄과", responsible_body_en="Safety", acknowledge_days=1, resolve_days=15,
        ),
    }


@pytest.fixture
def make_report(categories):
    from moderation.services import report_create

    def make(reporter, geom, category="road", description="보도블록이 깨져 있습니다 (sample)", **extra):
        return report_create(reporter=reporter, category=categories[category], geom=geom,
                             description=description, **extra)

    return make


def line_between(a: Point, b: Point) -> LineString:
    return LineString(a.coords, b.coords, srid=4326)
