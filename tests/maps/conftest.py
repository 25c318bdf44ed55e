"""Fixtures for the maps tests: real Seoul places, photos with GPS in their EXIF, maps built on each other."""
import io
import json
from functools import lru_cache
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core.cache import cache
from PIL import Image

from maps.models import MapTemplate
from maps.services import map_create

DATA = Path(settings.BASE_DIR) / "data" / "seoul"


@lru_cache
def _features(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))["features"]


def toilets():
    return _features("seoul_public_toilets.geojson")


def toilet(place_name):
    """A real public toilet by its 건물명, as a GeoJSON geometry."""
    return next(f for f in toilets() if f["properties"]["건물명"] == place_name)


def library(name):
    return next(f for f in _features("seoul_public_libraries.geojson") if f["properties"]["도서관명"] == name)


def station(name, line="2호선"):
    return next(f for f in _features("seoul_subway_stations.geojson")
                if f["properties"]["역사명"] == name and f["properties"]["호선"] == line)


def dong(name, gu):
    return next(f for f in _features("seoul_dong.geojson")
                if f["properties"]["name"] == name and f["properties"]["gu_name"] == gu)


def street(a, b, line="2호선"):
    """A line along the street between two real stations (e.g. Teheran-ro between 강남 and 역삼)."""
    p1, p2 = station(a, line)["geometry"]["coordinates"], station(b, line)["geometry"]["coordinates"]
    return {"type": "LineString", "coordinates": [p1, p2]}


def dong_polygon(name, gu, tolerance=0.0005):
    """The real boundary of a dong, simplified (topology kept) to a single polygon for quick tests."""
    geom = GEOSGeometry(json.dumps(dong(name, gu)["geometry"]))
    largest = max(geom, key=lambda p: p.area) if geom.geom_type == "MultiPolygon" else geom
    return json.loads(largest.simplify(tolerance, preserve_topology=True).geojson)


@pytest.fixture(autouse=True)
def shipped_templates(db):
    """The templates the data migration ships; put back when a transactional test (browser, live server) flushed them."""
    if not MapTemplate.objects.filter(slug="safety").exists():
        from django.apps import apps

        import_module("maps.migrations.0002_shipped_templates").templates_create(apps, None)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Creation rate limits count per IP in the cache; every test starts with a clean slate."""
    cache.clear()
    yield
    cache.clear()


def jpeg_with_gps(size=(640, 480), color=(200, 60, 40)) -> bytes:
    """A JPEG carrying EXIF GPS (a position near Gangnam station) and the camera make."""
    img = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "GeoplatformTestCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (37.0, 29.0, 50.0)
    gps[3] = "E"
    gps[4] = (127.0, 1.0, 40.0)
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def safety_template(db):
    return MapTemplate.objects.get(slug="safety")


@pytest.fixture
def make_map(db):
    def make(owner, **kwargs):
        kwargs.setdefault("title", "테헤란로 밤길 안전 지도")
        return map_create(owner=owner, **kwargs)

    return make


GANGNAM_TOILET = "강남역 지하상가"
