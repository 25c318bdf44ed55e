"""Vector tiles: decoded and checked feature by feature, with HTTP behaviour and permissions."""
import gzip
import subprocess

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import Point, Polygon
from django.db import connection

from layers.models import DatasetFeature
from layers.registry import Layer, Viewer, registry
from layers.tiles import SERIAL_PLAN, TILE_FEATURE_CAP, render_vector_tile, tile_sql
from layers.services import tile_cache_invalidate
from layers.tilegrid import lonlat_to_tile_fraction, tile_bounds

from .conftest import CITY_HALL, GANGNAM_STATION

pytestmark = pytest.mark.django_db
TOILETS = "dataset-seoul_public_toilets"


def tile_of(lonlat, z):
    fx, fy = lonlat_to_tile_fraction(*lonlat, z)
    return z, int(fx), int(fy)


def tile_coords(lonlat, z, x, y):
    """Where a lon/lat falls in tile (z, x, y), in 4096 units, y down."""
    fx, fy = lonlat_to_tile_fraction(*lonlat, z)
    return (fx - x) * 4096, (fy - y) * 4096


def decode(response):
    data = response.content
    if response.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})


def url(layer, z, x, y, ext="mvt"):
    return f"/tiles/{layer}/{z}/{x}/{y}.{ext}"


