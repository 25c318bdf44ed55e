"""Staff import projects from CSV/XLSX with per-row errors; a project is then on the `projects` layer:
the catalogue, a decoded vector tile and OGC API Features."""
import pytest

from projects.models import Project
from tests.meetings.test_layer import _tile as tile_features

from .conftest import csv_upload

pytestmark = pytest.mark.django_db

HEADER = "사업명,title_en,담당부서,자치구,geometry,예산,집행액,시작일,종료일,상태,진행률\n"


def _tile(api, lon, lat, z=15):
    return tile_features(api, "projects", lon, lat, z)["projects"]["features"]


def test_staff_create_a_project_from_a_csv_row_with_a_district_and_a_line_and_it_is_on_the_layer(
        seoul, staff, client_for, api, teheran_wkt, teheran_ro):
    body = HEADER + f'테헤란로 자전거도로,Teheran-ro bike lane,도시교통실,강남구,"{teheran_wkt}",4200000000,1050000000,2026-03-02,2027-06-30,진행 중,25%\n'
    answer = client_for(staff).post("/api/projects/import/", {"file": csv_upload(body)}, format="multipart")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["errors"] == [] and len(answer.json()["created"]) == 1
    project = Project.objects.get(pk=answer.json()["created"][0])
    assert project.geom.geom_type == "MultiLineString" and project.geom[0].coords == tuple(teheran_ro)
    assert [d.code for d in project.districts.all()] == ["11680"]
    assert (project.status, project.progress, project.budget_planned) == ("in_progress", 25, 4_200_000_000)

    catalogue = {layer["name"]: layer for layer in api.get("/api/layers/").json()["results"]}
    assert catalogue["projects"]["title_ko"] == "서울시 사업"
    legend = {entry["value"] for entry in api.get("/api/layers/projects/").json()["legend"]}
    assert legend == {"planned", "in_progress", "done", "cancelled"}

    yeoksam = teheran_ro[1]
    features = _tile(api, *yeoksam)
    mine = [f for f in features if f["properties"]["id"] == project.pk]
    assert len(mine) == 1 and mine[0]["geometry"]["type"] in ("LineString", "MultiLineString")
    assert mine[0]["properties"]["status"] == "in_progress" and mine[0]["properties"]["progress"] == 25

    items = api.get("/ogc/collections/projects/items", {"f": "json"})
    assert items.status_code == 200, items.content
    feature = next(f for f in items.json()["features"] if f["properties"]["id"] == project.pk)
    assert feature["geometry"]["type"] == "MultiLineString"
    assert feature["properties"]["title"] == "테헤란로 자전거도로"


def test_bad_rows_come_back_with_their_errors_and_good_rows_are_created(seoul, staff, client_for, teheran_wkt):
    body = HEADER + "\n".join([
        f'좋은 사업,,도시교통실,Gangnam,"{teheran_wkt}",100,0,2026-01-01,,계획,0',
        '구가 없는 사업,,도시교통실,Atlantis-gu,"POINT(127.03 37.50)",100,0,,,계획,0',
        '꼬인 구역,,도시공간본부,11680,"POLYGON((127.0 37.5, 127.1 37.6, 127.1 37.5, 127.0 37.6, 127.0 37.5))",1,0,,,계획,0',
        '예산이 글자,,도시교통실,11680,"POINT(127.03 37.50)",많이,0,,,계획,0',
        '진행률 초과,,도시교통실,11680,"POINT(127.03 37.50)",1,0,,,진행 중,150',
        '날짜 역순,,도시교통실,11680,"POINT(127.03 37.50)",1,0,2027-01-01,2026-01-01,계획,0',
        '취소 이유 없음,,도시교통실,11680,"POINT(127.03 37.50)",1,0,,,취소,0',
        "<script>alert(1)</script> 정자,,도시공원과,11680,\"GEOMETRYCOLLECTION(POINT(127 37.5))\",1,0,,,계획,0",
    ]) + "\n"
    answer = client_for(staff).post("/api/projects/import/", {"file": csv_upload(body)}, format="multipart")
    assert answer.status_code == 201
    result = answer.json()
    assert len(result["created"]) == 1 and Project.objects.count() == 1
    errors = {e["row"]: e["errors"] for e in result["errors"]}
    assert set(errors) == {3, 4, 5, 6, 7, 8, 9}
    assert "district" in errors[3] and "Atlantis-gu" in errors[3]["district"][0]
    assert "geometry" in errors[4] and "Self-intersection" in errors[4]["geometry"][0]
    assert "budget_planned" in errors[5]
    assert "progress" in errors[6]
    assert "ends_on" in errors[7]
    assert "cancel_reason" in errors[8]
    assert "geometry" in errors[9]


