"""Pre-aggregated low zooms (layers/aggregates.py): the same clusters as grouping the rows, read from
at most 32 × 32 cells, and kept current by the invalidation door."""
import gzip

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import connection
from django.test.utils import CaptureQueriesContext

from layers.aggregates import aggregates_rebuild
from layers.models import DatasetFeature, TileAggregateState, TileCluster
from layers.registry import Viewer, registry
from layers.selectors import aggregates_ready
from layers.services import tile_cache_invalidate
from layers.tilegrid import lonlat_to_tile_fraction, tile_bounds
from layers.tiles import _fetch_tile, tile_sql

from .conftest import CITY_HALL, GANGNAM_STATION

pytestmark = pytest.mark.django_db
TOILETS = "dataset-seoul_public_toilets"


def tile_of(lonlat, z):
    fx, fy = lonlat_to_tile_fraction(*lonlat, z)
    return z, int(fx), int(fy)


def clusters(data: bytes) -> list[tuple]:
    layer = mapbox_vector_tile.decode(data).get(TOILETS, {"features": []})
    return sorted((f["properties"]["count"], *f["geometry"]["coordinates"]) for f in layer["features"])


def render(layer, z, x, y, aggregates: bool) -> bytes:
    row = _fetch_tile(*tile_sql(layer, Viewer.anonymous(), z, x, y, aggregates=aggregates), using="default")
    return bytes(row[0]) if row and row[0] else b""


def in_tile(z, x, y) -> int:
    """Toilets in the tile, counted in Python: west <= lon < east, south < lat <= north (as XYZ cells are)."""
    west, south, east, north = tile_bounds(z, x, y)
    rows = DatasetFeature.objects.filter(dataset__slug="seoul_public_toilets",
                                         geom__bboverlaps=Polygon.from_bbox((west, south, east, north)))
    return sum(1 for row in rows.only("geom") if west <= row.geom.x < east and south < row.geom.y <= north)


@pytest.fixture
def toilets(datasets):
    layer = registry.get(TOILETS)
    aggregates_rebuild(layer=layer)
    assert aggregates_ready(layer)
    return layer


@pytest.mark.parametrize("z", [8, 10, 12, 13])
def test_aggregated_clusters_equal_the_clusters_of_the_raw_rows(toilets, z):
    for lonlat in (CITY_HALL, GANGNAM_STATION):
        tile = tile_of(lonlat, z)
        aggregated, raw = clusters(render(toilets, *tile, True)), clusters(render(toilets, *tile, False))
        assert [c[0] for c in aggregated] == [c[0] for c in raw]
        assert sum(c[0] for c in aggregated) == in_tile(*tile) > 50
        # the same cells at the same mean positions (to a tile unit: sums are added in another order)
        assert all(abs(a[1] - r[1]) <= 1 and abs(a[2] - r[2]) <= 1 for a, r in zip(aggregated, raw))


def test_a_low_zoom_tile_reads_the_cells_not_the_rows(client, toilets):
    z, x, y = tile_of(CITY_HALL, 10)
    sql, _ = tile_sql(toilets, Viewer.anonymous(), z, x, y, aggregates=True)
    assert "layers_tilecluster" in sql and "layers_datasetfeature" not in sql
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/tiles/{TOILETS}/{z}/{x}/{y}.mvt").status_code == 200
    tile_queries = [q["sql"] for q in queries.captured_queries if "ST_AsMVT" in q["sql"]]
    assert len(tile_queries) == 1 and "layers_tilecluster" in tile_queries[0]
    # a tile of level z + 5 is at most 32 × 32 cells
    assert TileCluster.objects.filter(layer=TOILETS, level=z + 5, tx=x, ty=y).count() <= 1024


def test_aggregates_are_not_read_for_another_version_of_the_layer(toilets):
    TileAggregateState.objects.filter(layer=TOILETS).update(version="an older load")
    assert not aggregates_ready(toilets)
    z, x, y = tile_of(CITY_HALL, 10)
    assert sum(c[0] for c in clusters(render(toilets, z, x, y, False))) == in_tile(z, x, y)


