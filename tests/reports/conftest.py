"""Fixtures for reports (and the apps that act on them): categories, real Seoul places, reports made through services."""
from functools import lru_cache

import pytest
from django.contrib.gis.geos import GEOSGeometry, LineString, Point
from django.core.cache import cache

from reports.demo import shared_border, station_point

GANGNAM, SEOCHO, MAPO, GWANGJIN, SONGPA = "11680", "11650", "11440", "11215", "11710"


def station(station_id: str) -> Point:
    """A real station point from the Seoul station master list, by its 역사_ID."""
    return station_point(station_id)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@lru_cache(maxsize=1)
def _gangnam_seocho_border_wkt() -> str:
    return shared_border(GANGNAM, SEOCHO).wkt


def gangnam_seocho_border() -> GEOSGeometry:
    """The middle 40 % of the longest stretch of the real Gangnam/Seocho border (away from triple points)."""
    return GEOSGeometry(_gangnam_seocho_border_wkt(), srid=4326)


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
    from reports.services import category_create

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
    from reports.services import report_create

    def make(reporter, geom, category="road", description="보도블록이 깨져 있습니다 (sample)", **extra):
        return report_create(reporter=reporter, category=categories[category], geom=geom,
                             description=description, **extra)

    return make


def line_between(a: Point, b: Point) -> LineString:
    return LineString(a.coords, b.coords, srid=4326)
