"""Privacy, tested as an attacker: the public sees reports, statuses and official answers, never the reporter,
exact times or internal notes, and sensitive categories only to a 200 m cell, through every door
(list, detail, layer tiles, OGC API Features, exports, Open311)."""
import json
import math

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import Point

from layers.cache import tile_cache
from layers.tilegrid import lonlat_to_tile_fraction
from reports.models import COARSE_GRID_METRES, Report, coarsened_point

pytestmark = pytest.mark.django_db

NOTE = "신고자 연락처 010-9876-5432 (internal note)"


@pytest.fixture
def scene(make_report, make_user, citizen, gangnam_officer, places, client_for, django_capture_on_commit_callbacks):
    """Two reports by a citizen with a recognisable name: a road one and a sensitive dark-alley one, answered."""
    citizen.display_name = "김민지"
    citizen.save()
    tile_cache().drop_layer("reports")
    with django_capture_on_commit_callbacks(execute=True):
        road = make_report(citizen, places["seolleung"])
        dark = make_report(citizen, places["samseong"], category="dark", description="가로등 고장 (sample)")
    officer = client_for(gangnam_officer)
    for report in (road, dark):
        officer.post(f"/api/reports/{report.pk}/status/", {"status": "acknowledged", "message": "확인 / seen"},
                     format="json")
        officer.post(f"/api/reports/{report.pk}/notes/", {"note": NOTE}, format="json")
    return {"road": road, "dark": dark, "reporter": citizen}


def _secrets(scene):
    reporter = scene["reporter"]
    return [reporter.username, reporter.email, "김민지", NOTE, "010-9876-5432", "officer_gangnam"]


def _assert_clean(text: str, scene):
    for secret in _secrets(scene):
        assert secret not in text, secret


def _exact(point: Point) -> str:
    return f"{round(point.x, 6)}"


@pytest.mark.parametrize("who", ["anonymous", "citizen2", "mapo_officer"])
def test_public_list_and_detail_never_show_reporter_notes_times_or_exact_sensitive_location(
        scene, who, api, client_for, citizen2, mapo_officer, places):
    client = {"anonymous": api, "citizen2": client_for(citizen2), "mapo_officer": client_for(mapo_officer)}[who]
    listing = client.get("/api/reports/")
    assert listing.status_code == 200
    assert listing.json()["tilejson"].endswith("/tiles/reports.json")
    text = listing.content.decode()
    _assert_clean(text, scene)
    assert _exact(places["samseong"]) not in text
    for feature in listing.json()["features"]:
        props = feature["properties"]
        assert not {"reporter", "created_at", "updated_at", "contact_preference", "timeline"} & set(props)
        assert len(props["created_on"]) == 10  # the day only
        assert props["mine"] is False
    for report in (scene["road"], scene["dark"]):
        detail = client.get(f"/api/reports/{report.pk}/")
        _assert_clean(detail.content.decode(), scene)
        timeline = detail.json()["properties"]["timeline"]
        assert {e["kind"] for e in timeline} == {"created", "status"}
        assert all("actor" not in e and "created_at" not in e for e in timeline)
        assert "확인 / seen" in [e["message"] for e in timeline]  # official answers are public
    dark = client.get(f"/api/reports/{scene['dark'].pk}/").json()
    assert dark["properties"]["coarsened"] is True
    assert dark["geometry"]["coordinates"] == [round(scene["dark"].public_geom.x, 6),
                                               round(scene["dark"].public_geom.y, 6)]


def test_the_reporter_sees_their_own_report_in_full(scene, client_for, places):
    mine = client_for(scene["reporter"]).get("/api/reports/", {"mine": "true"}).json()["features"]
    assert {f["id"] for f in mine} == {scene["road"].pk, scene["dark"].pk}
    dark = next(f for f in mine if f["id"] == scene["dark"].pk)
    assert dark["geometry"]["coordinates"] == [round(places["samseong"].x, 6), round(places["samseong"].y, 6)]
    assert dark["properties"]["mine"] is True and dark["properties"]["reporter"]["id"] == scene["reporter"].pk
    assert "created_at" in dark["properties"]
    detail = client_for(scene["reporter"]).get(f"/api/reports/{scene['dark'].pk}/").content.decode()
    assert NOTE not in detail  # internal notes are not for the reporter either


def test_sensitive_location_is_the_centre_of_its_200m_national_grid_cell(places):
    exact = places["samseong"]
    coarse = coarsened_point(exact)
    metric_exact = exact.transform(5179, clone=True)
    metric_coarse = coarse.transform(5179, clone=True)
    assert math.floor(metric_exact.x / COARSE_GRID_METRES) == math.floor(metric_coarse.x / COARSE_GRID_METRES)
    assert math.floor(metric_exact.y / COARSE_GRID_METRES) == math.floor(metric_coarse.y / COARSE_GRID_METRES)
    assert abs(metric_coarse.x % COARSE_GRID_METRES - COARSE_GRID_METRES / 2) < 1
    assert 0 < metric_exact.distance(metric_coarse) <= COARSE_GRID_METRES / math.sqrt(2) + 1
    # a neighbour a few metres away lands on the same public point: the exact spot cannot be told apart
    nearby = Point(exact.x + 0.00002, exact.y, srid=4326)
    if math.floor(nearby.transform(5179, clone=True).x / COARSE_GRID_METRES) == math.floor(
            metric_exact.x / COARSE_GRID_METRES):
        assert coarsened_point(nearby).coords == coarse.coords