def test_an_edit_shows_at_z16_and_in_the_aggregated_z10_tile_once_committed(client, toilets,
                                                                            django_capture_on_commit_callbacks):
    z10 = tile_of(CITY_HALL, 10)
    z14_tile = tile_of(CITY_HALL, 14)
    z16 = tile_of(CITY_HALL, 16)
    client.get(f"/tiles/{TOILETS}/{z14_tile[0]}/{z14_tile[1]}/{z14_tile[2]}.mvt")  # cached
    before = sum(c[0] for c in clusters(gzip.decompress(client.get(
        f"/tiles/{TOILETS}/{z10[0]}/{z10[1]}/{z10[2]}.mvt", HTTP_ACCEPT_ENCODING="gzip").content)))
    client.get(f"/tiles/{TOILETS}/{z16[0]}/{z16[1]}/{z16[2]}.mvt")  # cached

    with django_capture_on_commit_callbacks(execute=True):
        feature = DatasetFeature.objects.create(dataset_id=toilets.meta["dataset_id"], name="새 화장실",
                                                geom=Point(*CITY_HALL, srid=4326), properties={})
        tile_cache_invalidate(layer_name=TOILETS, geometries=[feature.geom])

    # bound: none; the aggregates were refreshed in the commit hook, before this request
    after = client.get(f"/tiles/{TOILETS}/{z10[0]}/{z10[1]}/{z10[2]}.mvt")
    assert after["X-Tile-Cache"] == "miss"
    assert sum(c[0] for c in clusters(after.content)) == before + 1 == in_tile(*z10)
    street = mapbox_vector_tile.decode(client.get(f"/tiles/{TOILETS}/{z16[0]}/{z16[1]}/{z16[2]}.mvt").content)
    assert "새 화장실" in {f["properties"].get("name") for f in street[TOILETS]["features"]}
    z14 = client.get(f"/tiles/{TOILETS}/{z14_tile[0]}/{z14_tile[1]}/{z14_tile[2]}.mvt")  # drawn in advance
    assert z14["X-Tile-Cache"] == "miss" and feature.pk in points(z14.content)
    # every level agrees with the rows after the refresh
    for level in range(5, 19):
        assert sum(TileCluster.objects.filter(layer=TOILETS, level=level).values_list("n", flat=True)) == \
            DatasetFeature.objects.filter(dataset__slug="seoul_public_toilets").count()

    with django_capture_on_commit_callbacks(execute=True):
        geom, pk = feature.geom, feature.pk
        feature.delete()
        tile_cache_invalidate(layer_name=TOILETS, geometries=[geom])
    assert sum(c[0] for c in clusters(client.get(f"/tiles/{TOILETS}/{z10[0]}/{z10[1]}/{z10[2]}.mvt").content)) == before
    assert pk not in points(client.get(f"/tiles/{TOILETS}/{z14_tile[0]}/{z14_tile[1]}/{z14_tile[2]}.mvt").content)
    assert points(render(toilets, *z14_tile, True)) == points(render(toilets, *z14_tile, False))


def points(data: bytes, name: str = TOILETS) -> dict:
    layer = mapbox_vector_tile.decode(data).get(name, {"features": []})
    return {f["id"]: (f["properties"], tuple(f["geometry"]["coordinates"])) for f in layer["features"]}


@pytest.mark.parametrize("lonlat", [CITY_HALL, GANGNAM_STATION])
def test_z14_points_drawn_in_advance_are_the_raw_paths_points(toilets, lonlat):
    """The first zoom above the clusters (z14: the most points a tile draws one by one) reads the points drawn in
    advance in that zoom's tile units: the same features, fields and positions as drawing the rows."""
    tile = tile_of(lonlat, 14)
    sql, _ = tile_sql(toilets, Viewer.anonymous(), *tile, aggregates=True)
    assert "layers_tileshape" in sql and "layers_datasetfeature" not in sql and "ST_AsMVTGeom" not in sql
    drawn, raw = points(render(toilets, *tile, True)), points(render(toilets, *tile, False))
    assert drawn == raw and len(raw) > 10


def tile_plan(sql: str, params: list) -> str:
    """EXPLAIN of a tile statement as the tile paths run it, with parallel plans made as tempting as they can be."""
    from layers.tiles import SERIAL_PLAN

    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 4; SET parallel_setup_cost = 0; "
                       "SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0")
        cursor.execute(SERIAL_PLAN + "EXPLAIN " + sql, params)
        while cursor.description is None:
            cursor.nextset()
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET ALL")
    return plan


