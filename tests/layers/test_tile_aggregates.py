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
    z16 = tile_of(CITY_HALL, 16)
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
    # every level agrees with the rows after the refresh
    for level in range(5, 19):
        assert sum(TileCluster.objects.filter(layer=TOILETS, level=level).values_list("n", flat=True)) == \
            DatasetFeature.objects.filter(dataset__slug="seoul_public_toilets").count()

    with django_capture_on_commit_callbacks(execute=True):
        geom = feature.geom
        feature.delete()
        tile_cache_invalidate(layer_name=TOILETS, geometries=[geom])
    assert sum(c[0] for c in clusters(client.get(f"/tiles/{TOILETS}/{z10[0]}/{z10[1]}/{z10[2]}.mvt").content)) == before


def shapes(data: bytes) -> dict:
    layer = mapbox_vector_tile.decode(data).get("testdongs", {"features": []})
    return {f["id"]: f for f in layer["features"]}


@pytest.mark.parametrize("z", [9, 11, 12, 14])
def test_pre_generalised_polygons_are_the_shapes_of_the_raw_path(dong_shapes, z):
    tile = tile_of(CITY_HALL, z)
    generalised, raw = shapes(render(dong_shapes, *tile, True)), shapes(render(dong_shapes, *tile, False))
    sql, _ = tile_sql(dong_shapes, Viewer.anonymous(), *tile, aggregates=True)
    assert "layers_tileshape" in sql and "districts_dong" not in sql
    assert len(raw) > 10 and set(generalised) == set(raw)
    for fid, feature in raw.items():
        assert generalised[fid]["properties"] == feature["properties"]  # the layer's fields, from jsonb
        assert generalised[fid]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_a_changed_polygon_is_generalised_again_once_committed(dong_shapes, django_capture_on_commit_callbacks):
    from districts.models import Dong

    z10 = tile_of(CITY_HALL, 10)
    dong = Dong.objects.get(pk=sorted(shapes(render(dong_shapes, *z10, True)))[0])
    with django_capture_on_commit_callbacks(execute=True):
        old = dong.geom
        dong.name_en = "Renamed-dong"
        dong.save()
        tile_cache_invalidate(layer_name="testdongs", geometries=[old])
    assert shapes(render(dong_shapes, *z10, True))[dong.pk]["properties"]["name_en"] == "Renamed-dong"
    with django_capture_on_commit_callbacks(execute=True):  # moved out to sea: gone from the City Hall tile
        old = dong.geom
        sea = Polygon.from_bbox((125.80, 37.00, 125.81, 37.01))
        sea.srid = 4326
        dong.geom = MultiPolygon(sea, srid=4326) if old.geom_type == "MultiPolygon" else sea
        dong.save()
        tile_cache_invalidate(layer_name="testdongs", geometries=[old, dong.geom])
    assert dong.pk not in shapes(render(dong_shapes, *z10, True))
    assert set(shapes(render(dong_shapes, *z10, True))) == set(shapes(render(dong_shapes, *z10, False)))


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