def test_a_sensitive_line_is_published_as_one_coarse_point(make_report, citizen, places):
    from .conftest import line_between

    alley = make_report(citizen, line_between(places["seolleung"], places["samseong"]), category="dark")
    assert alley.public_geom.geom_type == "Point"
    assert alley.public_geom.coords == coarsened_point(alley.geom).coords


def _tile_for(point: Point, z: int = 16):
    fx, fy = lonlat_to_tile_fraction(point.x, point.y, z)
    return z, int(fx), int(fy)


def _decode(content: bytes) -> list[dict]:
    return mapbox_vector_tile.decode(content)["reports"]["features"]


def test_layer_tiles_carry_public_fields_only_and_the_coarse_location(scene, api, places):
    z, x, y = _tile_for(places["seolleung"])
    response = api.get(f"/tiles/reports/{z}/{x}/{y}.mvt")
    assert response.status_code == 200
    features = _decode(response.content)
    road = next(f for f in features if f["id"] == scene["road"].pk)
    assert road["properties"]["status"] == "acknowledged"
    assert road["properties"]["category_code"] == "road_damage"
    assert road["properties"]["districts_ko"] == "강남구"
    assert set(road["properties"]) <= {"category_code", "category_name_ko", "category_name_en", "status",
                                       "created_on", "districts_ko", "districts_en", "coarsened"}
    _assert_clean(response.content.decode("latin-1"), scene)
    # the sensitive report is in the tile of its coarse point, not necessarily of its exact one
    dz, dx, dy = _tile_for(scene["dark"].public_geom)
    dark_tile = _decode(api.get(f"/tiles/reports/{dz}/{dx}/{dy}.mvt").content)
    assert scene["dark"].pk in [f["id"] for f in dark_tile]


def test_a_status_change_redraws_the_cached_tile(scene, api, client_for, gangnam_officer, places, tile_clock,
                                                 django_capture_on_commit_callbacks):
    z, x, y = _tile_for(places["seolleung"])
    url = f"/tiles/reports/{z}/{x}/{y}.mvt"
    # The tile cache's clock is past the scene's own invalidations (a render begun within the slack after
    # one is deliberately not stored): the first render is stored, the second request is a hit.
    assert {f["properties"]["status"] for f in _decode(api.get(url).content)} >= {"acknowledged"}
    assert api.get(url)["X-Tile-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        client_for(gangnam_officer).post(f"/api/reports/{scene['road'].pk}/status/",
                                         {"status": "in_progress", "message": "보수 중 / repairing"}, format="json")
    road = next(f for f in _decode(api.get(url).content) if f["id"] == scene["road"].pk)
    assert road["properties"]["status"] == "in_progress"


def test_hidden_reports_leave_every_public_door(scene, api, client_for, citizen2, places,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Report.objects.filter(pk=scene["road"].pk).update(is_hidden=True)
        from layers.services import tile_cache_invalidate

        tile_cache_invalidate(layer_name="reports", geometries=[scene["road"].public_geom])
    assert scene["road"].pk not in [f["id"] for f in api.get("/api/reports/").json()["features"]]
    assert api.get(f"/api/reports/{scene['road'].pk}/").status_code == 404
    z, x, y = _tile_for(places["seolleung"])
    tile = api.get(f"/tiles/reports/{z}/{x}/{y}.mvt")
    assert tile.status_code == 204 or scene["road"].pk not in [f["id"] for f in _decode(tile.content)]
    items = api.get("/ogc/collections/reports/items", {"limit": 100}).json()
    assert scene["road"].pk not in [f["id"] for f in items["features"]]


def test_ogc_items_and_exports_show_public_fields_only(scene, api, client_for, citizen2):
    response = api.get("/ogc/collections/reports/items", {"limit": 100})
    assert response.status_code == 200
    _assert_clean(response.content.decode(), scene)
    by_id = {f["id"]: f for f in response.json()["features"]}
    dark = by_id[scene["dark"].pk]
    assert dark["geometry"]["coordinates"] == [round(scene["dark"].public_geom.x, 6),
                                               round(scene["dark"].public_geom.y, 6)]
    assert "description" not in dark["properties"] and "reporter" not in json.dumps(dark)
    exported = client_for(citizen2).get("/api/layers/reports/export.geojson")
    assert exported.status_code == 200
    body = b"".join(exported.streaming_content).decode()
    _assert_clean(body, scene)
    assert len(json.loads(body)["features"]) == 2


def test_ogc_datetime_filter_works_on_the_day(scene, api):
    day = scene["road"].created_on.isoformat()
    assert len(api.get("/ogc/collections/reports/items", {"datetime": f"{day}/{day}"}).json()["features"]) == 2
    assert api.get("/ogc/collections/reports/items", {"datetime": "2020-01-01/2020-01-02"}).json()["features"] == []


def test_reports_layer_style_colours_features_by_status(api):
    style = api.get("/styles/reports.json").json()
    colours = [layer["paint"].get("circle-color") for layer in style["layers"] if layer["id"] == "reports-points"]
    assert colours and colours[0][0] == "match" and colours[0][1] == ["to-string", ["get", "status"]]
    assert "resolved" in colours[0] and "#3b9c5a" in colours[0]
    legend = style["metadata"]["geoplatform:legend"]["reports"]
    assert {item["value"] for item in legend} >= {"submitted", "acknowledged", "in_progress", "resolved"}
    tilejson = api.get("/tiles/reports.json").json()
    assert set(tilejson["vector_layers"][0]["fields"]) >= {"status", "category_code", "created_on"}
    assert "reporter" not in tilejson["vector_layers"][0]["fields"]