def test_the_z14_plan_of_drawn_points_uses_the_gist_index_without_parallel_workers(toilets):
    plan = tile_plan(*tile_sql(toilets, Viewer.anonymous(), *tile_of(CITY_HALL, 14), aggregates=True))
    assert "tileshape_zoom_geom" in plan and "Gather" not in plan and "Seq Scan" not in plan


def shapes(data: bytes) -> dict:
    layer = mapbox_vector_tile.decode(data).get("testdongs", {"features": []})
    return {f["id"]: f for f in layer["features"] if "count" not in f["properties"]}


def merged_counts(data: bytes) -> list[int]:
    layer = mapbox_vector_tile.decode(data).get("testdongs", {"features": []})
    return [f["properties"]["count"] for f in layer["features"] if "count" in f["properties"]]


def dong_sizes() -> dict:
    """Each dong's box (width + height, Web Mercator metres) and centre (lon, lat), computed from the rows."""
    from districts.models import Dong

    out = {}
    for dong in Dong.objects.all():
        west, south, east, north = dong.geom.transform(3857, clone=True).extent
        centre = dong.geom.centroid
        out[dong.pk] = (east - west + north - south, (centre.x, centre.y))
    return out


def in_tile_point(lonlat, z, x, y) -> bool:
    west, south, east, north = tile_bounds(z, x, y)
    return west <= lonlat[0] < east and south < lonlat[1] <= north


def assert_rows_agree(layer) -> None:
    """At every zoom: the stored shapes are the dongs large enough to draw there, and the cells count each of the
    others once, in the cell of the zoom's grid that holds its centre (counted here from the rows)."""
    from collections import Counter

    from layers.models import TileShape
    from layers.tiles import SHAPE_ZOOMS, cell_shift, merge_below_m

    sizes = dong_sizes()
    for z in SHAPE_ZOOMS:
        large = {pk for pk, (size, _) in sizes.items() if size >= merge_below_m(z)}
        stored = set(TileShape.objects.filter(layer=layer.name, zoom=z, geom__isnull=False)
                     .values_list("feature_id", flat=True))
        assert stored == large, z
        level = z + cell_shift(z)
        expected = Counter()
        for pk, (size, centre) in sizes.items():
            if pk not in large:
                fx, fy = lonlat_to_tile_fraction(*centre, level)
                expected[(int(fx), int(fy))] += 1
        cells = Counter({(x, y): n for x, y, n in TileCluster.objects.filter(layer=layer.name, level=level)
                         .values_list("x", "y", "n")})
        assert cells == expected, z


@pytest.mark.parametrize("z", [6, 7, 9, 12, 14])
def test_pre_generalised_polygons_are_the_raw_paths_shapes_and_the_too_small_are_counted(dong_shapes, z):
    from layers.tiles import merge_below_m

    tile = tile_of(CITY_HALL, z)
    data = render(dong_shapes, *tile, True)
    generalised, raw = shapes(data), shapes(render(dong_shapes, *tile, False))
    sql, _ = tile_sql(dong_shapes, Viewer.anonymous(), *tile, aggregates=True)
    assert "layers_tileshape" in sql and "districts_dong" not in sql
    sizes = dong_sizes()
    small = {pk for pk, (size, _) in sizes.items() if size < merge_below_m(z)}
    # every dong the raw path draws and that is large enough here is drawn; at z >= 9 exactly those (at lower zooms
    # simplifying in metres rather than degrees may keep a dong whose degree-simplified ring collapses)
    assert set(raw) - small <= set(generalised) and not set(generalised) & small and len(generalised) > 10
    if z >= 9:
        assert set(generalised) == set(raw) - small
    for fid, feature in generalised.items():
        if fid in raw:
            assert feature["properties"] == raw[fid]["properties"]  # the layer's fields, from jsonb
            assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    # the dongs too small to draw at this zoom: counted once each, in the cells of the tile holding their centres
    assert sum(merged_counts(data)) == sum(1 for pk in small if in_tile_point(sizes[pk][1], *tile))
    if z == 7:  # a zoom with both
        assert merged_counts(data) and generalised


