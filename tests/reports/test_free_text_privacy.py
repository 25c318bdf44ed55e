"""Finding 7 of #16: free text defeated the coarsening of sensitive reports, and the public `districts`
told on which side of a boundary a coarsened report lies. Tested through every public door."""
import json
import xml.etree.ElementTree as ET

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import Point

from districts.selectors import districts_for_geometry
from layers.cache import tile_cache
from layers.tilegrid import lonlat_to_tile_fraction
from reports.models import coarsened_point

from .conftest import GANGNAM, SEOCHO, gangnam_seocho_border

pytestmark = pytest.mark.django_db

SECRET = "alley near my home door 3 (우리 집 대문 3번)"


def _doors(api, client_for, citizen2, report_id: int) -> dict[str, str]:
    """Every public path a report's text can leave by, as the public (and an unrelated citizen) sees it."""
    tile_cache().drop_layer("reports")
    out = {
        "detail": api.get(f"/api/reports/{report_id}/").content.decode(),
        "detail_as_other_citizen": client_for(citizen2).get(f"/api/reports/{report_id}/").content.decode(),
        "list": api.get("/api/reports/").content.decode(),
        "open311_json": api.get(f"/open311/v2/requests/{report_id}.json").content.decode(),
        "open311_xml": api.get(f"/open311/v2/requests/{report_id}.xml").content.decode(),
        "open311_list": api.get("/open311/v2/requests.xml").content.decode(),
        "ogc": api.get("/ogc/collections/reports/items", {"limit": 100}).content.decode(),
        "page": api.get(f"/reports/{report_id}/").content.decode(),
    }
    export = client_for(citizen2).get("/api/layers/reports/export.geojson")
    out["export"] = b"".join(export.streaming_content).decode()
    return out


def test_a_sensitive_reports_description_is_public_through_no_door(make_report, citizen, citizen2, places, api,
                                                                  client_for, gangnam_officer):
    """The attack as reported: a dark_alley report's description read through the public API."""
    dark = make_report(citizen, places["samseong"], category="dark", description=SECRET, description_public=True)
    for door, text in _doors(api, client_for, citizen2, dark.pk).items():
        assert "alley near my home" not in text and "우리 집" not in text, door
    # …while the reporter and the report's district officer still read it.
    for user in (citizen, gangnam_officer):
        assert client_for(user).get(f"/api/reports/{dark.pk}/").json()["properties"]["description"] == SECRET


def test_a_description_is_private_by_default_and_public_only_by_the_reporters_choice(make_report, citizen, citizen2,
                                                                                     places, api, client_for):
    private = make_report(citizen, places["seolleung"], description="보도블록 파손, 우리 가게 앞 (sample)")
    public = make_report(citizen, places["mangwon"], description="망원역 2번 출구 보도 파손 (sample)",
                         description_public=True)
    assert "description" not in api.get(f"/api/reports/{private.pk}/").json()["properties"]
    assert api.get(f"/open311/v2/requests/{private.pk}.json").json()[0]["description"] == ""
    assert api.get(f"/api/reports/{public.pk}/").json()["properties"]["description"] == public.description
    assert api.get(f"/open311/v2/requests/{public.pk}.json").json()[0]["description"] == public.description


def test_the_report_form_sends_the_reporters_choice(client_for, citizen, categories, places, api):
    body = {"type": "Feature", "geometry": json.loads(places["seolleung"].geojson),
            "properties": {"category": "road_damage", "description": "공개해도 되는 설명", "description_public": True}}
    created = client_for(citizen).post("/api/reports/", body, format="json").json()
    assert api.get(f"/api/reports/{created['id']}/").json()["properties"]["description"] == "공개해도 되는 설명"
    body["properties"].update(category="dark_alley", description="민감한 설명")
    dark = client_for(citizen).post("/api/reports/", body, format="json").json()
    assert "description" not in api.get(f"/api/reports/{dark['id']}/").json()["properties"]


