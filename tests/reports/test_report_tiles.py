"""The `reports` layer at Seoul's size (issue 14): up to z14 it reads pre-aggregated rows (points counted in cells,
lines drawn in advance), from z15 each report from its row; the rows that count exactly the raw rows, are kept current by every write of reports/services.py,
and hold only what the anonymous viewer sees: hidden reports never, sensitive ones at their coarsened place only."""
import gzip
import re

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import Point, Polygon
from django.db import connection

from bench.reportsbench import seed_reports
from layers.aggregates import aggregates_rebuild
from layers.cache import tile_cache
from layers.models import TileCluster, TileShape
from layers.registry import Viewer, registry
from layers.selectors import aggregates_ready
from layers.tilegrid import lonlat_to_tile_fraction, tile_bounds
from layers.tiles import _fetch_tile, tile_sql
from tests.layers.test_tile_aggregates import tile_plan
from reports.demo import categories_load
from reports.models import Report, ReportCategory, coarsened_point

pytestmark = pytest.mark.django_db
CITY_HALL = (126.9779, 37.5663)
GANGNAM_STATION = (127.0276, 37.4979)


def tile_of(lonlat, z):
    fx, fy = lonlat_to_tile_fraction(*lonlat, z)
    return z, int(fx), int(fy)


def render(z, x, y, aggregates: bool) -> bytes:
    layer = registry.get("reports")
    row = _fetch_tile(*tile_sql(layer, Viewer.anonymous(), z, x, y, aggregates=aggregates), using="default")
    return bytes(row[0]) if row and row[0] else b""


def features(data: bytes) -> list[dict]:
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return mapbox_vector_tile.decode(data).get("reports", {"features": []})["features"] if data else []


def counted(data: bytes) -> int:
    return sum(f["properties"]["count"] for f in features(data) if "count" in f["properties"])


def drawn(data: bytes) -> dict:
    return {f["id"]: f for f in features(data) if "count" not in f["properties"]}


def public_points_in(z, x, y) -> int:
    """Public reports whose public point lies in the tile, counted here: west <= lon < east, south < lat <= north."""
    west, south, east, north = tile_bounds(z, x, y)
    rows = Report.objects.public().filter(public_geom__bboverlaps=Polygon.from_bbox((west, south, east, north)))
    return sum(1 for r in rows.only("public_geom") if r.public_geom.geom_type == "Point"
               and west <= r.public_geom.x < east and south < r.public_geom.y <= north)


@pytest.fixture
def report_categories(categories):
    """The demo's categories (road_damage and the sensitive dark_alley from the reports fixtures among them)."""
    categories_load()
    return categories


@pytest.fixture
def city(seoul, report_categories):
    """4,000 reports clustered around Seoul's real subway stations (bench/reportsbench.py's seed: 5 % sensitive,
    0.5 % lines, 0.5 % hidden), and the layer's aggregates built."""
    with connection.cursor() as cursor:
        seed_reports(cursor, 4000, indexes=False)
        cursor.execute("ANALYZE reports_report")
    tile_cache().drop_layer("reports")
    layer = registry.get("reports")
    aggregates_rebuild(layer=layer)
    assert aggregates_ready(layer)
    assert Report.objects.filter(is_hidden=True).exists() and Report.objects.filter(category__is_sensitive=True).exists()
    return layer


def test_the_reports_layer_is_served_by_the_light_paths_public_branch_and_aggregated(city):
    from layers.asgi_tiles import servable

    assert servable(city) and city.static_queryset and city.aggregated


@pytest.mark.parametrize("z", [10, 12, 13, 14])
def test_aggregated_report_tiles_count_every_public_point_once_as_the_raw_rows_do(city, z):
    for lonlat in (CITY_HALL, GANGNAM_STATION):
        tile = tile_of(lonlat, z)
        sql, _ = tile_sql(city, Viewer.anonymous(), *tile, aggregates=True)
        assert "reports_report" not in sql and "layers_tilecluster" in sql
        aggregated, raw = render(*tile, True), render(*tile, False)
        assert counted(aggregated) == counted(raw) == public_points_in(*tile) > 20
        # the lines: drawn with their public fields, the same ones as from the rows
        assert set(drawn(aggregated)) == set(drawn(raw))
        assert all(f["geometry"]["type"] in ("LineString", "MultiLineString") for f in drawn(aggregated).values())
    # every level of the cells counts the public points once, never a hidden one
    points = sum(1 for r in Report.objects.public().only("public_geom") if r.public_geom.geom_type == "Point")
    for level in range(5, 20):
        assert sum(TileCluster.objects.filter(layer="reports", level=level).values_list("n", flat=True)) == points


