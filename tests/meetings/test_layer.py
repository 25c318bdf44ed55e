"""The `meetings` layer: tiles with upcoming and past places, OGC API Features, the legend."""
import gzip
import math

import mapbox_vector_tile

from .conftest import CITY_HALL, NAMSAN_LIBRARY


def _tile(api, layer, lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    response = api.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt")
    assert response.status_code == 200, response.status_code
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return mapbox_vector_tile.decode(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)


def test_the_city_hall_tile_holds_upcoming_and_past_meetings_with_their_fields(api, meetings):
    features = _tile(api, "meetings", *CITY_HALL, 15)["meetings"]["features"]
    by_id = {f["properties"]["id"]: f["properties"] for f in features}
    assert by_id[meetings["upcoming"].pk]["status"] == "upcoming"
    assert by_id[meetings["parking"].pk]["status"] == "past"
    assert by_id[meetings["parking"].pk]["start"] == "2025-09-02T05:00:00Z"  # 14:00 in Seoul
    assert by_id[meetings["parking"].pk]["committee_name"] == "서울특별시 교통위원회"
    assert meetings["welfare24a"].pk not in by_id  # online meetings have no place
    namsan = _tile(api, "meetings", *NAMSAN_LIBRARY, 15)["meetings"]["features"]
    assert [f["properties"]["title"] for f in namsan] == ["2025년 제1차 복지위원회"]


def test_the_meetings_style_colours_upcoming_and_past_differently(api, meetings):
    style = api.get("/styles/meetings.json").json()
    points = next(layer for layer in style["layers"] if layer["id"].endswith("points") and "meetings" in layer["id"])
    colour = points["paint"]["circle-color"]
    assert colour[0] == "match" and "upcoming" in colour and "past" in colour
    assert colour[colour.index("upcoming") + 1] != colour[colour.index("past") + 1]


def test_meetings_are_an_ogc_collection(api, meetings):
    items = api.get("/ogc/collections/meetings/items", {"f": "json"})
    assert items.status_code == 200, items.content
    titles = {f["properties"]["title"] for f in items.json()["features"]}
    assert "2025년 제3차 교통위원회" in titles and "2024년 제1차 복지위원회" not in titles
