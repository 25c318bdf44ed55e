"""Bad input gets a clear 4xx in the reader's language, never a 500, and nothing is half-stored.

These tests read the English messages (Accept-Language: en); tests/core/test_i18n.py checks that every
message has its Korean, and test_messages_follow_the_readers_language below one of them in Korean."""
import io
import json

import pytest
from PIL import Image

from maps.models import Feature, FeaturePhoto, FeatureVersion, Map

from .conftest import GANGNAM_TOILET, station, street, toilet


pytestmark = pytest.mark.usefixtures("english_clients")


def english(response) -> str:
    """The message, in English only: one language per reader."""
    text = json.dumps(response.json(), ensure_ascii=False)
    assert text and not any("\uac00" <= ch <= "\ud7a3" for ch in text), text
    return text


def test_messages_follow_the_readers_language(owned):
    m, client = owned
    body = {"geometry": {"type": "Point", "coordinates": []}, "name": "x"}
    korean = client.post(f"/api/maps/{m.pk}/features/", body, format="json", HTTP_ACCEPT_LANGUAGE="ko")
    english_answer = client.post(f"/api/maps/{m.pk}/features/", body, format="json")
    assert korean.status_code == english_answer.status_code == 400
    assert "도형이 비어 있습니다." in json.dumps(korean.json(), ensure_ascii=False)
    assert "Geometry is empty." in english(english_answer)


@pytest.fixture
def owned(client_for, citizen, make_map, seoul):
    m = make_map(citizen, template=None, categories=[
        {"key": "cctv", "label_ko": "CCTV", "label_en": "CCTV", "color": "#6c757d", "icon": "camera"}])
    return m, client_for(citizen)


def bowtie():
    """A ring through four real stations in an order that makes it cross itself (강남, 신사, 선릉, 합정)."""
    pts = [station("강남")["geometry"]["coordinates"], station("신사", "3호선")["geometry"]["coordinates"],
           station("선릉")["geometry"]["coordinates"], station("합정")["geometry"]["coordinates"]]
    return {"type": "Polygon", "coordinates": [pts + [pts[0]]]}


def long_teheran_ro(n):
    (x1, y1), (x2, y2) = street("강남", "역삼")["coordinates"]
    return {"type": "LineString", "coordinates": [[x1 + (x2 - x1) * i / n, y1 + (y2 - y1) * i / n] for i in range(n)]}


@pytest.mark.parametrize("geometry, words", [
    (bowtie(), "Self-intersection"),
    ({"type": "Point", "coordinates": [227.0286, 37.4981]}, "out of range"),
    ({"type": "Point", "coordinates": []}, "empty"),
    ({"type": "Polygon", "coordinates": [[[127.0279, 37.4972], [127.049, 37.5045]]]}, "Geometry"),
    ({"type": "GeometryCollection", "geometries": []}, "not accepted"),
    (long_teheran_ro(10_001), "vertices"),
    ("not a geometry", "not valid JSON"),
])
def test_bad_geometry_is_refused_with_the_reason(owned, geometry, words):
    m, client = owned
    response = client.post(f"/api/maps/{m.pk}/features/", {"geometry": geometry, "name": "x"}, format="json")
    assert response.status_code == 400
    assert words in english(response)
    assert not Feature.objects.filter(map=m).exists() and not FeatureVersion.objects.filter(map=m).exists()


def test_unknown_category_and_oversized_properties_are_refused(owned):
    m, client = owned
    point = toilet(GANGNAM_TOILET)["geometry"]
    wrong = client.post(f"/api/maps/{m.pk}/features/", {"geometry": point, "category": "ufo"}, format="json")
    assert wrong.status_code == 400 and "category" in wrong.json()
    english(wrong)
    huge = client.post(f"/api/maps/{m.pk}/features/",
                       {"geometry": point, "properties": {"note": "가" * 20_000}}, format="json")
    assert huge.status_code == 400
    english(huge)
    assert not Feature.objects.filter(map=m).exists()


def test_oversized_body_is_413_not_500(owned):
    m, client = owned
    body = json.dumps({"geometry": toilet(GANGNAM_TOILET)["geometry"], "description": "a" * (6 * 1024 * 1024)})
    response = client.generic("POST", f"/api/maps/{m.pk}/features/", body, content_type="application/json")
    assert response.status_code == 413
    english(response)


def test_script_in_markdown_never_reaches_html(owned):
    m, client = owned
    description = ('<script>alert(1)</script><img src=x onerror=alert(2)> [click](javascript:alert(3)) '
                   '**굵게** [서울](https://data.seoul.go.kr)')
    updated = client.patch(f"/api/maps/{m.pk}/", {"description": description, "title": "<b>제목</b>"}, format="json")
    assert updated.status_code == 200
    html = updated.json()["description_html"]
    for bad in ("<script", "onerror", "javascript:", "<img"):
        assert bad not in html
    assert "<strong>굵게</strong>" in html and 'href="https://data.seoul.go.kr"' in html
    assert updated.json()["title"] == "제목"


def _upload(data: bytes, name: str):
    f = io.BytesIO(data)
    f.name = name
    return f


@pytest.fixture
def feature(owned, citizen):
    from django.contrib.gis.geos import GEOSGeometry

    from maps.services import feature_create

    m, client = owned
    return feature_create(map_obj=m, actor=citizen, geom=GEOSGeometry(json.dumps(toilet(GANGNAM_TOILET)["geometry"])))


def _bomb_png() -> bytes:
    """A small PNG that claims 12,000 × 12,000 pixels (144 million): a decompression bomb."""
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


