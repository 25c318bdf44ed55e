"""Open311 GeoReport v2: a real client (PyPI `georeport`) over real HTTP, and the spec's error format."""
import json
import xml.etree.ElementTree as ET

import pytest
import requests
from georeport import GeoReport
from reports.models import Report
from reports.services import open311_key_issue

from .conftest import GANGNAM

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_clients")]  # reads English messages


def test_a_report_made_by_a_georeport_client_round_trips_over_http(live_seoul, categories, citizen, gangnam_officer,
                                                                   client_for, places):
    root = f"{live_seoul.url}/open311/v2"
    token = open311_key_issue(user=citizen)[1]
    client = GeoReport(root, api_key=token)
    services = {s["service_code"]: s for s in client.get_service_list()}
    assert set(services) == {"road_damage", "dark_alley"}
    assert services["road_damage"]["service_name"] == "도로 파손"  # no Accept-Language: the city's language
    english = requests.get(f"{root}/services.json", headers={"Accept-Language": "en"}, timeout=10).json()
    assert {s["service_code"]: s["service_name"] for s in english}["road_damage"] == "Damaged road"

    seolleung = places["seolleung"]
    posted = requests.post(f"{root}/requests.json", data={
        "api_key": client.api_key, "service_code": "road_damage", "lat": seolleung.y, "long": seolleung.x,
        "description": "선릉역 1번 출구 앞 보도블록 파손 (sample)", "email": "minji@example.org", "first_name": "Minji",
        "phone": "010-1234-5678"}, timeout=10)
    assert posted.status_code == 201, posted.text
    request_id = posted.json()[0]["service_request_id"]
    stored = Report.objects.get(pk=request_id)
    districts = [d.code for d in stored.districts.all()]
    assert (stored.reporter, stored.channel, districts) == (citizen, "open311", [GANGNAM])

    fetched = client.get_service_request(request_id)
    assert fetched["service_code"] == "road_damage" and fetched["status"] == "open"
    assert fetched["description"] == ""  # private unless the reporter publishes it (Open311 has no way to)
    assert stored.description == "선릉역 1번 출구 앞 보도블록 파손 (sample)"
    assert (fetched["lat"], fetched["long"]) == (round(seolleung.y, 6), round(seolleung.x, 6))
    assert fetched["requested_datetime"].endswith("T00:00:00+09:00")  # to the day
    assert "강남구" in fetched["address"]
    raw = requests.get(f"{root}/requests/{request_id}.json", timeout=10).text
    for secret in ("minji", "Minji", "010-1234-5678", citizen.username):
        assert secret not in raw

    officer = client_for(gangnam_officer)
    for status in ("acknowledged", "in_progress", "resolved"):
        officer.post(f"/api/reports/{request_id}/status/", {"status": status, "message": f"{status} / 처리"},
                     format="json")
    fetched = client.get_service_request(request_id)
    assert fetched["status"] == "closed" and fetched["status_notes"] == "resolved / 처리"
    assert [r["service_request_id"] for r in client.get_service_requests(status="closed")] == [request_id]
    assert client.get_service_requests(status="open") == []
    assert client.get_service_requests(service_request_id=request_id)[0]["status"] == "closed"

    by_token = requests.get(f"{root}/tokens/{posted.json()[0]['token']}.json", timeout=10).json()
    assert by_token == [{"service_request_id": request_id, "token": posted.json()[0]["token"]}]

    xml_client = GeoReport(root, output_format="xml")
    assert {s["service_code"] for s in xml_client.get_service_list()} == {"road_damage", "dark_alley"}
    assert xml_client.get_service_request(request_id)["status"] == "closed"


@pytest.fixture
def token(citizen):
    return open311_key_issue(user=citizen)[1]


def _errors(response):
    body = response.json()
    assert isinstance(body, list) and body and set(body[0]) == {"code", "description"}
    assert body[0]["code"] == response.status_code
    return " ".join(e["description"] for e in body)


