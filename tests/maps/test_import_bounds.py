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


@pytest.fixture(autouse=True, scope="module")
def _reader_fork_server_started():
    """The fork server of geoplatform.bounded starts once per process (a second or more on a busy machine):
    the timings below measure the imports, not that start."""
    from geoplatform.bounded import run_bounded

    assert run_bounded(len, "seoul", seconds=120) == 5


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


def _endless_geopackage(tmp_path) -> bytes:
    """A real GeoPackage whose one feature table is a view over an endless recursive query: GDAL asks SQLite
    for its feature count and never gets an answer (no check between features can run: none is read)."""
    import sqlite3

    source = tmp_path / "seed.geojson"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "강남역"}, "geometry": {"type": "Point", "coordinates": [127.0276, 37.4979]}}]}))
    target = tmp_path / "endless.gpkg"
    subprocess.run(["ogr2ogr", "-f", "GPKG", "-nln", "seed", str(target), str(source)], check=True, capture_output=True)
    with sqlite3.connect(target) as db:
        db.execute("CREATE VIEW endless AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                   "SELECT n.i AS fid, seed.geom AS geom, seed.name AS name FROM n, seed")
        db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
                   "VALUES ('endless', 'features', 'endless', 4326)")
        db.execute("INSERT INTO gpkg_geometry_columns VALUES ('endless', 'geom', 'POINT', 4326, 0, 0)")
        db.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = 'seed'")
        db.execute("DELETE FROM gpkg_contents WHERE table_name = 'seed'")
    return target.read_bytes()


def _children_gone():
    import multiprocessing

    return multiprocessing.active_children() == []


def test_a_geopackage_that_keeps_gdal_busy_for_ever_is_stopped_at_the_requests_bound(owned, tmp_path, monkeypatch):
    """The attack: a hostile file that holds the worker inside GDAL, where no check between features runs.
    The reading runs in a child process that is killed at MAPS_IMPORT_TIME_LIMIT_SYNC."""
    m, client = owned
    monkeypatch.setattr(services, "IMPORT_TIME_LIMIT_SYNC", 3)
    data = _endless_geopackage(tmp_path)
    started = time.monotonic()
    response = _import(client, m, data, "endless.gpkg")
    elapsed = time.monotonic() - started
    assert response.status_code == 400, response.content
    assert response.json()["detail"] == ["가져오기가 3초를 넘겨 중단되었습니다. 파일을 나누거나 도형을 단순하게 해 주세요."]
    assert 3 <= elapsed < 3 + 10  # the bound, plus the upload and the answer on a busy machine
    assert _children_gone() and not Feature.objects.filter(map=m).exists()


def test_a_background_import_of_such_a_file_is_stopped_at_the_jobs_bound(owned, citizen, tmp_path):
    m, _client = owned
    source = services.import_receive(upload=SimpleUploadedFile("endless.gpkg", _endless_geopackage(tmp_path)),
                                     fmt="gpkg")
    started = time.monotonic()
    try:
        with pytest.raises(services.ValidationError) as raised, translation.override("ko"):
            services.map_import_run(map_obj=m, actor=citizen, source=source, time_limit=3)
    finally:
        source.cleanup()
    assert 3 <= time.monotonic() - started < 3 + 10
    assert raised.value.code == "import_timeout" and "3초" in " ".join(raised.value.messages)
    assert _children_gone() and not Feature.objects.filter(map=m).exists()


def test_a_file_read_in_the_child_process_imports_as_before(owned):
    """The bounded reader returns what the readers made of the file: geometries, properties, rejections."""
    m, client = owned
    gangnam = Point(*station("강남")["geometry"]["coordinates"], srid=4326)
    mercator = gangnam.transform(3857, clone=True)
    response = _import(client, m, _collection(3857, (mercator.x, mercator.y), (1e300, 1e300)), "two.geojson")
    assert response.status_code == 200
    assert "EPSG:3857" in response.json()["rejected"][0]["reason"] and response.json()["imported"] == 1
    assert Feature.objects.get(map=m).geom.distance(gangnam) < 1e-6
