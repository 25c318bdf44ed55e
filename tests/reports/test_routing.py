"""Routing by geometry (ST_Intersects against the real gu polygons)."""
import json

import pytest
from django.contrib.gis.geos import LineString, Point

from reports.models import Report

from .conftest import GANGNAM, GWANGJIN, MAPO, SEOCHO, SONGPA, line_between

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_clients")]  # reads English messages


def feature(geom, category="road_damage", description="보도블록 파손 (sample)"):
    return {"type": "Feature", "geometry": json.loads(geom.geojson),
            "properties": {"category": category, "description": description}}


def codes(body):
    return {d["code"] for d in body["properties"]["districts"]}


def test_point_in_gangnam_lands_in_gangnam_queue_only(client_for, citizen, gangnam_officer, make_user, places,
                                                      categories):
    seocho_officer = make_user("officer_seocho", role="district_officer", districts=[SEOCHO])
    created = client_for(citizen).post("/api/reports/", feature(places["seolleung"]), format="json")
    assert created.status_code == 201, created.content
    assert codes(created.json()) == {GANGNAM}
    report_id = created.json()["id"]
    gangnam_queue = client_for(gangnam_officer).get("/api/reports/", {"queue": "mine"}).json()
    assert [f["id"] for f in gangnam_queue["features"]] == [report_id]
    seocho_queue = client_for(seocho_officer).get("/api/reports/", {"queue": "mine"}).json()
    assert seocho_queue["features"] == []


def test_line_along_the_gangnam_seocho_border_lands_in_both_queues(client_for, citizen, gangnam_officer, make_user,
                                                                   places, categories):
    seocho_officer = make_user("officer_seocho", role="district_officer", districts=[SEOCHO])
    created = client_for(citizen).post("/api/reports/", feature(places["gangnam_seocho_border"]), format="json")
    assert created.status_code == 201, created.content
    assert codes(created.json()) == {GANGNAM, SEOCHO}
    for officer in (gangnam_officer, seocho_officer):
        queue = client_for(officer).get("/api/reports/", {"queue": "mine"}).json()
        assert [f["id"] for f in queue["features"]] == [created.json()["id"]]


def test_line_over_the_han_river_goes_to_both_banks_and_a_river_point_to_the_gu_holding_it(
        client_for, citizen, places, categories, seoul):
    """Line 2 crosses the Han between 강변 (Gwangjin) and 잠실나루 (Songpa) on the Jamsil railway bridge.

    The gu polygons cover the river and meet in its middle, so a point on the water goes to the gu whose
    polygon holds it (here the midpoint of the crossing), and the crossing line goes to both banks.
    """
    crossing = line_between(places["gangbyeon"], places["jamsillaru"])
    line_report = client_for(citizen).post("/api/reports/", feature(crossing), format="json").json()
    assert codes(line_report) == {GWANGJIN, SONGPA}
    midpoint = Point((places["gangbyeon"].x + places["jamsillaru"].x) / 2,
                     (places["gangbyeon"].y + places["jamsillaru"].y) / 2, srid=4326)
    expected = {code for code, d in seoul.items() if d.geom.intersects(midpoint)}
    assert len(expected) == 1 and expected <= {GWANGJIN, SONGPA}
    point_report = client_for(citizen).post("/api/reports/", feature(midpoint), format="json").json()
    assert codes(point_report) == expected


def test_report_outside_seoul_is_refused_with_a_clear_message(client_for, citizen, places, categories):
    response = client_for(citizen).post("/api/reports/", feature(places["incheon_city_hall"]), format="json")
    assert response.status_code == 400
    assert response.json()["geometry"] == ["This place is outside Seoul; report it to the city or county responsible for it."]
    korean = client_for(citizen).post("/api/reports/", feature(places["incheon_city_hall"]), format="json",
                                      HTTP_ACCEPT_LANGUAGE="ko")
    assert korean.json()["geometry"] == ["서울시 밖의 장소입니다. 해당 시·군에 신고해 주세요."]
    assert not Report.objects.exists()


def test_line_from_mapo_to_gyeonggi_goes_to_the_seoul_district_it_touches(client_for, citizen, places, categories):
    # 합정 (Mapo) to 인천시청: only the Seoul part is anybody's here
    line = LineString(places["hapjeong"].coords, places["incheon_city_hall"].coords, srid=4326)
    body = client_for(citizen).post("/api/reports/", feature(line), format="json").json()
    assert MAPO in codes(body)


@pytest.mark.parametrize("geometry,fragment", [
    ({"type": "Polygon", "coordinates": [[[127.04, 37.50], [127.05, 37.51], [127.05, 37.50], [127.04, 37.51],
                                           [127.04, 37.50]]]}, "Self-intersection"),
    ({"type": "Point", "coordinates": [227.0, 37.5]}, "out of range"),
    ({"type": "Point", "coordinates": []}, "empty"),
    ({"type": "GeometryCollection", "geometries": []}, "not accepted"),
    ("not json", "JSON"),
])
def test_bad_geometry_is_a_400_with_the_reason_and_nothing_is_stored(client_for, citizen, categories, geometry,
                                                                     fragment):
    body = {"type": "Feature", "geometry": geometry, "properties": {"category": "road_damage", "description": "x"}}
    response = client_for(citizen).post("/api/reports/", body, format="json")
    assert response.status_code == 400
    assert fragment in json.dumps(response.json(), ensure_ascii=False)
    assert not Report.objects.exists()


@pytest.mark.parametrize("properties,field", [
    ({"category": "no_such_thing", "description": "x"}, "category"),
    ({"description": "x"}, "category"),
    ({"category": "road_damage", "description": "<script>alert(1)</script>"}, "description"),
    ({"category": "road_damage", "description": "x" * 2001}, "description"),
    ({"category": "road_damage", "description": "x", "contact_preference": "carrier pigeon"}, "contact_preference"),
])
def test_bad_properties_are_a_400_naming_the_field(client_for, citizen, categories, places, properties, field):
    body = {"type": "Feature", "geometry": json.loads(places["seolleung"].geojson), "properties": properties}
    response = client_for(citizen).post("/api/reports/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Report.objects.exists()


def test_description_markup_is_stripped(client_for, citizen, categories, places):
    body = feature(places["seolleung"], description='<img src=x onerror=alert(1)>보도 <b>파손</b>')
    created = client_for(citizen).post("/api/reports/", body, format="json").json()
    assert created["properties"]["description"] == "보도 파손"


def test_anonymous_cannot_report(api, categories, places):
    assert api.post("/api/reports/", feature(places["seolleung"]), format="json").status_code == 401


def test_an_inactive_category_is_refused_by_the_service_naming_the_field(client_for, citizen, staff, categories,
                                                                        places):
    from reports.services import category_update

    category_update(category=categories["road"], actor=staff, is_active=False)
    response = client_for(citizen).post("/api/reports/", feature(places["seolleung"]), format="json")
    assert response.status_code == 400
    assert "no longer in use" in response.json()["category"][0]
    assert not Report.objects.exists()
