"""Input that once ended in a 500 on the maps API: now a 400 with a message, and nothing stored."""
import io
import json
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from maps.models import Feature, FeaturePhoto, Map
from maps.services import feature_create

from .conftest import station

GANGNAM = station("강남")["geometry"]


@pytest.fixture
def owned(client_for, citizen, make_map, seoul):
    return make_map(citizen, title="강남역 주변"), client_for(citizen)


def _detail(response) -> str:
    body = response.json()
    return json.dumps(body, ensure_ascii=False)


def _post_raw(client, url, raw: str):
    """Send a JSON text as is (escapes such as \\u0000 and \\ud800 reach the server's parser)."""
    return client.generic("POST", url, raw.encode(), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize("escape", ["\\u0000", "\\ud800", "\\udfff"])
def test_nul_or_a_lone_surrogate_in_feature_properties_or_description_is_400(owned, escape):
    m, client = owned
    point = json.dumps(GANGNAM)
    for raw in (f'{{"geometry": {point}, "properties": {{"note": "a{escape}b"}}}}',
                f'{{"geometry": {point}, "properties": {{"a{escape}": "key"}}}}',
                f'{{"geometry": {point}, "description": "dark {escape} alley"}}'):
        response = _post_raw(client, f"/api/maps/{m.pk}/features/", raw)
        assert response.status_code == 400, response.content
        assert "NUL" in _detail(response) or "surrogate" in _detail(response)
    assert not Feature.objects.filter(map=m).exists()


def test_nul_in_categories_or_suggested_field_labels_is_400(owned):
    m, client = owned
    category = '{"key": "toilet", "label_ko": "화장실\\u0000", "label_en": "Toilet", "color": "#e4572e", "icon": "pin"}'
    field = '{"key": "note", "label_ko": "메모", "label_en": "Note\\u0000", "type": "text"}'
    for raw in (f'{{"title": "지도", "categories": [{category}]}}', f'{{"title": "지도", "suggested_fields": [{field}]}}'):
        before = Map.objects.count()
        response = _post_raw(client, "/api/maps/", raw)
        assert response.status_code == 400 and Map.objects.count() == before
        response = client.generic("PATCH", f"/api/maps/{m.pk}/", raw.encode(), content_type="application/json")
        assert response.status_code == 400
    m.refresh_from_db()
    assert m.categories == [] and m.suggested_fields == []


def test_the_model_refuses_nul_in_properties_whatever_the_door(owned, citizen):
    m, _client = owned
    from django.contrib.gis.geos import GEOSGeometry
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        feature_create(map_obj=m, actor=citizen, geom=GEOSGeometry(json.dumps(GANGNAM), srid=4326),
                       properties={"note": "a\x00b"})
    assert not Feature.objects.filter(map=m).exists()


def test_json_nested_100000_levels_deep_is_400(owned):
    m, client = owned
    for raw in ("[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000):
        for url in (f"/api/maps/{m.pk}/features/", "/api/maps/", f"/api/maps/{m.pk}/"):
            response = _post_raw(client, url, raw) if url != f"/api/maps/{m.pk}/" else client.generic(
                "PATCH", url, raw.encode(), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
            assert response.status_code == 400, (url, response.status_code)
            assert "nested" in _detail(response)


def test_json_nested_within_the_limit_is_still_parsed(owned):
    m, client = owned
    properties = {"a": {"b": {"c": {"d": [1, [2, [3]]]}}}}
    response = client.post(f"/api/maps/{m.pk}/features/", {"geometry": GANGNAM, "properties": properties},
                           format="json")
    assert response.status_code == 201, response.content
    assert Feature.objects.get(map=m).properties == properties


@pytest.mark.parametrize("geometry", [
    {"type": "MultiPoint", "coordinates": [[]]},
    {"type": "MultiPoint", "coordinates": [[127.0276, 37.4979], [[127.0276, 37.4979]]]},
    {"type": "LineString", "coordinates": [[127.0276, 37.4979], 127.03]},
    {"type": "Polygon", "coordinates": [[127.0276, 37.4979], [127.03, 37.5], [127.02, 37.5], [127.0276, 37.4979]]},
    {"type": "MultiPolygon", "coordinates": [[[]]]},
    {"type": "Point", "coordinates": [[127.0276, 37.4979]]},
    {"type": "LineString", "coordinates": [[]]},
])
def test_empty_or_mixed_depth_coordinates_are_400(owned, geometry):
    m, client = owned
    response = client.post(f"/api/maps/{m.pk}/features/", {"geometry": geometry}, format="json")
    assert response.status_code == 400, response.content
    assert not Feature.objects.filter(map=m).exists()


def test_geojson_import_with_nul_or_surrogate_properties_reports_each_feature(owned):
    m, client = owned
    point = json.dumps(GANGNAM)
    raw = ('{"type": "FeatureCollection", "features": ['
           f'{{"type": "Feature", "geometry": {point}, "properties": {{"name": "nul\\u0000"}}}},'
           f'{{"type": "Feature", "geometry": {point}, "properties": {{"memo": "\\ud800"}}}},'
           f'{{"type": "Feature", "geometry": {point}, "properties": {{"name": "강남역"}}}}]}}')
    upload = SimpleUploadedFile("hostile.geojson", raw.encode())
    response = client.post(f"/api/maps/{m.pk}/import/", {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["imported"] == 1 and [r["index"] for r in body["rejected"]] == [1, 2]
    assert list(Feature.objects.filter(map=m).values_list("name", flat=True)) == ["강남역"]


def _png_with_ztxt(text_bytes: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 120, 200)).save(buffer, "PNG")
    png = buffer.getvalue()
    payload = b"Comment\x00\x00" + zlib.compress(b"A" * text_bytes, 9)
    chunk = struct.pack(">I", len(payload)) + b"zTXt" + payload
    chunk += struct.pack(">I", zlib.crc32(b"zTXt" + payload) & 0xFFFFFFFF)
    return png[:33] + chunk + png[33:]  # after the IHDR chunk


def test_photo_with_a_huge_ztxt_chunk_is_400(owned, citizen):
    m, client = owned
    from django.contrib.gis.geos import GEOSGeometry

    feature = feature_create(map_obj=m, actor=citizen, geom=GEOSGeometry(json.dumps(GANGNAM), srid=4326), name="역")
    upload = SimpleUploadedFile("bomb.png", _png_with_ztxt(64 * 1024 * 1024), content_type="image/png")
    response = client.post(f"/api/maps/{m.pk}/features/{feature.pk}/photos/", {"image": upload}, format="multipart")
    assert response.status_code == 400, response.content
    assert not FeaturePhoto.objects.exists()