@pytest.mark.parametrize("data, name", [
    (b"<html><script>alert(1)</script></html>", "photo.jpg"),
    (b"GIF89a" + b"\x00" * 100, "photo.png"),
    (_bomb_png(), "bomb.png"),
])
def test_photo_that_is_not_a_safe_image_is_refused(owned, feature, data, name):
    m, client = owned
    response = client.post(f"/api/maps/{m.pk}/features/{feature.pk}/photos/", {"image": _upload(data, name)},
                           format="multipart")
    assert response.status_code == 400
    english(response)
    assert not FeaturePhoto.objects.exists()


@pytest.mark.parametrize("url", ["/api/maps/?bbox=1,2,3", "/api/maps/?bbox=127.1,37.6,127.0,37.5",
                                 "/api/maps/?bbox=a,b,c,d", "/api/maps/?bbox=-200,0,10,10"])
def test_bad_bbox_is_400(client_for, url):
    response = client_for(None).get(url)
    assert response.status_code == 400
    english(response)


def test_bad_bbox_on_features_is_400(owned):
    m, client = owned
    response = client.get(f"/api/maps/{m.pk}/features/?bbox=127,37,nan,38")
    assert response.status_code == 400
    english(response)


def test_bbox_filter_keeps_only_features_inside(owned, citizen):
    m, client = owned
    for place in (GANGNAM_TOILET, "게이트볼장 앞 화장실"):  # Gangnam station and Gangbuk-gu, 14 km apart
        client.post(f"/api/maps/{m.pk}/features/", {"geometry": toilet(place)["geometry"], "name": place},
                    format="json")
    near_gangnam = client.get(f"/api/maps/{m.pk}/features/?bbox=127.02,37.49,127.04,37.51").json()
    assert [f["properties"]["name"] for f in near_gangnam["features"]] == [GANGNAM_TOILET]
    maps_near_gangbuk = client_for_ids(client.get("/api/maps/?bbox=127.03,37.61,127.04,37.63"))
    assert m.pk in maps_near_gangbuk
    assert m.pk not in client_for_ids(client.get("/api/maps/?bbox=126.9,37.55,126.91,37.56"))


def client_for_ids(response):
    return [r["id"] for r in response.json()["results"]]


def test_update_without_version_is_428_and_with_a_bad_etag_400(owned, feature):
    m, client = owned
    url = f"/api/maps/{m.pk}/features/{feature.pk}/"
    missing = client.patch(url, {"name": "새 이름"}, format="json")
    assert missing.status_code == 428
    english(missing)
    bad = client.patch(url, {"name": "새 이름"}, format="json", HTTP_IF_MATCH='"f999-v1"')
    assert bad.status_code == 400
    by_field = client.patch(url, {"name": "새 이름", "version": 1}, format="json")
    assert by_field.status_code == 200 and by_field["ETag"] == f'"f{feature.pk}-v2"'
    stale = client.patch(url, {"name": "옛 이름", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["current"]["properties"]["name"] == "새 이름"
    stale_delete = client.delete(url, HTTP_IF_MATCH=f'"f{feature.pk}-v1"')
    assert stale_delete.status_code == 409 and Feature.objects.filter(pk=feature.pk).exists()


def test_banned_citizen_cannot_create_maps_or_features(client_for, make_user, citizen, make_map, seoul):
    banned = make_user("spammer", is_banned=True)
    m = make_map(citizen, contribution_mode="open")
    client = client_for(banned)
    created = client.post("/api/maps/", {"title": "광고"}, format="json")
    assert created.status_code == 403 and "banned" in english(created)
    added = client.post(f"/api/maps/{m.pk}/features/", {"geometry": toilet(GANGNAM_TOILET)["geometry"]}, format="json")
    assert added.status_code == 403 and "banned" in english(added)
    assert not Map.objects.filter(owner=banned).exists() and not Feature.objects.filter(map=m).exists()


def test_feature_creation_is_rate_limited_with_retry_after(client_for, citizen, make_map, seoul):
    m = make_map(citizen)
    client = client_for(citizen)
    point = toilet(GANGNAM_TOILET)["geometry"]
    statuses = [client.post(f"/api/maps/{m.pk}/features/", {"geometry": point}, format="json").status_code
                for _ in range(61)]
    assert statuses[:60] == [201] * 60
    assert statuses[60] == 429
    limited = client.post(f"/api/maps/{m.pk}/features/", {"geometry": point}, format="json")
    assert int(limited["Retry-After"]) > 0
    english(limited)


def test_bad_template_categories_are_refused_and_only_staff_edit_templates(client_for, citizen, staff):
    body = {"slug": "dark-alleys", "theme": "safety", "title_ko": "골목", "title_en": "Alleys",
            "categories": [{"key": "alley", "label_ko": "골목", "label_en": "Alley", "color": "red", "icon": "light"}]}
    assert client_for(citizen).post("/api/templates/", body, format="json").status_code == 403
    bad = client_for(staff).post("/api/templates/", body, format="json")
    assert bad.status_code == 400 and "#e4572e" in english(bad)
    body["categories"][0]["color"] = "#3d405b"
    good = client_for(staff).post("/api/templates/", body, format="json")
    assert good.status_code == 201
    duplicate = client_for(staff).post("/api/templates/", body, format="json")
    assert duplicate.status_code == 400


def test_three_dimensional_positions_are_stored_flat(owned):
    m, client = owned
    lon, lat = toilet(GANGNAM_TOILET)["geometry"]["coordinates"]
    response = client.post(f"/api/maps/{m.pk}/features/", {"geometry": {"type": "Point", "coordinates": [lon, lat, 31.5]}},
                           format="json")
    assert response.status_code == 201
    stored = Feature.objects.get(map=m)
    assert not stored.geom.hasz and (stored.geom.x, stored.geom.y) == (lon, lat)
