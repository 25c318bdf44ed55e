"""Where a place is, in words, in the reader's language: /api/districts/where/ (real boundaries and
the real stations of the Seoul open-data layer)."""
import re

import pytest

from districts.romanize import romanize

HANGUL = re.compile(r"[\uac00-\ud7a3]")
YEOKSAM_EXIT = (127.0355, 37.4995)  # 150 m south-west of Yeoksam station (2호선), in 역삼1동
GANGNAM_STATION = (127.027912, 37.49799)  # the station sits on Gangnam-daero, the Gangnam/Seocho boundary


@pytest.fixture
def stations(db, seoul):
    from layers.opendata import opendata_load

    opendata_load("seoul_subway_stations")


def where(api, language="ko", **params):
    return api.get("/api/districts/where/", params, HTTP_ACCEPT_LANGUAGE=language)


def test_a_point_is_named_by_dong_gu_nearest_station_and_receiving_office_in_korean(api, stations):
    lon, lat = YEOKSAM_EXIT
    place = where(api, lon=lon, lat=lat).json()
    assert place["dong"]["name"] == "역삼1동" and place["district"]["name"] == "강남구"
    assert place["station"]["name"] == "역삼역" and place["station"]["line"] == "2호선"
    assert 140 < place["station"]["distance_m"] < 160
    assert place["receiving"] == [{"code": "11680", "name": "강남구"}] and place["in_seoul"] is True


def test_the_same_place_in_english_has_no_hangul(api, stations):
    lon, lat = YEOKSAM_EXIT
    response = where(api, "en", lon=lon, lat=lat)
    place = response.json()
    assert place["district"]["name"] == "Gangnam-gu" and place["station"]["name"] == "Yeoksam Station"
    assert place["station"]["line"] == "Line 2"
    assert not HANGUL.search(response.content.decode()), response.content.decode()


def test_a_report_at_gangnam_station_goes_where_the_report_service_sends_it(api, stations, citizen, client_for):
    """The receiving office(s) shown before sending are those the report is routed to after."""
    from reports.models import ReportCategory

    lon, lat = GANGNAM_STATION
    shown = [d["code"] for d in where(api, lon=lon, lat=lat).json()["receiving"]]
    category = ReportCategory.objects.filter(is_active=True).first()
    if category is None:
        category = ReportCategory.objects.create(code="pothole", name_ko="도로 파임", name_en="Pothole")
    sent = client_for(citizen).post("/api/reports/", {
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"category": category.code, "description": "보도블록이 깨졌습니다"}}, format="json")
    assert sent.status_code == 201, sent.json()
    from reports.models import Report

    routed = sorted(Report.objects.get(pk=sent.json()["id"]).districts.values_list("code", flat=True))
    assert shown == routed == ["11680"]  # the 2호선 station point lies on the Gangnam side of Gangnam-daero


def test_a_street_across_the_boundary_goes_to_both_districts(api, stations):
    line = '{"type":"LineString","coordinates":[[127.0262,37.4983],[127.0300,37.4976]]}'
    place = where(api, geometry=line).json()
    assert [d["code"] for d in place["receiving"]] == ["11650", "11680"]  # Seocho-gu and Gangnam-gu


def test_outside_seoul_says_so_and_names_no_office(api, stations):
    place = where(api, lon=127.1086, lat=37.3671).json()  # Jeongja, Seongnam
    assert place["in_seoul"] is False and place["receiving"] == [] and place["dong"] is None


@pytest.mark.parametrize("params", [{"lon": "127.03"}, {}, {"lon": "x", "lat": "37.5"},
                                    {"geometry": '{"type":"Point","coordinates":[500,37]}'}])
def test_bad_places_are_a_400_in_the_readers_language(api, params):
    english = where(api, "en", **params)
    korean = where(api, "ko", **params)
    assert english.status_code == korean.status_code == 400
    assert not HANGUL.search(english.content.decode()), english.content.decode()
    assert HANGUL.search(korean.content.decode()), korean.content.decode()


@pytest.mark.parametrize("korean, latin", [("선릉", "Seolleung"), ("왕십리", "Wangsimni"), ("독립문", "Dongnimmun"),
                                           ("을지로3가", "Euljiro3ga"), ("신림", "Sillim"), ("역삼", "Yeoksam"),
                                           ("청량리", "Cheongnyangni"), ("합정", "Hapjeong")])
def test_station_names_are_romanised_with_the_sound_changes(korean, latin):
    assert romanize(korean) == latin