@pytest.mark.parametrize("data,status,fragment", [
    ({"api_key": "wrong", "service_code": "road_damage", "lat": 37.5, "long": 127.05, "description": "x"}, 403,
     "api_key"),
    ({"service_code": "road_damage", "lat": 37.5, "long": 127.05, "description": "x"}, 400, "api_key"),
    ({"service_code": "potholes", "lat": 37.5, "long": 127.05, "description": "x"}, 400, "service_code"),
    ({"service_code": "road_damage", "lat": "north", "long": 127.05, "description": "x"}, 400, "lat"),
    ({"service_code": "road_damage", "lat": 95, "long": 127.05, "description": "x"}, 400, "lat"),
    ({"service_code": "road_damage", "address_string": "서울 강남구", "description": "x"}, 400, "lat"),
    ({"service_code": "road_damage", "lat": 37.456833, "long": 126.701306, "description": "x"}, 400, "outside Seoul"),
    ({"service_code": "road_damage", "lat": 37.504503, "long": 127.049008, "description": ""}, 400, "Describe"),
])
def test_bad_posts_answer_in_the_spec_error_format_and_store_nothing(api, categories, token, data, status, fragment):
    body = dict(data)
    if "api_key" not in body and fragment != "api_key":
        body["api_key"] = token
    response = api.post("/open311/v2/requests.json", body, HTTP_ACCEPT_LANGUAGE="en")  # an English-speaking client
    assert response.status_code == status
    assert fragment in _errors(response)
    assert not Report.objects.exists()


@pytest.mark.parametrize("url,status", [
    ("/open311/v2/requests/999999.json", 404),
    ("/open311/v2/tokens/not-a-token.json", 404),
    ("/open311/v2/services/potholes.json", 404),
    ("/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", 400),
    ("/open311/v2/requests.json?start_date=yesterday", 400),
    ("/open311/v2/requests.json?start_date=2026-13-45T00:00:00Z", 400),
    ("/open311/v2/requests.json?end_date=9999-12-31T23:59:59Z", 400),
    ("/open311/v2/requests.json?status=lost", 400),
    ("/open311/v2/requests.json?bbox=1,2", 400),
    ("/open311/v2/services.json?jurisdiction_id=chicago.il.us", 404),
])
def test_bad_reads_answer_in_the_spec_error_format(api, categories, url, status):
    response = api.get(url)
    assert response.status_code == status
    _errors(response)


def test_ids_too_large_for_the_database_are_simply_not_found(api, categories):
    assert api.get("/open311/v2/requests.json", {"service_request_id": "9" * 30}).json() == []
    assert api.get("/api/reports/" + "9" * 30 + "/").status_code == 404


def test_errors_in_xml_follow_the_spec(api, categories):
    response = api.get("/open311/v2/requests/999999.xml")
    assert response.status_code == 404
    root = ET.fromstring(response.content)
    assert root.tag == "errors" and root.find("error/code").text == "404"


def test_banned_user_cannot_post_through_open311(api, categories, citizen, token):
    citizen.is_banned = True
    citizen.save()
    response = api.post("/open311/v2/requests.json", {"api_key": token, "service_code": "road_damage",
                                                      "lat": 37.504503, "long": 127.049008, "description": "x"})
    assert response.status_code == 403 and "banned" in _errors(response)


def test_bbox_filter_and_hidden_reports(api, make_report, citizen, places):
    gangnam = make_report(citizen, places["seolleung"])
    mapo = make_report(citizen, places["mangwon"])
    hidden = make_report(citizen, places["samseong"])
    Report.objects.filter(pk=hidden.pk).update(is_hidden=True)
    everything = {r["service_request_id"] for r in api.get("/open311/v2/requests.json").json()}
    assert everything == {str(gangnam.pk), str(mapo.pk)}
    m = places["mangwon"]
    near_mangwon = api.get("/open311/v2/requests.json", {"bbox": f"{m.x - .01},{m.y - .01},{m.x + .01},{m.y + .01}"})
    assert [r["service_request_id"] for r in near_mangwon.json()] == [str(mapo.pk)]
    assert api.get(f"/open311/v2/requests/{hidden.pk}.json").status_code == 404
    assert api.get(f"/open311/v2/tokens/{hidden.token}.json").status_code == 404


def test_sensitive_reports_are_coarsened_in_open311(api, make_report, citizen, places):
    dark = make_report(citizen, places["mangwon"], category="dark")
    row = api.get(f"/open311/v2/requests/{dark.pk}.json").json()[0]
    assert (row["lat"], row["long"]) == (round(dark.public_geom.y, 6), round(dark.public_geom.x, 6))
    assert (row["lat"], row["long"]) != (round(places["mangwon"].y, 6), round(places["mangwon"].x, 6))
    assert json.dumps(row).count(str(round(places["mangwon"].x, 5))) == 0