@pytest.mark.parametrize("z", [9, 11, 12])
def test_a_stored_shape_moved_to_its_tile_is_what_st_asmvtgeom_draws_there(dong_shapes, z):
    """The light statement only translates a stored shape that lies inside the buffered tile: the result is, vertex
    for vertex, ST_AsMVTGeom's own drawing of the feature in that tile, valid and with the same ring orientation."""
    from layers.tiles import TILE_BUFFER, zoom_tolerance_m

    _, x, y = tile_of(CITY_HALL, z)
    ux, uy = x * 4096, y * 4096
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), max(ST_HausdorffDistance(a, b)), "
            "count(*) FILTER (WHERE ST_IsPolygonCW(a) <> ST_IsPolygonCW(b) OR NOT ST_IsValid(a)) FROM ("
            "SELECT ST_Translate(s.geom, %s, %s) AS a, ST_AsMVTGeom(ST_Simplify(ST_Transform(d.geom, 3857), %s), "
            "ST_TileEnvelope(%s, %s, %s), 4096, %s, true) AS b "
            "FROM layers_tileshape s JOIN districts_dong d ON d.id = s.feature_id "
            "WHERE s.layer = 'testdongs' AND s.zoom = %s AND s.geom @ ST_MakeEnvelope(%s, %s, %s, %s, 0)) AS pairs",
            [-ux, -uy, zoom_tolerance_m(z), z, x, y, TILE_BUFFER, z,
             ux - TILE_BUFFER, uy - TILE_BUFFER, ux + 4096 + TILE_BUFFER, uy + 4096 + TILE_BUFFER])
        compared, distance, different = cursor.fetchone()
    assert compared > 10 and distance == 0 and different == 0


def test_a_changed_polygon_is_generalised_and_counted_again_once_committed(dong_shapes,
                                                                         django_capture_on_commit_callbacks):
    from districts.models import Dong

    assert_rows_agree(dong_shapes)
    z10 = tile_of(CITY_HALL, 10)
    before = render(dong_shapes, *z10, True)
    dong = Dong.objects.get(pk=sorted(shapes(before))[0])
    with django_capture_on_commit_callbacks(execute=True):
        old = dong.geom
        dong.name_en = "Renamed-dong"
        dong.save()
        tile_cache_invalidate(layer_name="testdongs", geometries=[old])
    assert shapes(render(dong_shapes, *z10, True))[dong.pk]["properties"]["name_en"] == "Renamed-dong"

    with django_capture_on_commit_callbacks(execute=True):  # shrunk to 40 m beside City Hall: a count at z10
        old = dong.geom
        tiny = Point(*CITY_HALL, srid=4326).transform(3857, clone=True).buffer(20).transform(4326, clone=True)
        dong.geom = MultiPolygon(tiny, srid=4326) if old.geom_type == "MultiPolygon" else tiny
        dong.save()
        tile_cache_invalidate(layer_name="testdongs", geometries=[old, dong.geom])
    after = render(dong_shapes, *z10, True)
    assert dong.pk not in shapes(after) and sum(merged_counts(after)) == sum(merged_counts(before)) + 1
    assert dong.pk in shapes(render(dong_shapes, *tile_of(CITY_HALL, 14), True))  # large enough at street zoom
    assert_rows_agree(dong_shapes)

    with django_capture_on_commit_callbacks(execute=True):  # moved out to sea: gone from the City Hall tile
        old = dong.geom
        sea = Polygon.from_bbox((125.80, 37.00, 125.81, 37.01))
        sea.srid = 4326
        dong.geom = MultiPolygon(sea, srid=4326) if old.geom_type == "MultiPolygon" else sea
        dong.save()
        tile_cache_invalidate(layer_name="testdongs", geometries=[old, dong.geom])
    gone = render(dong_shapes, *z10, True)
    assert dong.pk not in shapes(gone) and sum(merged_counts(gone)) == sum(merged_counts(before))
    assert set(shapes(gone)) == set(shapes(render(dong_shapes, *z10, False)))
    assert_rows_agree(dong_shapes)