def _two_sides_of_one_cell() -> tuple[Point, Point]:
    """Two points in one 200 m cell, one in Gangnam-gu and one in Seocho-gu (the real border between them)."""
    border = gangnam_seocho_border()
    for i in range(1, 80):
        on, ahead = border.interpolate_normalized(i / 80), border.interpolate_normalized(min(1, i / 80 + 0.005))
        tx, ty = ahead.x - on.x, ahead.y - on.y
        norm = (tx * tx + ty * ty) ** 0.5 or 1
        for step in (0.0001, 0.0002, 0.0004):
            nx, ny = -ty / norm * step, tx / norm * step  # across the border
            a, b = Point(on.x + nx, on.y + ny, srid=4326), Point(on.x - nx, on.y - ny, srid=4326)
            codes = sorted(d.code for p in (a, b) for d in districts_for_geometry(p))
            if codes == sorted([GANGNAM, SEOCHO]) and coarsened_point(a).equals(coarsened_point(b)):
                return a, b
    raise AssertionError("no pair of points found across the border within one cell")


def test_the_public_districts_of_coarsened_reports_never_tell_the_side_of_a_boundary(
        make_report, citizen, citizen2, seoul, api, client_for):
    a, b = _two_sides_of_one_cell()
    reports = [make_report(citizen, p, category="dark", description="x") for p in (a, b)]
    assert {r.districts.get().code for r in reports} == {GANGNAM, SEOCHO}  # routed to each side's office

    def public_view(report) -> dict:
        detail = api.get(f"/api/reports/{report.pk}/").json()
        listed = next(f for f in api.get("/api/reports/").json()["features"] if f["id"] == report.pk)
        open311 = api.get(f"/open311/v2/requests/{report.pk}.json").json()[0]
        ogc = next(f for f in api.get("/ogc/collections/reports/items", {"limit": 100}).json()["features"]
                   if f["id"] == report.pk)
        timeline = [(e["district"], e["to_district"], e["message"]) for e in detail["properties"]["timeline"]]
        return {"geometry": detail["geometry"], "districts": detail["properties"]["districts"],
                "listed": listed["properties"]["districts"], "timeline": timeline,
                "open311": (open311["address"], open311["agency_responsible"], open311["lat"], open311["long"]),
                "ogc": (ogc["properties"]["districts_ko"], ogc["properties"]["districts_en"])}

    first, second = (public_view(r) for r in reports)
    assert first == second
    assert len(first["districts"]) == 1 and first["districts"][0]["code"] in (GANGNAM, SEOCHO)
    tile_cache().drop_layer("reports")
    fx, fy = lonlat_to_tile_fraction(a.x, a.y, 16)
    tile = api.get(f"/tiles/reports/16/{int(fx)}/{int(fy)}.mvt")
    props = [f["properties"] for f in mapbox_vector_tile.decode(tile.content)["reports"]["features"]
             if f["id"] in {r.pk for r in reports}]
    assert len(props) == 2 and props[0]["districts_ko"] == props[1]["districts_ko"]


def test_control_characters_never_make_open311_xml_malformed(client_for, citizen, categories, places, api):
    """Finding 8 of #16: one \\u0001 in a description made requests.xml unreadable for every client."""
    body = {"type": "Feature", "geometry": json.loads(places["seolleung"].geojson),
            "properties": {"category": "road_damage", "description": "보도\u0001 파손\u000b 주의\u001f!",
                           "description_public": True}}
    created = client_for(citizen).post("/api/reports/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["properties"]["description"] == "보도 파손 주의!"
    for path in ("/open311/v2/requests.xml", f"/open311/v2/requests/{created.json()['id']}.xml"):
        root = ET.fromstring(api.get(path).content)  # raises on malformed XML
        assert root.find("request/description").text == "보도 파손 주의!"


def test_open311_xml_stays_well_formed_with_text_stored_before_the_input_check(make_report, citizen, places, api):
    from reports.models import Report

    report = make_report(citizen, places["seolleung"], description="old", description_public=True)
    Report.objects.filter(pk=report.pk).update(description="legacy\u0001text\ufffe")
    root = ET.fromstring(api.get("/open311/v2/requests.xml").content)
    assert root.find("request/description").text == "legacytext"
