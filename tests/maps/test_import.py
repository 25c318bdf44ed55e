"""Importing real Seoul data in every supported format; bad files are refused whole with a reason."""
import csv
import io
import json
import subprocess
import zipfile

import pytest
from django.contrib.gis.geos import GEOSGeometry, Point

from districts.models import District
from jobs.models import Job
from maps.models import Feature, FeatureVersion

from tests.conftest import HANGUL

from .conftest import DATA, _features, station, toilets

pytestmark = pytest.mark.usefixtures("english_clients")  # reads English reasons (Korean readers: tests/core)


def gangnam_libraries():
    return [f for f in _features("seoul_public_libraries.geojson") if f["properties"]["구명"] == "강남구"]


def _upload(data: bytes, name: str):
    f = io.BytesIO(data)
    f.name = name
    return f


def _import(client, m, data, name, **extra):
    return client.post(f"/api/maps/{m.pk}/import/", {"file": _upload(data, name), **extra}, format="multipart")


@pytest.fixture
def owned(client_for, citizen, make_map, seoul):
    return make_map(citizen, title="강남구 도서관 지도", theme="history"), client_for(citizen)


def _libraries_geojson(tmp_path):
    features = [{"type": "Feature", "properties": {"name": f["properties"]["도서관명"],
                                                   "address": f["properties"]["주소"]},
                 "geometry": f["geometry"]} for f in gangnam_libraries()]
    path = tmp_path / "libraries.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    return path, features


def test_geojson_import_stores_valid_features_and_reports_each_rejected_one(owned, citizen):
    m, client = owned
    good = [{"type": "Feature", "properties": {"도서관명": f["properties"]["도서관명"], "운영시간": f["properties"]["운영시간"]},
             "geometry": f["geometry"]} for f in gangnam_libraries()]
    pts = [station(n)["geometry"]["coordinates"] for n in ("강남", "선릉")] + [
        station("신사", "3호선")["geometry"]["coordinates"], station("합정")["geometry"]["coordinates"]]
    bowtie = {"type": "Feature", "properties": {"name": "꼬인 구역"},
              "geometry": {"type": "Polygon", "coordinates": [[pts[0], pts[2], pts[1], pts[3], pts[0]]]}}
    no_geometry = {"type": "Feature", "properties": {"name": "좌표 없음"}, "geometry": None}
    data = json.dumps({"type": "FeatureCollection", "features": [*good, bowtie, no_geometry]}).encode()
    response = _import(client, m, data, "강남 도서관.geojson")
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["imported"] == len(good) and result["rejected_count"] == 2
    assert [r["index"] for r in result["rejected"]] == [len(good) + 1, len(good) + 2]
    assert "Self-intersection" in result["rejected"][0]["reason"]
    names = set(Feature.objects.filter(map=m).values_list("name", flat=True))
    assert names == {f["properties"]["도서관명"] for f in gangnam_libraries()}
    assert FeatureVersion.objects.filter(map=m, action="import", actor=citizen).count() == len(good)


def _toilet_csv(gu, encoding="cp949"):
    """Rows as in the city's raw CSV, whose 위도(Y) column holds the longitude and 경도(X) the latitude."""
    rows = [f for f in toilets() if f["properties"]["구 명칭"] == gu][:25]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["연번", "건물명", "위도(Y)", "경도(X)", "개방시간"])
    for f in rows:
        lon, lat = f["geometry"]["coordinates"]
        writer.writerow([f["properties"]["연번"], f["properties"]["건물명"], lon, lat, f["properties"]["개방시간"] or ""])
    return out.getvalue().encode(encoding), rows


def test_csv_with_swapped_coordinate_columns_in_cp949_lands_in_the_right_district(owned, seoul):
    m, client = owned
    data, rows = _toilet_csv("마포구")
    response = _import(client, m, data, "서울시 공중화장실 위치정보.csv")
    assert response.status_code == 200, response.content
    assert response.json()["imported"] == len(rows)
    assert "swapped" in response.json()["notes"][0]
    mapo = District.objects.get(name_ko="마포구").geom
    features = Feature.objects.filter(map=m)
    assert features.filter(geom__intersects=mapo.buffer(0.001)).count() == len(rows)
    assert set(features.values_list("name", flat=True)) == {r["properties"]["건물명"] for r in rows}