def test_reports_are_counted_in_cells_through_z14_and_drawn_one_by_one_with_their_status_from_z15(city):
    assert city.cluster_maxzoom == 14
    z14, z15 = tile_of(CITY_HALL, 14), tile_of(CITY_HALL, 15)
    cells = [f for f in features(render(*z14, True)) if "count" in f["properties"]]
    assert len(cells) > 5 and all(set(f["properties"]) <= {"count", "point_count"} for f in cells)
    assert not any(f["geometry"]["type"] == "Point" for f in drawn(render(*z14, True)).values())
    sql, _ = tile_sql(city, Viewer.anonymous(), *z15, aggregates=True)
    assert "reports_report" in sql and "layers_tilecluster" not in sql
    one_by_one = drawn(render(*z15, True))
    assert len(one_by_one) > 5 and not any("count" in f["properties"] for f in features(render(*z15, True)))
    assert all(f["properties"]["status"] for f in one_by_one.values())
    # drawn in advance: only the lines (and polygons), no point report, never a hidden one
    kept = set(TileShape.objects.filter(layer="reports").values_list("feature_id", flat=True))
    points = {r.pk for r in Report.objects.only("public_geom") if r.public_geom.geom_type == "Point"}
    assert kept and not kept & points
    assert not kept & set(Report.objects.filter(is_hidden=True).values_list("pk", flat=True))


def test_a_hidden_report_leaves_z10_z12_z14_and_z16_on_the_next_fetch_and_is_never_counted(
        city, client, staff, django_capture_on_commit_callbacks):
    from moderation.services import content_hidden_set

    report = next(r for r in Report.objects.public().filter(category__is_sensitive=False, geom__intersects=
                  Polygon.from_bbox(tile_bounds(*tile_of(CITY_HALL, 12)))).order_by("pk")
                  if r.public_geom.geom_type == "Point")
    report_point = (report.public_geom.x, report.public_geom.y)
    urls = {z: "/tiles/reports/{}/{}/{}.mvt".format(*tile_of(report_point, z)) for z in (10, 12, 14, 16)}
    before = {z: client.get(url).content for z, url in urls.items()}  # drawn, and kept in the tile cache
    assert report.pk in drawn(before[16])

    with django_capture_on_commit_callbacks(execute=True):
        content_hidden_set(target=report, hidden=True, actor=staff, action="moderation.hide")
    after = {z: client.get(url) for z, url in urls.items()}
    assert all(answer["X-Tile-Cache"] == "miss" for answer in after.values())
    for z in (10, 12, 14):
        assert counted(after[z].content) == counted(before[z]) - 1 == public_points_in(*tile_of(report_point, z))
    assert report.pk not in drawn(after[16].content)

    with django_capture_on_commit_callbacks(execute=True):  # restored by a moderator: back everywhere
        content_hidden_set(target=report, hidden=False, actor=staff, action="moderation.restore")
    again = {z: client.get(url).content for z, url in urls.items()}
    assert [counted(again[z]) for z in (10, 12, 14)] == [counted(before[z]) for z in (10, 12, 14)]
    assert report.pk in drawn(again[16])


