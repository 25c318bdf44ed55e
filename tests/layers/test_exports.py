"""Layer exports: every format opens with GDAL with the right count; private rows stay private."""
import csv
import io
import json
import subprocess
import zipfile

import pytest
from django.contrib.gis.geos import GEOSGeometry

from geoplatform.responses import PIECE_BYTES
from layers.exports import export_layer_response
from layers.models import DatasetFeature
from layers.registry import Viewer, registry
from tests.asgi import sent_as_asgi

pytestmark = pytest.mark.django_db
STATIONS = "dataset-seoul_subway_stations"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def ogr_count(path) -> int:
    out = subprocess.run(["ogrinfo", "-ro", "-al", "-so", str(path)], capture_output=True, text=True, check=True)
    return sum(int(line.split(":")[1]) for line in out.stdout.splitlines() if line.startswith("Feature Count:"))


@pytest.mark.parametrize("fmt,suffix", [("geojson", "geojson"), ("gpkg", "gpkg"), ("kml", "kml"),
                                        ("shp", "zip"), ("csv", "csv")])
def test_each_format_opens_with_gdal_with_every_station(client_for, analyst, datasets, tmp_path, fmt, suffix):
    expected = DatasetFeature.objects.filter(dataset__slug="seoul_subway_stations").count()
    response = client_for(analyst).get(f"/api/layers/{STATIONS}/export.{fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{STATIONS}.{suffix}"'
    path = tmp_path / f"stations.{suffix}"
    path.write_bytes(body(response))
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        assert len(rows) == expected
        seoul_station = next(r for r in rows if r["name"] == "서울역")
        assert GEOSGeometry(seoul_station["wkt"]).geom_type == "Point"
        assert set(rows[0]) == {"id", "name", "line", "station_id", "wkt"}
        return
    source = f"/vsizip/{path}" if fmt == "shp" else path
    assert ogr_count(source) == expected
    if fmt == "shp":
        assert {n.rsplit(".", 1)[1] for n in zipfile.ZipFile(path).namelist()} >= {"shp", "shx", "dbf", "prj", "cpg"}
    if fmt == "geojson":
        doc = json.loads(path.read_text())
        station = next(f for f in doc["features"] if f["properties"]["name"] == "서울역")
        assert station["geometry"]["type"] == "Point"
        lon, lat = station["geometry"]["coordinates"]
        assert 126.96 < lon < 126.98 and 37.55 < lat < 37.56


def test_geojson_streams_in_chunks_from_a_cursor(datasets):
    layer = registry.get("dataset-seoul_public_toilets")
    response = export_layer_response(layer=layer, viewer=Viewer.anonymous(), fmt="geojson", filename="서울 화장실")
    assert response.streaming
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%EC%84%9C%EC%9A%B8_%ED%99%94%EC%9E%A5%EC%8B%A4.geojson"
    chunks = list(response.streaming_content)
    assert len(chunks) > 5  # many bounded chunks rather than one document in memory
    assert max(len(c) for c in chunks) < 200_000
    assert len(json.loads(b"".join(chunks))["features"]) == 4585


def test_a_geojson_export_is_sent_piece_by_piece_from_its_cursor_under_asgi(datasets):
    layer = registry.get("dataset-seoul_public_toilets")
    response = export_layer_response(layer=layer, viewer=Viewer.anonymous(), fmt="geojson", filename="toilets")
    pieces, buffered = sent_as_asgi(response)
    assert not buffered
    assert len(pieces) > 5
    assert all(len(p) >= PIECE_BYTES for p in pieces[:-1])
    assert max(len(p) for p in pieces) < PIECE_BYTES + 200_000  # a piece is a few of the export's own chunks
    assert len(json.loads(b"".join(pieces))["features"]) == 4585


def test_mixed_geometries_go_to_one_shapefile_per_kind(register_layer, spots, tmp_path):
    from django.contrib.gis.geos import LineString

    from layers.registry import Layer

    DatasetFeature.objects.create(dataset=spots, name="Cheonggyecheon walk",
                                  geom=LineString((126.9784, 37.5696), (126.9890, 37.5690), srid=4326))
    layer = register_layer(Layer(name="testmixed", title_ko="혼합", title_en="Mixed", geometry_type="mixed",
                                 fields=("name",),
                                 queryset_factory=lambda viewer: DatasetFeature.objects.filter(dataset=spots)))
    response = export_layer_response(layer=layer, viewer=Viewer.anonymous(), fmt="shp", filename="mixed spots")
    path = tmp_path / "mixed.zip"
    path.write_bytes(body(response))
    names = sorted(zipfile.ZipFile(path).namelist())
    assert "mixed_spots_points.shp" in names and "mixed_spots_lines.shp" in names
    assert ogr_count(f"/vsizip/{path}") == 4


def test_exports_need_a_signed_in_user_and_a_known_format(client, client_for, citizen, datasets):
    assert client.get(f"/api/layers/{STATIONS}/export.geojson").status_code == 401
    bad = client_for(citizen).get(f"/api/layers/{STATIONS}/export.exe")
    assert bad.status_code == 400 and "geojson" in bad.json()["detail"]


def test_private_layer_export_is_404_for_others_and_whole_for_its_owner(client_for, private_layer, citizen,
                                                                          citizen2):
    assert client_for(citizen2).get("/api/layers/testprivate/export.geojson").status_code == 404
    response = client_for(citizen).get("/api/layers/testprivate/export.geojson")
    assert len(json.loads(body(response))["features"]) == 3


def test_the_21st_export_in_an_hour_is_refused_with_retry_after_in_the_readers_language(client_for, citizen,
                                                                                         make_user, datasets):
    """Each export reads the whole layer (the reports layer: 145 MB of CSV at 1,000,000 reports): THROTTLE_EXPORTS,
    20 an hour per user and per address."""
    me = client_for(citizen)
    codes = [me.get(f"/api/layers/{STATIONS}/export.csv", REMOTE_ADDR=f"203.0.113.{i}").status_code
             for i in range(20)]
    assert codes == [200] * 20
    refused = me.get(f"/api/layers/{STATIONS}/export.gpkg", REMOTE_ADDR="203.0.113.99")  # a new address: same account
    assert refused.status_code == 429
    assert 3500 <= int(refused["Retry-After"]) <= 3600
    assert refused.json()["detail"].startswith("짧은 시간에 너무 많이 내려받았습니다.")
    english = me.get(f"/api/layers/{STATIONS}/export.csv", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 429 and english.json()["detail"].startswith("Too many exports in a short time.")
    other = client_for(make_user("seoyeon"))
    assert other.get(f"/api/layers/{STATIONS}/export.csv", REMOTE_ADDR="198.51.100.5").status_code == 200


def test_exports_count_per_address_across_accounts_and_not_for_anonymous_visitors(client_for, make_user, settings,
                                                                                 datasets):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "exports": "2/hour"}}
    assert [client_for(None).get(f"/api/layers/{STATIONS}/export.csv", REMOTE_ADDR="198.51.100.7").status_code
            for _ in range(3)] == [401] * 3  # answered before any row is read: not counted
    users = [make_user() for _ in range(3)]
    assert [client_for(user).get(f"/api/layers/{STATIONS}/export.csv", REMOTE_ADDR="198.51.100.7").status_code
            for user in users] == [200, 200, 429]
