"""One GeoJSON output across the API: every door writes a Feature the same way, at 6 decimals (geoplatform/geojson.py)."""
import json
from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString, Point

from geoplatform.geojson import GEOJSON_PRECISION, geometry_geojson

pytestmark = pytest.mark.django_db

# The exit of Gangnam station and the street in front of it, given with more decimals than any GPS has.
EXIT = (127.027926517239, 37.497942843312)
STREET = [(127.027512345678, 37.497112345678), (127.028212345678, 37.499012345678)]


def _decimals(value) -> int:
    return max(-Decimal(repr(value)).as_tuple().exponent, 0)


def _coordinates(node):
    if isinstance(node, dict):
        if "coordinates" in node:
            yield from _numbers(node["coordinates"])
        for key, value in node.items():
            if key != "coordinates":
                yield from _coordinates(value)
    elif isinstance(node, list):
        for item in node:
            yield from _coordinates(item)


def _numbers(node):
    if isinstance(node, list):
        for item in node:
            yield from _numbers(item)
    else:
        yield node


def _features(body) -> list[dict]:
    assert body["type"] == "FeatureCollection", body
    features = body["features"]
    assert features, body
    return features


@pytest.fixture
def published(seoul, citizen, staff):
    from maps.services import feature_create, map_create
    from projects.services import project_create
    from reports.services import category_create, report_create

    board = map_create(owner=citizen, title="강남역 출구")
    feature_create(map_obj=board, actor=citizen, geom=Point(*EXIT, srid=4326), name="11번 출구")
    project_create(actor=staff, title_ko="강남대로 보도 정비", department_ko="보도환경개선과",
                   geom=LineString(STREET, srid=4326))
    road = category_create(code="road_damage", name_ko="도로 파손", name_en="Damaged road",
                           responsible_body_ko="도로관리과", responsible_body_en="Road management")
    report_create(reporter=citizen, category=road, geom=Point(*EXIT, srid=4326), description="보도블록이 깨졌어요")
    return board


def test_every_geojson_door_writes_features_one_way_at_six_decimals(published, api):
    bodies = {
        "map features": api.get(f"/api/maps/{published.pk}/features/").json(),
        "projects": api.get("/api/projects/").json(),
        "reports": api.get("/api/reports/").json(),
        "districts": api.get("/api/districts/").json(),
        "OGC API items": api.get(f"/ogc/collections/map-{published.pk}/items").json(),
        "district labels": api.get("/frontend/district-labels.json").json(),
    }
    for door, body in bodies.items():
        for feature in _features(body):
            assert {"type", "id", "geometry", "properties"} <= set(feature), door
            assert feature["type"] == "Feature" and feature["geometry"]["type"], door
            numbers = list(_coordinates(feature["geometry"]))
            assert numbers and max(_decimals(n) for n in numbers) <= GEOJSON_PRECISION, door
    exit_feature = _features(bodies["map features"])[0]
    assert exit_feature["geometry"]["coordinates"] == [round(EXIT[0], 6), round(EXIT[1], 6)]
    assert _features(bodies["OGC API items"])[0]["geometry"] == exit_feature["geometry"]


def test_geometry_geojson_rounds_every_part():
    line = geometry_geojson(LineString(STREET, srid=4326))
    assert line == {"type": "LineString", "coordinates": [[round(x, 6), round(y, 6)] for x, y in STREET]}
    assert json.dumps(line).count(".") == 4
    assert geometry_geojson(None) is None