def test_an_xlsx_file_with_lon_lat_and_district_names_imports(seoul, staff, client_for, xlsx_file):
    rows = [["title_ko", "department_ko", "district", "lon", "lat", "budget_planned", "status", "progress"],
            ["서울광장 그늘막", "균형발전본부", "중구", 126.977108, 37.564718, 30_000_000, "done", 100]]
    answer = client_for(staff).post("/api/projects/import/", {"file": xlsx_file(rows)}, format="multipart")
    assert answer.status_code == 201, answer.json()
    project = Project.objects.get()
    assert project.geom.geom_type == "MultiPoint" and [d.name_ko for d in project.districts.all()] == ["중구"]


@pytest.mark.parametrize("content, name", [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "projects.csv"),
    (b"not a workbook", "projects.xlsx"),
    (b"\xff\xfe\x00garbage\x00", "projects.csv"),
    ("title_ko,department_ko\n사업,부서\n".encode(), "projects.csv"),
    (b"", "projects.csv"),
])
def test_hostile_or_broken_files_are_a_400_and_store_nothing(seoul, staff, client_for, content, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    answer = client_for(staff).post("/api/projects/import/", {"file": upload}, format="multipart")
    assert answer.status_code == 400, answer.content
    assert not Project.objects.exists()


def test_a_file_without_one_good_row_is_refused_with_every_row_error(seoul, staff, client_for):
    body = HEADER + '가짜,,부서,없는구,"POINT(1 2)",1,0,,,계획,0\n'
    answer = client_for(staff).post("/api/projects/import/", {"file": csv_upload(body)}, format="multipart")
    assert answer.status_code == 400 and answer.json()["errors"][0]["row"] == 2
    assert not Project.objects.exists()


def test_only_city_staff_import_and_a_dry_run_stores_nothing(seoul, staff, citizen, client_for, teheran_wkt):
    body = HEADER + f'테헤란로,,도시교통실,11680,"{teheran_wkt}",1,0,,,계획,0\n'
    assert client_for(citizen).post("/api/projects/import/", {"file": csv_upload(body)},
                                    format="multipart").status_code == 403
    dry = client_for(staff).post("/api/projects/import/", {"file": csv_upload(body), "dry_run": "true"},
                                 format="multipart")
    assert dry.status_code == 200 and dry.json()["checked"] == 1 and not Project.objects.exists()


def test_the_layer_is_styled_by_status_and_exports_as_geojson_and_csv(seoul, staff, citizen, client_for, api, teheran_ro):
    from django.contrib.gis.geos import LineString

    from projects.services import project_create

    project_create(actor=staff, title_ko="테헤란로 자전거도로", department_ko="도시교통실",
                   geom=LineString(teheran_ro, srid=4326), status="in_progress", progress=30)
    style = api.get("/styles/projects.json").json()
    lines = next(layer for layer in style["layers"] if layer["id"].endswith("projects-line"))
    colour = lines["paint"]["line-color"]
    assert colour[0] == "match" and "in_progress" in colour and "done" in colour
    assert colour[colour.index("in_progress") + 1] != colour[colour.index("done") + 1]
    geojson = client_for(citizen).get("/api/layers/projects/export.geojson")
    assert geojson.status_code == 200
    body = b"".join(geojson.streaming_content) if geojson.streaming else geojson.content
    assert "테헤란로 자전거도로" in body.decode() and "MultiLineString" in body.decode()
    csv_answer = client_for(citizen).get("/api/layers/projects/export.csv")
    text = (b"".join(csv_answer.streaming_content) if csv_answer.streaming else csv_answer.content).decode("utf-8-sig")
    assert "MULTILINESTRING" in text and "in_progress" in text
