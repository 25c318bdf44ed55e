"""An import cannot keep a server busy: coordinates are range-checked in their own coordinate system
before any transformation, and every import is bounded in time."""
import json
import subprocess
import time

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from geoplatform.geometry import crs_bounds
from maps import services
from maps.models import Feature

from .conftest import station
from .test_import import _import, owned  # noqa: F401 (owned is a fixture)


def _collection(epsg, *coordinates):
    return json.dumps({"type": "FeatureCollection",
                       "crs": {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"}},
                       "features": [{"type": "Feature", "properties": {"name": f"point {i}"},
                                     "geometry": {"type": "Point", "coordinates": list(xy)}}
                                    for i, xy in enumerate(coordinates)]}).encode()


@pytest.mark.parametrize("coordinates", [[1e300, 1e300], [1e17, 1e17], [-1e300, 5e6], [2e8, 4e6]])
def test_geojson_in_web_mercator_with_a_huge_coordinate_is_400_at_once(owned, coordinates):
    m, client = owned
    started = time.monotonic()
    response = _import(client, m, _collection(3857, coordinates), "huge.geojson")
    assert time.monotonic() - started < 5
    assert response.status_code == 400
    body = response.json()
    assert body["imported"] == 0 and "EPSG:3857" in body["rejected"][0]["reason"]
    assert not Feature.objects.filter(map=m).exists()


def test_nan_and_infinite_coordinates_are_refused(owned):
    m, client = owned
    data = (b'{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:5186"}},'
            b'"features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[NaN,Infinity]}}]}')
    response = _import(client, m, data, "nan.geojson")
    assert response.status_code == 400 and not Feature.objects.filter(map=m).exists()


def test_a_good_point_next_to_a_huge_one_is_imported_and_the_huge_one_reported(owned):
    m, client = owned
    gangnam = Point(*station("강남")["geometry"]["coordinates"], srid=4326)
    mercator = gangnam.transform(3857, clone=True)
    response = _import(client, m, _collection(3857, (mercator.x, mercator.y), (1e300, 1e300)), "two.geojson")
    assert response.status_code == 200
    assert response.json()["imported"] == 1 and response.json()["rejected"][0]["index"] == 2
    assert Feature.objects.get(map=m).geom.distance(gangnam) < 1e-6


def test_csv_with_an_srid_and_a_huge_coordinate_is_400_at_once(owned):
    m, client = owned
    started = time.monotonic()
    response = _import(client, m, b"name,x,y\nfar away,1e300,1e300\n", "far.csv", srid=5186)
    assert time.monotonic() - started < 5
    assert response.status_code == 400 and "EPSG:5186" in response.json()["rejected"][0]["reason"]


def test_geopackage_in_a_korean_crs_with_a_huge_coordinate_is_refused(owned, tmp_path):
    m, client = owned
    source = tmp_path / "far.geojson"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "far away"}, "geometry": {"type": "Point", "coordinates": [1e300, 1e300]}}]}))
    target = tmp_path / "far.gpkg"
    subprocess.run(["ogr2ogr", "-f", "GPKG", "-a_srs", "EPSG:5186", str(target), str(source)], check=True,
                   capture_output=True)
    started = time.monotonic()
    response = _import(client, m, target.read_bytes(), "far.gpkg")
    assert time.monotonic() - started < 5
    assert response.status_code == 400 and "EPSG:5186" in response.json()["rejected"][0]["reason"]


def test_crs_bounds_cover_the_area_of_use_with_a_margin():
    gangnam = Point(*station("강남")["geometry"]["coordinates"], srid=4326)
    for srid in (3857, 5186, 5179, 2097, 32652):
        xmin, ymin, xmax, ymax = crs_bounds(srid)
        local = gangnam.transform(srid, clone=True)
        assert xmin < local.x < xmax and ymin < local.y < ymax
    assert crs_bounds(999_999) is None


def test_an_import_that_runs_past_its_time_limit_stops_with_a_reason_and_stores_nothing(owned, citizen):
    m, _client = owned
    data = _collection(4326, *[(127.0276 + i * 1e-4, 37.4979) for i in range(50)])
    source = services.import_receive(upload=SimpleUploadedFile("many.geojson", data), fmt="geojson")
    try:
        with pytest.raises(services.ValidationError) as raised, translation.override("en"):
            services.map_import_run(map_obj=m, actor=citizen, source=source, time_limit=0)
    finally:
        source.cleanup()
    assert "took longer than" in " ".join(raised.value.messages)
    assert not Feature.objects.filter(map=m).exists()


def test_the_file_readers_touch_no_model_and_no_database():
    """maps/readers.py is pure: models and the database belong to the import job in maps/services.py."""
    import ast
    from pathlib import Path

    import maps.readers

    tree = ast.parse(Path(maps.readers.__file__).read_text(encoding="utf-8"))
    imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert not {name for name in imported if name.endswith("models") or name.startswith(("django.db", "maps.services"))
                or name in ("services", "tasks")}