@pytest.mark.parametrize("aggregates", [True, False])
def test_at_city_zoom_a_tile_holds_at_most_8_by_8_larger_clusters(toilets, aggregates):
    """Fewer, larger clusters where all of Seoul is on a phone's screen (their counts fit beside each other and
    the district names); street-level zooms keep the finer 32 × 32 grid."""
    for z in (10, 11):
        tile = tile_of(CITY_HALL, z)
        city = clusters(render(toilets, *tile, aggregates))
        assert 8 <= len(city) <= 64 and sum(c[0] for c in city) == in_tile(*tile)
        cells = {(int(c[1] * 8 / 4096), int(c[2] * 8 / 4096)) for c in city}
        assert len(cells) == len(city)  # one cluster a cell of an eighth of the tile
    finer = clusters(render(toilets, *tile_of(CITY_HALL, 12), aggregates))
    assert len(finer) > 64


def test_an_aggregated_polygon_layers_style_draws_its_counted_cells_as_circles_and_only_shapes_as_fills(dong_shapes):
    from layers.styles import style_layers, tilejson
    from django.test import RequestFactory

    layers = {item["type"]: item for item in style_layers(dong_shapes, "testdongs")}
    assert layers["circle"]["filter"] == ["has", "count"]
    assert layers["fill"]["filter"] == layers["line"]["filter"] == ["!", ["has", "count"]]
    fields = tilejson(RequestFactory().get("/"), dong_shapes)["vector_layers"][0]["fields"]
    assert {"code", "name_en", "count", "point_count"} <= set(fields)
    # a polygon layer without merged cells keeps its plain fill and outline
    plain = style_layers(registry.get("districts"), "districts")
    assert [item["type"] for item in plain] == ["fill", "line"] and all("filter" not in item for item in plain)


@pytest.mark.django_db(transaction=True)  # the fixture's rebuild must have committed (and let go of the lock)
def test_a_dataset_layer_edit_while_its_rows_are_rebuilt_is_counted_by_the_deferred_refresh(
        toilets, settings, django_capture_on_commit_callbacks):
    from django_tasks import task_backends

    from layers.services import layer_version_bump
    from layers.tasks import aggregates_rebuild_task, aggregates_refresh_task
    from tests.reports.test_report_aggregates_background import layer_lock_held_elsewhere

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    queued = task_backends["default"]
    z10 = tile_of(CITY_HALL, 10)
    before = sum(c[0] for c in clusters(render(toilets, *z10, True)))
    other = layer_lock_held_elsewhere(TOILETS)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            DatasetFeature.objects.create(dataset_id=toilets.meta["dataset_id"], name="새 화장실",
                                          geom=Point(*CITY_HALL, srid=4326), properties={})
            tile_cache_invalidate(layer_name=TOILETS, geometries=[Point(*CITY_HALL, srid=4326)])
            layer_version_bump(layer_name=TOILETS)
    finally:
        other.close()
    assert sum(c[0] for c in clusters(render(toilets, *z10, True))) == before
    for task in (aggregates_refresh_task, aggregates_rebuild_task):
        [result] = [r for r in queued.results if r.task.func is task.func]
        result.task.call(*result.args, **result.kwargs)
    assert sum(c[0] for c in clusters(render(toilets, *z10, True))) == before + 1 == in_tile(*z10)
    assert clusters(render(toilets, *z10, True)) == clusters(render(toilets, *z10, False))


def test_building_the_aggregates_changes_the_tile_urls_and_drops_the_tiles_drawn_before(client, datasets):
    """A deploy that changes a layer's zooms runs build_tile_aggregates: no tile drawn before it is served again."""
    import io

    from django.core.management import call_command

    from layers.models import LayerVersion

    z, x, y = tile_of(CITY_HALL, 10)
    url = f"/tiles/{TOILETS}/{z}/{x}/{y}.mvt"
    assert client.get(url)["X-Tile-Cache"] == "miss"
    assert client.get(url)["X-Tile-Cache"] == "hit"
    counter = LayerVersion.objects.filter(name=TOILETS).values_list("counter", flat=True).first() or 0
    call_command("build_tile_aggregates", TOILETS, stdout=io.StringIO())
    assert aggregates_ready(registry.get(TOILETS))
    assert LayerVersion.objects.get(name=TOILETS).counter == counter + 1
    assert client.get(url)["X-Tile-Cache"] == "miss"