def test_csv_with_a_wkt_column_imports_lines(owned):
    m, client = owned
    line = GEOSGeometry(json.dumps({"type": "LineString", "coordinates": [
        station("강남")["geometry"]["coordinates"], station("역삼")["geometry"]["coordinates"]]}))
    data = f"name,wkt\n테헤란로,\"{line.wkt}\"\n깨진 줄,\"LINESTRING (127 37\"\n".encode()
    result = _import(client, m, data, "streets.csv").json()
    assert result["imported"] == 1 and result["rejected_count"] == 1
    stored = Feature.objects.get(map=m)
    assert stored.geom.geom_type == "LineString" and stored.geom.equals_exact(line, 1e-9)


def _ogr2ogr(*args):
    subprocess.run(["ogr2ogr", *args], check=True, capture_output=True)


@pytest.mark.parametrize("fmt", ["kml", "gpx", "gpkg", "shp"])
def test_ogr_formats_are_read_and_reprojected_from_their_own_crs(owned, tmp_path, fmt):
    m, client = owned
    source, features = _libraries_geojson(tmp_path)
    if fmt == "kml":
        out = tmp_path / "libraries.kml"
        _ogr2ogr("-f", "KML", str(out), str(source))
    elif fmt == "gpx":
        out = tmp_path / "libraries.gpx"
        _ogr2ogr("-f", "GPX", str(out), str(source), "-nln", "waypoints")
    elif fmt == "gpkg":  # Korea 2000 / Central Belt 2010, metres
        out = tmp_path / "libraries.gpkg"
        _ogr2ogr("-f", "GPKG", str(out), str(source), "-t_srs", "EPSG:5186")
    else:  # Korea 2000 / Unified CS (UTM-K), as a zipped shapefile
        shp_dir = tmp_path / "shp"
        shp_dir.mkdir()
        _ogr2ogr("-f", "ESRI Shapefile", str(shp_dir / "libraries.shp"), str(source), "-t_srs", "EPSG:5179",
                 "-lco", "ENCODING=UTF-8")
        out = tmp_path / "libraries.zip"
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for part in shp_dir.iterdir():
                archive.write(part, arcname=f"libraries/{part.name}")
    response = _import(client, m, out.read_bytes(), out.name)
    assert response.status_code == 200, response.content
    assert response.json()["imported"] == len(features) and response.json()["rejected_count"] == 0
    for f in features:
        stored = Feature.objects.get(map=m, name=f["properties"]["name"])
        assert stored.geom.srid == 4326
        assert stored.geom.distance(Point(*f["geometry"]["coordinates"], srid=4326)) < 1e-6  # ~10 cm


def test_the_whole_toilet_layer_imports_as_a_background_job_with_progress(owned, citizen):
    m, client = owned
    data = (DATA / "seoul_public_toilets.geojson").read_bytes()
    response = _import(client, m, data, "seoul_public_toilets.geojson")
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["job"])
    assert job.state == "succeeded" and job.total == 4585 and job.progress == 4585
    assert job.result["imported"] == 4585
    assert Feature.objects.filter(map=m).count() == 4585
    followed = client.get(response.json()["url"]).json()
    assert followed["percent"] == 100


def _zip(members: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa">'
                  b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><kml><Placemark><name>&b;</name>'
                  b'<Point><coordinates>127.02,37.49</coordinates></Point></Placemark></kml>')


@pytest.mark.parametrize("name, data, words", [
    ("broken.geojson", b'{"type": "FeatureCollection", "features": [', "JSON"),
    ("photo.geojson", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "GeoJSON"),
    ("list.geojson", b'{"type": "Topology"}', "FeatureCollection"),
    ("empty.geojson", b'{"type": "FeatureCollection", "features": []}', "no features"),
    ("text.gpkg", b"name,lon,lat\n", "GeoPackage"),
    ("fake.kml", b"hello, not xml", "KML"),
    ("laughs.kml", BILLION_LAUGHS, "DOCTYPE"),
    ("track.gpx", b"<kml></kml>", "GPX"),
    ("columns.csv", "이름,주소\n강남역,강남대로\n".encode(), "lon"),
    ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "CSV"),
    ("notzip.zip", b"just text", "zip"),
    ("drawing.dxf", b"0\nSECTION\n", "GeoJSON, KML"),
    ("bomb.zip", _zip({"a.shp": b"\x00" * 5_000_000, "a.shx": b"\x00" * 100, "a.dbf": b"\x00" * 100}), "bomb"),
    ("escape.zip", _zip({"../../etc/a.shp": b"x", "a.shx": b"x", "a.dbf": b"x"}), "unsafe path"),
    ("many.zip", _zip({f"part{i}.txt": b"x" for i in range(30)}), "at most"),
    ("two.zip", _zip({f"{s}.{e}": b"x" for s in "ab" for e in ("shp", "shx", "dbf")}), "exactly one"),
    ("noshp.zip", _zip({"readme.txt": b"hello"}), "exactly one"),
])
def test_malformed_or_lying_files_are_refused_whole(owned, name, data, words):
    m, client = owned
    response = _import(client, m, data, name)
    assert response.status_code == 400, response.content
    text = json.dumps(response.json(), ensure_ascii=False)
    assert words in text and not HANGUL.search(text)  # the reader's language alone
    assert not Feature.objects.filter(map=m).exists()


