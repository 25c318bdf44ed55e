"""Requests that once ended in a 500 (OverflowError, NUL in a query, RecursionError): a 4xx with a message.
An instant in a query is one rule everywhere (geoplatform/instants.py): outside 0001-01-02 … 9999-12-30 UTC
it is a 400 naming that range, inside it an exact answer."""
import json
import xml.etree.ElementTree as ET

import pytest
from django.contrib.gis.geos import Point
from rest_framework.authtoken.models import Token

CITY_HALL = (126.97797, 37.56654)


@pytest.fixture
def reports(seoul, make_user):
    from reports.models import Report
    from reports.services import category_create, report_create

    road = category_create(code="road_damage", name_ko="도로 파손", name_en="Damaged road",
                           responsible_body_ko="도로관리과", responsible_body_en="Road management")
    reporter = make_user("haneul.reporter")
    report_create(reporter=reporter, category=road, geom=Point(*CITY_HALL, srid=4326), description="보도블록 파손")
    return Report.objects.all()


@pytest.mark.parametrize("value", [
    "9999-12-31", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "0001-01-01", "0001-01-01/9999-12-31",
    "../9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00/..", "9999-12-30T23:00:00-01:00",
])
def test_ogc_datetime_beyond_the_range_every_time_zone_holds_is_a_400_naming_the_range(reports, api, value):
    response = api.get("/ogc/collections/reports/items", {"datetime": value, "f": "json"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "InvalidParameterValue"
    assert response.json()["description"] == "datetime must lie between 0001-01-02 and 9999-12-30 (UTC)."
    korean = api.get("/ogc/collections/reports/items", {"datetime": value, "f": "json"}, HTTP_ACCEPT_LANGUAGE="ko")
    assert korean.json()["description"] == "datetime은(는) 0001-01-02부터 9999-12-30(UTC) 사이여야 합니다."


@pytest.mark.parametrize("value, found", [
    ("0001-01-02/9999-12-30", 1), ("../..", 1), ("0001-01-02T00:00:00Z/..", 1), ("../9999-12-30T23:59:59Z", 1),
    ("9999-12-30", 0), ("0001-01-02", 0), ("0001-01-02T09:00:00+09:00", 0),
])
def test_ogc_datetime_at_the_ends_of_the_range_is_answered_exactly(reports, api, value, found):
    response = api.get("/ogc/collections/reports/items", {"datetime": value, "f": "json"})
    assert response.status_code == 200, response.content
    assert len(response.json()["features"]) == found


@pytest.mark.parametrize("query", [
    "end_date=9999-12-31", "end_date=9999-12-31T23:00:00%2B14:00", "start_date=0001-01-01T00:00:00%2B14:00",
    "start_date=0001-01-01&end_date=0001-01-02",
])
def test_open311_dates_beyond_the_same_range_are_the_same_400(reports, api, query):
    response = api.get(f"/open311/v2/requests.json?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    (error,) = response.json()
    assert error["description"].endswith("must lie between 0001-01-02 and 9999-12-30 (UTC).")


@pytest.mark.parametrize("value", ["2026-01-01T00:00:00+25:00", "10000-01-01", "2026-02-30", "\x00"])
def test_ogc_datetime_that_is_not_a_date_is_400(reports, api, value):
    response = api.get("/ogc/collections/reports/items", {"datetime": value, "f": "json"})
    assert response.status_code == 400
    assert response.json().get("description") or response.json().get("detail")


@pytest.mark.parametrize("url", [
    "/open311/v2/requests.json?service_code=%00", "/open311/v2/requests.json?api_key=%00",
    "/open311/v2/requests.json?status=open%00", "/open311/v2/services/road%00damage.json",
])
def test_open311_nul_in_a_parameter_is_a_400_in_the_spec_format(reports, api, url):
    response = api.get(url)
    assert response.status_code == 400
    (error,) = response.json()
    assert error["code"] == 400 and "NUL" in error["description"]


def test_open311_nul_in_xml_and_in_a_posted_form_is_a_400(reports, api, citizen):
    response = api.get("/open311/v2/requests.xml?service_code=%00")
    assert response.status_code == 400 and ET.fromstring(response.content).find("error/code").text == "400"
    token = Token.objects.create(user=citizen).key
    posted = api.post("/open311/v2/requests.json", {"api_key": token, "service_code": "road_damage\x00",
                                                    "lat": CITY_HALL[1], "long": CITY_HALL[0], "description": "x"})
    assert posted.status_code == 400 and reports.count() == 1


def test_nul_or_surrogate_in_a_report_category_or_description_is_400(reports, citizen, client_for):
    client = client_for(citizen)
    point = json.dumps({"type": "Point", "coordinates": list(CITY_HALL)})
    for raw in (f'{{"type": "Feature", "geometry": {point}, "properties": {{"category": "road\\u0000damage", '
                f'"description": "x"}}}}',
                f'{{"type": "Feature", "geometry": {point}, "properties": {{"category": "road_damage", '
                f'"description": "\\ud800 dark"}}}}'):
        response = client.generic("POST", "/api/reports/", raw.encode(), content_type="application/json")
        assert response.status_code == 400, response.content
    assert reports.count() == 1


def test_json_nested_100000_levels_deep_is_400_on_any_json_endpoint(reports, citizen, staff, client_for):
    deep = ("[" * 100_000 + "]" * 100_000).encode()
    for client, url in ((client_for(citizen), "/api/reports/"), (client_for(citizen), "/api/maps/"),
                        (client_for(staff), "/api/indicators/"), (client_for(citizen), "/api/auth/signup/")):
        response = client.generic("POST", url, deep, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, (url, response.status_code)
        assert "nested" in json.dumps(response.json())


def test_a_json_body_over_the_size_limit_is_413(citizen, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"title": "x" * 20_000}).encode()
    response = client_for(citizen).generic("POST", "/api/maps/", body, content_type="application/json")
    assert response.status_code == 413 and response.json()["detail"]