def test_a_status_change_shows_at_z15_and_z16_on_the_next_fetch(
        city, make_report, citizen, gangnam_officer, places, client, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = make_report(citizen, places["seolleung"])  # 선릉역, Gangnam-gu
    place = (places["seolleung"].x, places["seolleung"].y)
    z14, z15, z16 = (tile_of(place, z) for z in (14, 15, 16))
    assert drawn(client.get("/tiles/reports/{}/{}/{}.mvt".format(*z15)).content)[report.pk]["properties"][
        "status"] == "submitted"  # cached
    assert counted(render(*z14, True)) == public_points_in(*z14)
    client.get("/tiles/reports/{}/{}/{}.mvt".format(*z16))  # cached

    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for(gangnam_officer).post(f"/api/reports/{report.pk}/status/",
                                                  {"status": "acknowledged", "message": "확인했습니다"}, format="json")
    assert answer.status_code == 200
    assert drawn(client.get("/tiles/reports/{}/{}/{}.mvt".format(*z16)).content)[report.pk]["properties"][
        "status"] == "acknowledged"
    assert drawn(client.get("/tiles/reports/{}/{}/{}.mvt".format(*z15)).content)[report.pk]["properties"][
        "status"] == "acknowledged"
    assert counted(render(*z14, True)) == counted(render(*z14, False)) == public_points_in(*z14)


def _a_place_whose_coarse_cell_is_elsewhere():
    """A point near Gangnam station whose 200 m cell centre lies in another z16 tile and another z12 cluster cell
    (level 17) than the point itself."""
    start = Point(*GANGNAM_STATION, srid=4326).transform(5179, clone=True)
    for step in range(200):
        exact = Point(start.x + step * 7.0, start.y + step * 3.0, srid=5179).transform(4326, clone=True)
        coarse = coarsened_point(exact)
        if (tile_of((exact.x, exact.y), 16) != tile_of((coarse.x, coarse.y), 16)
                and tile_of((exact.x, exact.y), 17) != tile_of((coarse.x, coarse.y), 17)):
            return exact, coarse
    raise AssertionError("no such place")


def test_a_sensitive_report_is_counted_and_drawn_at_its_coarsened_place_only(
        seoul, report_categories, make_report, citizen, client, django_capture_on_commit_callbacks):
    exact, coarse = _a_place_whose_coarse_cell_is_elsewhere()
    layer = registry.get("reports")
    aggregates_rebuild(layer=layer)  # built while there is no report
    with django_capture_on_commit_callbacks(execute=True):
        report = make_report(citizen, exact, category="dark", description="골목 가로등이 꺼져 있음 010-1234-5678")
    assert report.public_geom.equals_exact(coarse, 1e-9)
    # z12: one count, in the cluster cell (level 17) that holds the coarse point, at the coarse point
    z, x, y = tile_of((coarse.x, coarse.y), 12)
    data = render(z, x, y, True)
    [cluster] = [f for f in features(data) if "count" in f["properties"]]
    assert cluster["properties"]["count"] == 1 and features(data) == features(render(z, x, y, False))
    [[level, cx, cy]] = TileCluster.objects.filter(layer="reports", level=17).values_list("level", "x", "y")
    assert (17, cx, cy) == tile_of((coarse.x, coarse.y), 17) != tile_of((exact.x, exact.y), 17)
    # z14: counted in the cell (level 19) that holds the coarse point
    assert TileCluster.objects.get(layer="reports", level=19).n == 1
    [(cx, cy)] = TileCluster.objects.filter(layer="reports", level=19).values_list("x", "y")
    assert (19, cx, cy) == tile_of((coarse.x, coarse.y), 19)
    # z15 and z16: drawn at the coarse point, named by the coarse point's district
    for zoom, aggregates in ((15, True), (16, False)):
        here = drawn(render(*tile_of((coarse.x, coarse.y), zoom), aggregates))
        assert here[report.pk]["properties"]["districts_ko"] == report.public_district.name_ko
        assert here[report.pk]["properties"]["coarsened"] is True
    assert report.pk not in drawn(client.get("/tiles/reports/{}/{}/{}.mvt".format(
        *tile_of((exact.x, exact.y), 16))).content)
    # a point report is not drawn in advance at all: the cells hold counts and sums of coarse places only
    assert not TileShape.objects.filter(layer="reports", feature_id=report.pk).exists()


def test_renaming_a_category_redraws_its_reports_at_every_zoom(city, staff, client,
                                                              django_capture_on_commit_callbacks):
    from reports.services import category_update

    tile = tile_of(CITY_HALL, 15)
    url = "/tiles/reports/{}/{}/{}.mvt".format(*tile)
    assert "Damaged road" in {f["properties"]["category_name_en"] for f in drawn(client.get(url).content).values()}
    named = TileShape.objects.filter(layer="reports", props__category_name_en="Damaged road")
    assert named.exists()  # lines drawn in advance at z0-z14
    with django_capture_on_commit_callbacks(execute=True):
        category_update(category=ReportCategory.objects.get(code="road_damage"), actor=staff,
                        name_en="Broken road surface")
    names = {f["properties"]["category_name_en"] for f in drawn(client.get(url).content).values()}
    assert "Broken road surface" in names and "Damaged road" not in names
    assert not named.exists()
    assert TileShape.objects.filter(layer="reports", props__category_name_en="Broken road surface").exists()
    z14 = tile_of(CITY_HALL, 14)
    assert drawn(render(*z14, True)) == drawn(render(*z14, False))


@pytest.mark.parametrize("z, aggregates, index", [(15, True, "report_public_geom_gist"),
                                                  (16, False, "report_public_geom_gist")])
def test_the_z15_and_z16_plans_use_the_gist_index_without_parallel_workers(city, z, aggregates, index):
    plan = tile_plan(*tile_sql(city, Viewer.anonymous(), *tile_of(CITY_HALL, z), aggregates=aggregates))
    assert index in plan and "Gather" not in plan
    assert not re.search(r"Seq Scan on (reports_report|layers_tileshape)\b", plan)


def test_the_reports_style_draws_the_counted_cells_as_circles_and_the_reports_by_status(client, seoul):
    layers = [item for item in client.get("/styles/reports.json").json()["layers"]
              if item.get("source-layer") == "reports"]
    cells = [item for item in layers if item.get("filter") == ["has", "count"]]
    assert [item["type"] for item in cells] == ["circle"]
    points = next(item for item in layers if item["id"].endswith("points"))
    assert ["!", ["has", "count"]] in points["filter"] and points["paint"]["circle-color"][0] == "match"
    fields = client.get("/tiles/reports.json").json()["vector_layers"][0]["fields"]
    assert {"count", "point_count", "status", "districts_ko"} <= set(fields)


def test_a_transfer_renames_the_reports_district_in_its_drawn_tiles(
        city, make_report, citizen, gangnam_officer, places, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = make_report(citizen, places["seolleung"])  # 선릉역, Gangnam-gu
    z15 = tile_of((places["seolleung"].x, places["seolleung"].y), 15)
    assert drawn(render(*z15, True))[report.pk]["properties"]["districts_en"] == "Gangnam-gu"
    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for(gangnam_officer).post(f"/api/reports/{report.pk}/transfer/",
                                                  {"to_district": "11650", "reason": "서초구 관할"}, format="json")
    assert answer.status_code == 200
    assert drawn(render(*z15, True))[report.pk]["properties"]["districts_en"] == "Seocho-gu"


def test_a_category_made_sensitive_moves_its_reports_to_their_coarse_places_in_every_aggregate(
        seoul, report_categories, make_report, citizen, staff, django_capture_on_commit_callbacks):
    from reports.services import category_update

    exact, coarse = _a_place_whose_coarse_cell_is_elsewhere()
    aggregates_rebuild(layer=registry.get("reports"))
    with django_capture_on_commit_callbacks(execute=True):
        report = make_report(citizen, exact, category="road")
    [(x, y)] = TileCluster.objects.filter(layer="reports", level=17).values_list("x", "y")
    assert (17, x, y) == tile_of((exact.x, exact.y), 17)  # counted at its exact place while not sensitive
    with django_capture_on_commit_callbacks(execute=True):
        category_update(category=ReportCategory.objects.get(code="road_damage"), actor=staff, is_sensitive=True)
    [(x, y)] = TileCluster.objects.filter(layer="reports", level=17).values_list("x", "y")
    assert (17, x, y) == tile_of((coarse.x, coarse.y), 17)
    [(x, y)] = TileCluster.objects.filter(layer="reports", level=19).values_list("x", "y")
    assert (19, x, y) == tile_of((coarse.x, coarse.y), 19)  # z14's cells too
    here = drawn(render(*tile_of((coarse.x, coarse.y), 15), True))
    assert here[report.pk]["properties"]["coarsened"] is True


def test_a_district_renamed_by_the_seoul_loader_is_renamed_on_its_reports_and_their_tiles(
        city, client, tmp_path, django_capture_on_commit_callbacks):
    """Reports keep a copy of their districts' names (the layer reads it): `seoul_load` with a district's new name
    writes it on every report routed there, and every zoom of the layer shows it on the next fetch."""
    import json
    import shutil

    from districts.services import DATA_DIR, seoul_load

    for name in ("seoul_gu.geojson", "seoul_dong.geojson", "seoul_gu_population.csv", "seoul_dong_population.csv"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    gu = json.loads((tmp_path / "seoul_gu.geojson").read_text(encoding="utf-8"))
    gangnam = next(f for f in gu["features"] if f["properties"]["sig_cd"] == "11680")
    gangnam["properties"]["name_eng"] = "Gangnam District"
    (tmp_path / "seoul_gu.geojson").write_text(json.dumps(gu, ensure_ascii=False), encoding="utf-8")
    routed = Report.objects.filter(report_districts__district__code="11680")
    count = routed.count()
    assert count > 100 and routed.filter(routed_districts_en__contains="Gangnam-gu").count() == count
    others = Report.objects.exclude(report_districts__district__code="11680").values_list("pk", "routed_districts_en")
    others_before = dict(others)
    assert TileShape.objects.filter(layer="reports", props__districts_en="Gangnam-gu").exists()  # lines drawn ahead

    with django_capture_on_commit_callbacks(execute=True):
        seoul_load(data_dir=tmp_path)
    assert routed.filter(routed_districts_en__contains="Gangnam District").count() == count
    assert not Report.objects.filter(routed_districts_en__contains="Gangnam-gu").exists()
    assert dict(others) == others_before  # reports elsewhere untouched
    z15 = "/tiles/reports/{}/{}/{}.mvt".format(*tile_of((127.0276, 37.4979), 15))  # Gangnam Station
    names = {f["properties"]["districts_en"] for f in drawn(client.get(z15).content).values()}
    assert "Gangnam District" in names and "Gangnam-gu" not in names
    assert not TileShape.objects.filter(layer="reports", props__districts_en="Gangnam-gu").exists()  # redrawn
    assert TileShape.objects.filter(layer="reports", props__districts_en="Gangnam District").exists()
    with django_capture_on_commit_callbacks(execute=True):
        seoul_load(data_dir=tmp_path)  # the same names again: nothing to write
    assert routed.filter(routed_districts_en__contains="Gangnam District").count() == count


def test_making_a_category_sensitive_coarsens_every_report_as_coarsen_does_in_one_statement(
        city, staff, django_capture_on_commit_callbacks):
    """The category's reports are coarsened by one UPDATE (a category holds up to 1.4 million reports a year): each
    gets the cell, district and private description `Report.coarsen()` gives it; made ordinary again, each shows its
    own geometry with no public district."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.services import category_update

    road = ReportCategory.objects.get(code="road_damage")
    reports = Report.objects.filter(category=road).select_related("category")
    assert reports.count() > 500 and reports.filter(geom__isnull=False).exclude(public_geom=None).exists()
    assert {r.geom.geom_type for r in reports} >= {"Point", "LineString"}  # both kinds are coarsened alike
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        category_update(category=road, actor=staff, is_sensitive=True)
    assert len([q for q in queries.captured_queries if q["sql"].startswith("UPDATE \"reports_report\"")
                or q["sql"].lstrip().startswith("UPDATE reports_report")]) == 1
    for report in Report.objects.filter(category=road).select_related("category"):  # read again
        expected = Report(geom=report.geom, category=report.category)
        expected.coarsen()
        assert (report.public_geom.coords, report.public_district_id, report.description_public) == (
            expected.public_geom.coords, expected.public_district.pk, False), report.pk
        assert report.public_geom.coords != report.geom.coords or report.geom.geom_type != "Point"

    with django_capture_on_commit_callbacks(execute=True):
        category_update(category=ReportCategory.objects.get(pk=road.pk), actor=staff, is_sensitive=False)
    for report in Report.objects.filter(category=road):
        assert report.public_geom.equals_exact(report.geom, 0) and report.public_district_id is None