def test_only_editors_may_import_and_a_private_map_is_not_found(client_for, make_user, citizen, make_map, seoul):
    data = json.dumps({"type": "FeatureCollection", "features": gangnam_libraries()[:2]}).encode()
    public = make_map(citizen, contribution_mode="open")
    private = make_map(citizen, visibility="private")
    other = client_for(make_user("stranger"))
    assert _import(other, public, data, "a.geojson").status_code == 403
    assert _import(other, private, data, "a.geojson").status_code == 404
    assert _import(client_for(None), public, data, "a.geojson").status_code == 401
    assert not Feature.objects.exists()


def test_csv_in_a_projected_crs_is_reprojected_from_the_given_epsg_code(owned):
    m, client = owned
    gangnam = Point(*station("강남")["geometry"]["coordinates"], srid=4326)
    projected = gangnam.transform(5186, clone=True)
    data = f"name,x,y\n강남역,{projected.x:.3f},{projected.y:.3f}\n".encode()
    assert _import(client, m, data, "gangnam.csv", srid=999_999).status_code == 400
    response = _import(client, m, data, "gangnam.csv", srid=5186)
    assert response.status_code == 200 and response.json()["imported"] == 1
    assert Feature.objects.get(map=m).geom.distance(gangnam) < 1e-6


def test_geojson_with_an_epsg_crs_member_is_reprojected_and_geometry_crs_is_ignored(owned):
    m, client = owned
    gangnam = Point(*station("강남")["geometry"]["coordinates"], srid=4326)
    projected = gangnam.transform(5186, clone=True)
    data = json.dumps({"type": "FeatureCollection",
                       "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::5186"}},
                       "features": [{"type": "Feature", "properties": {"name": "강남역"},
                                     "geometry": {"type": "Point", "coordinates": [projected.x, projected.y],
                                                  "crs": {"type": "name", "properties": {"name": "EPSG:3857"}}}}]})
    response = _import(client, m, data.encode(), "gangnam.geojson")
    assert response.status_code == 200 and response.json()["imported"] == 1
    assert Feature.objects.get(map=m).geom.distance(gangnam) < 1e-6
    bad = json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "+proj=merc"}},
                      "features": []})
    assert _import(client, m, bad.encode(), "x.geojson").status_code == 400


def test_csv_geometry_column_accepts_wkt_only(owned):
    m, client = owned
    sneaky = '{"type": "Point", "coordinates": [127.03, 37.5], "crs": {"type": "name", "properties": {"name": "EPSG:5186"}}}'
    out = io.StringIO()
    csv.writer(out).writerows([["name", "wkt"], ["geojson in disguise", sneaky]])
    result = _import(client, m, out.getvalue().encode(), "sneaky.csv").json()
    assert result["imported"] == 0 and "WKT" in result["rejected"][0]["reason"]


def test_truncated_geopackage_and_giant_csv_cells_are_refused_not_crashing(owned, tmp_path):
    m, client = owned
    source, _ = _libraries_geojson(tmp_path)
    out = tmp_path / "libraries.gpkg"
    _ogr2ogr("-f", "GPKG", str(out), str(source))
    data = out.read_bytes()
    for cut in (1024, len(data) // 2):
        response = _import(client, m, data[:cut], "cut.gpkg")
        assert response.status_code == 400, (cut, response.content)
        assert response.json() and not HANGUL.search(json.dumps(response.json(), ensure_ascii=False))  # a reason, in English
    assert not m.features.exists()  # nothing half-stored
    giant = ("name,lon,lat\n" + "x" * 200_000 + ",127.03,37.5\n").encode()
    response = _import(client, m, giant, "giant.csv")
    assert response.status_code == 400 and not HANGUL.search(json.dumps(response.json(), ensure_ascii=False))