def test_city_hall_tile_holds_jung_gu_with_its_fields_and_gzip_headers(client, seoul):
    z, x, y = tile_of(CITY_HALL, 14)
    response = client.get(url("districts", z, x, y), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert response["Content-Encoding"] == "gzip"
    assert response["ETag"].startswith('"')
    assert "max-age" in response["Cache-Control"] and response["Cache-Control"].startswith("public")
    features = decode(response)["districts"]["features"]
    by_name = {f["properties"]["name_en"]: f for f in features}
    assert "Jung-gu" in by_name and "Jongno-gu" in by_name
    jung = by_name["Jung-gu"]
    assert jung["properties"]["code"] == "11140" and jung["properties"]["name_ko"] == "중구"
    assert jung["properties"]["population"] == seoul["11140"].population
    assert jung["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert jung["id"] == seoul["11140"].pk
    # Every vertex lies inside the tile plus its 64-unit buffer.
    rings = jung["geometry"]["coordinates"]
    flat = [pt for poly in (rings if jung["geometry"]["type"] == "MultiPolygon" else [rings])
            for ring in poly for pt in ring]
    assert all(-64 <= px <= 4160 and -64 <= py <= 4160 for px, py in flat)
    # City Hall itself is inside Jung-gu's polygon in tile coordinates.
    from shapely.geometry import Point as SPoint, shape
    assert shape(jung["geometry"]).buffer(2).contains(SPoint(tile_coords(CITY_HALL, z, x, y)))


def test_a_real_toilet_is_drawn_where_it_stands(client, datasets):
    plaza = DatasetFeature.objects.get(dataset__slug="seoul_public_toilets", name="(임시화장실)서울광장")
    lonlat = plaza.geom.coords
    z, x, y = tile_of(lonlat, 16)
    features = decode(client.get(url(TOILETS, z, x, y)))[TOILETS]["features"]
    found = [f for f in features if f["id"] == plaza.pk]
    assert len(found) == 1
    props = found[0]["properties"]
    assert props["name"] == "(임시화장실)서울광장" and props["district"] == "중구"
    px, py = found[0]["geometry"]["coordinates"]
    ex, ey = tile_coords(lonlat, z, x, y)
    assert abs(px - ex) <= 1 and abs(py - ey) <= 1


def test_low_zoom_points_are_grid_clusters_whose_counts_add_up(client, datasets):
    z, x, y = tile_of(CITY_HALL, 11)
    features = decode(client.get(url(TOILETS, z, x, y)))[TOILETS]["features"]
    west, south, east, north = tile_bounds(z, x, y)
    in_tile = DatasetFeature.objects.filter(dataset__slug="seoul_public_toilets",
                                            geom__bboverlaps=Polygon.from_bbox((west, south, east, north))).count()
    assert in_tile > 500
    assert sum(f["properties"]["count"] for f in features) == in_tile
    assert len(features) < in_tile  # aggregated, not one point each
    assert all(set(f["properties"]) == {"count", "point_count"} for f in features)
    assert all(0 <= c <= 4096 for f in features for c in f["geometry"]["coordinates"])


def _vertex_count(coordinates) -> int:
    if coordinates and isinstance(coordinates[0], (int, float)):
        return 1
    return sum(_vertex_count(c) for c in coordinates)


def test_polygons_are_simplified_at_low_zoom_but_not_at_street_level(seoul):
    viewer = Viewer.anonymous()
    layer = registry.get("districts")
    z, x, y = tile_of(CITY_HALL, 9)
    low = mapbox_vector_tile.decode(render_vector_tile(layer, viewer, z, x, y))["districts"]["features"]
    assert {f["properties"]["code"] for f in low} == set(seoul)  # all 25 districts in one z9 tile
    raw = sum(d.geom.num_coords for d in seoul.values())
    assert sum(_vertex_count(f["geometry"]["coordinates"]) for f in low) < raw / 2
    jung_low = next(f for f in low if f["properties"]["code"] == "11140")
    assert _vertex_count(jung_low["geometry"]["coordinates"]) < seoul["11140"].geom.num_coords
    # street level keeps every vertex: no simplification in the statement
    assert "ST_Simplify" in tile_sql(layer, viewer, *tile_of(CITY_HALL, 9))[0]
    assert "ST_Simplify" not in tile_sql(layer, viewer, *tile_of(CITY_HALL, 16))[0]


def test_empty_tile_is_204_and_bad_coordinates_are_400_with_a_message(client, seoul):
    assert client.get(url("districts", 14, 0, 0)).status_code == 204  # the Pacific, far from Seoul
    for bad in [(23, 0, 0), (3, 8, 0), (3, 0, 8), (2, -1, 0)]:
        response = client.get(url("districts", *bad), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert "zoom" in response.json()["detail"] and "줌" not in response.json()["detail"]
        korean = client.get(url("districts", *bad), HTTP_ACCEPT_LANGUAGE="ko")
        assert "줌" in korean.json()["detail"] and "zoom" not in korean.json()["detail"]


def test_unknown_layer_is_404_and_names_never_reach_sql(client, seoul):
    assert client.get(url("nosuchlayer", 1, 1, 1)).status_code == 404
    assert client.get("/tiles/districts';drop table x;--/1/1/1.mvt").status_code == 404
    assert client.get(url("dataset-not_a_dataset", 1, 1, 1)).status_code == 404


def test_if_none_match_gives_304_and_plain_clients_get_uncompressed_tiles(client, seoul):
    z, x, y = tile_of(CITY_HALL, 13)
    first = client.get(url("dongs", z, x, y), HTTP_ACCEPT_ENCODING="gzip")
    again = client.get(url("dongs", z, x, y), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    assert again["X-Tile-Cache"] == "hit"
    plain = client.get(url("dongs", z, x, y))
    assert "Content-Encoding" not in plain
    assert mapbox_vector_tile.decode(plain.content)["dongs"]["features"]


def test_private_layer_tile_is_refused_to_everyone_but_its_owner(client, client_for, private_layer, citizen,
                                                                  citizen2, staff):
    z, x, y = tile_of(CITY_HALL, 15)
    owner = client_for(citizen)
    mine = owner.get(url("testprivate", z, x, y))
    assert mine.status_code == 200 and mine["Cache-Control"].startswith("private")
    assert {f["properties"]["name"] for f in decode(mine)["testprivate"]["features"]} == {"Seoul City Hall"}
    # the tile is now cached: others still get 404, signed in or not, with a session or a token
    assert client.get(url("testprivate", z, x, y)).status_code == 404
    assert client_for(citizen2).get(url("testprivate", z, x, y)).status_code == 404
    client.force_login(staff)
    assert client.get(url("testprivate", z, x, y)).status_code == 404
    assert client.get("/tiles/testprivate.json").status_code == 404


def test_viewer_dependent_tiles_are_cached_per_viewer(client_for, per_user_layer, spots, citizen, citizen2):
    DatasetFeature.objects.filter(dataset=spots, name="Seoul City Hall").update(properties={"owner": citizen.pk})
    z, x, y = tile_of(CITY_HALL, 15)
    first = client_for(citizen).get(url("testmine", z, x, y))
    assert first.status_code == 200 and first["X-Tile-Cache"] == "miss"
    assert first["Vary"].startswith("Cookie, Authorization")
    other = client_for(citizen2).get(url("testmine", z, x, y))
    assert other.status_code == 204  # not citizen's cached tile
    assert client_for(citizen).get(url("testmine", z, x, y))["X-Tile-Cache"] == "hit"


def test_an_edit_shows_in_the_next_tile_fetch_and_only_touched_tiles_are_dropped(
        client, datasets, django_capture_on_commit_callbacks):
    z, x, y = tile_of(CITY_HALL, 16)
    far = tile_of(GANGNAM_STATION, 16)
    before = client.get(url(TOILETS, z, x, y))
    assert client.get(url(TOILETS, *far)).status_code == 200  # toilets round Gangnam station too
    assert client.get(url(TOILETS, z, x, y))["X-Tile-Cache"] == "hit"
    names = {f["properties"].get("name") for f in decode(before)[TOILETS]["features"]}
    assert "새 화장실" not in names

    with django_capture_on_commit_callbacks(execute=True):
        feature = DatasetFeature.objects.create(dataset=datasets["seoul_public_toilets"], name="새 화장실",
                                                geom=Point(*CITY_HALL, srid=4326), properties={})
        tile_cache_invalidate(layer_name=TOILETS, geometries=[feature.geom])

    after = client.get(url(TOILETS, z, x, y))
    assert after["X-Tile-Cache"] == "miss" and after["ETag"] != before["ETag"]
    new = [f for f in decode(after)[TOILETS]["features"] if f["properties"].get("name") == "새 화장실"]
    assert len(new) == 1 and new[0]["id"] == feature.pk
    assert client.get(url(TOILETS, *far))["X-Tile-Cache"] == "hit"
    # the change reaches every zoom: the z11 cluster holding City Hall counts one more
    assert client.get(url(TOILETS, *tile_of(CITY_HALL, 11)))["X-Tile-Cache"] == "miss"


def test_feature_cap_limits_a_tile(register_layer, datasets):
    layer = register_layer(Layer(
        name="testcapped", title_ko="상한", title_en="Capped", geometry_type="point", fields=("name",),
        cluster_maxzoom=-1, tile_feature_cap=50,
        queryset_factory=lambda viewer: DatasetFeature.objects.filter(dataset=datasets["seoul_public_toilets"])))
    z, x, y = tile_of(CITY_HALL, 12)
    features = mapbox_vector_tile.decode(render_vector_tile(layer, Viewer.anonymous(), z, x, y))["testcapped"]
    assert len(features["features"]) == 50
    assert TILE_FEATURE_CAP >= 10_000


def test_z14_tile_plan_uses_the_gist_index_without_parallel_workers(datasets):
    layer = registry.get(TOILETS)
    sql, params = tile_sql(layer, Viewer.anonymous(), *tile_of(CITY_HALL, 14))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE layers_datasetfeature")
        cursor.execute("SET max_parallel_workers_per_gather = 4; SET parallel_setup_cost = 0; "
                       "SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0")
        cursor.execute(SERIAL_PLAN + "EXPLAIN " + sql, params)
        while cursor.description is None:  # psycopg 3 gives the SET's result first
            cursor.nextset()
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET ALL")
    assert "datasetfeature_geom_gist" in plan
    assert "Gather" not in plan
    assert 'ST_TileEnvelope' in sql and '"layers_datasetfeature"."geom" &&' in sql


def test_gdal_mvt_driver_reads_a_tile(client, seoul, tmp_path):
    z, x, y = tile_of(CITY_HALL, 12)
    path = tmp_path / str(z) / str(x)
    path.mkdir(parents=True)
    (path / f"{y}.pbf").write_bytes(client.get(url("districts", z, x, y)).content)
    out = subprocess.run(["ogrinfo", "-ro", "-al", "-so", f"MVT:{path / f'{y}.pbf'}"], capture_output=True,
                         text=True, check=True).stdout
    expected = len(mapbox_vector_tile.decode(gzip.decompress(client.get(
        url("districts", z, x, y), HTTP_ACCEPT_ENCODING="gzip").content))["districts"]["features"])
    assert "Layer name: districts" in out
    assert f"Feature Count: {expected}" in out
    assert expected >= 5


def test_compiled_statements_are_reused_only_for_layers_that_allow_it(seoul, private_layer, citizen):
    from layers import tiles

    viewer = Viewer.anonymous()
    districts = registry.get("districts")
    first = tiles._statement(districts, viewer, 14, TILE_FEATURE_CAP)
    assert tiles._statement(districts, viewer, 14, TILE_FEATURE_CAP) is first  # one compile per zoom class
    sql_a, params_a = tile_sql(districts, viewer, *tile_of(CITY_HALL, 14))
    sql_b, params_b = tile_sql(districts, viewer, *tile_of(GANGNAM_STATION, 14))
    assert sql_a == sql_b and params_a != params_b  # the tile enters as parameters
    owner = Viewer(user=citizen)
    assert tiles._statement(private_layer, owner, 14, TILE_FEATURE_CAP) is not \
        tiles._statement(private_layer, owner, 14, TILE_FEATURE_CAP)  # viewer-dependent: compiled each time


def test_raster_layer_serves_png_tiles_and_is_not_a_vector_layer(client, register_layer):
    import io

    from PIL import Image

    calls = []

    def raster_tile(z, x, y):
        calls.append((z, x, y))
        cz, cx, cy = tile_of(CITY_HALL, z)
        if (x, y) != (cx, cy):
            return None
        out = io.BytesIO()
        Image.new("RGBA", (256, 256), (228, 87, 46, 128)).save(out, format="PNG")
        return out.getvalue()

    register_layer(Layer(name="testheat", title_ko="밀도", title_en="Density", geometry_type="polygon",
                         kind="raster", raster_tile=raster_tile))
    z, x, y = tile_of(CITY_HALL, 13)
    response = client.get(url("testheat", z, x, y, "png"))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (256, 256)
    assert client.get(url("testheat", z, x, y, "png"))["X-Tile-Cache"] == "hit" and len(calls) == 1
    assert client.get(url("testheat", z, x + 3, y, "png")).status_code == 204
    assert client.get(url("testheat", z, x, y, "mvt")).status_code == 404
    doc = client.get("/tiles/testheat.json").json()
    assert "/tiles/testheat/{z}/{x}/{y}.png?v=" in doc["tiles"][0] and "vector_layers" not in doc


def test_an_oversized_tile_is_rendered_again_with_fewer_features(datasets, monkeypatch):
    from layers import tiles

    layer = registry.get(TOILETS)
    z, x, y = tile_of(CITY_HALL, 14)
    full = render_vector_tile(layer, Viewer.anonymous(), z, x, y)
    monkeypatch.setattr(tiles, "TILE_MAX_BYTES", len(full) // 3)
    smaller = render_vector_tile(layer, Viewer.anonymous(), z, x, y)
    assert 0 < len(smaller) <= len(full) // 3
    kept = mapbox_vector_tile.decode(smaller)[TOILETS]["features"]
    assert 0 < len(kept) < len(mapbox_vector_tile.decode(full)[TOILETS]["features"])


@pytest.mark.django_db(transaction=True)
def test_a_tile_runs_one_query_and_survives_a_dropped_connection(live_seoul):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    layer = registry.get("districts")
    z, x, y = tile_of(CITY_HALL, 14)
    expected = render_vector_tile(layer, Viewer.anonymous(), z, x, y)
    connection.health_check_done = False  # as at the start of a request
    with CaptureQueriesContext(connection) as queries:
        assert render_vector_tile(layer, Viewer.anonymous(), z, x, y) == expected
    assert len(queries) == 1 and "ST_AsMVT" in queries[0]["sql"]  # no health-check SELECT 1
    pid = connection.connection.info.backend_pid
    import psycopg2

    settings_dict = connection.settings_dict
    killer = psycopg2.connect(dbname=settings_dict["NAME"], user=settings_dict["USER"],
                              password=settings_dict["PASSWORD"], host=settings_dict["HOST"],
                              port=settings_dict["PORT"])
    killer.autocommit = True
    killer.cursor().execute("SELECT pg_terminate_backend(%s)", [pid])
    killer.close()
    assert render_vector_tile(layer, Viewer.anonymous(), z, x, y) == expected
    assert connection.connection.info.backend_pid != pid
