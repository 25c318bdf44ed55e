"""One list envelope across our own API (geoplatform/pagination.py): every list answers `count`, `next`,
`previous` and its items under `results`, or under `features` when the page is a GeoJSON FeatureCollection.

The OpenAPI schema is walked (every GET of every /api/ URL the resolver knows), and every list in it is
requested as a user allowed to read it, with at least one item to list: a new bare array, an unpaged
collection or a list the schema does not describe fails here, and so does an item the schema does not describe
(a plain object; a key it does not name, a key it requires missing, a value of another type, a null where
none may be). Open311 GeoReport v2 (/open311/v2/) and OGC API
Features (/ogc/) keep the shapes their external specifications mandate and are not part of /api/.
"""
import datetime
import io
import re
from functools import lru_cache
from pathlib import Path

import pytest
from django.contrib.gis.geos import LineString, Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
CITY_HALL = (126.97797, 37.56654)
ENVELOPE = {"count", "next", "previous"}
NOT_IN_SCHEMA = {"/api/schema/", "/api/docs/"}  # the schema itself and its viewer


@lru_cache(maxsize=1)
def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolved(schema: dict) -> dict:
    if "$ref" in schema:
        return _schema()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _json_gets():
    """(path, 200 schema) of every GET of the schema that answers JSON."""
    for path, operations in _schema()["paths"].items():
        content = operations.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
        if "application/json" in content:
            yield path, _resolved(content["application/json"].get("schema", {}))


def _item_schema(page: dict) -> dict:
    """The schema of a page's items."""
    members = _resolved(page["properties"]["features" if "features" in page["properties"] else "results"])
    return _resolved(members.get("items", {}))


TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list, "object": dict}


def _mismatches(value, schema: dict, where: str) -> list[str]:
    """Where `value` is not what `schema` describes: its type, null, enum, and for described objects their keys
    (each one described, each required one there), down through nested objects and arrays."""
    schema = _resolved(schema)
    if len(schema.get("allOf", [])) == 1:  # a nested component, made nullable or described
        schema = {**_resolved(schema["allOf"][0]), **{k: v for k, v in schema.items() if k != "allOf"}}
    options = schema.get("oneOf") or schema.get("anyOf")
    if options:
        found = [_mismatches(value, option, where) for option in options]
        return [] if [] in found or (value is None and schema.get("nullable")) else min(found, key=len)
    if value is None:
        return [] if schema.get("nullable") or schema.get("enum") == [None] else [f"{where}: null, which it may not be"]
    kind = schema.get("type")
    if kind and (not isinstance(value, TYPES[kind]) or (isinstance(value, bool) and kind in ("integer", "number"))):
        return [f"{where}: {type(value).__name__} {value!r:.60}, described as {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r:.60} is not one of {schema['enum']}"]
    found = []
    if isinstance(value, dict) and "properties" in schema:
        described = schema["properties"]
        found += [f"{where}.{key}: not described" for key in value
                  if key not in described and not schema.get("additionalProperties")]
        found += [f"{where}.{key}: required, missing" for key in schema.get("required", []) if key not in value]
        for key, member in value.items():
            if key in described:
                found += _mismatches(member, described[key], f"{where}.{key}")
    elif isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        for key, member in value.items():
            found += _mismatches(member, schema["additionalProperties"], f"{where}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for i, member in enumerate(value):
            found += _mismatches(member, schema["items"], f"{where}[{i}]")
    return found


def _is_list(schema: dict) -> bool:
    properties = schema.get("properties", {})
    return "results" in properties or ("features" in properties and "type" in properties)


def _lists() -> dict[str, dict]:
    """Every list of the schema: its path and the schema of its page."""
    return {path: schema for path, schema in _json_gets() if _is_list(schema)}


def _api_routes():
    """Every URL the resolver serves under /api/, written as the schema writes paths (`{name}`)."""
    def walk(patterns, prefix):
        for pattern in patterns:
            text = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, text)
            elif isinstance(pattern, URLPattern):
                yield text

    for route in walk(get_resolver().url_patterns, "/"):
        if route.startswith("/api/"):
            route = re.sub(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", lambda m: "{%s}" % (m.group(1) or m.group(2)), route)
            yield route.replace("\\.", ".").replace("{pk}", "{id}")


def test_every_api_url_is_in_the_openapi_schema():
    """What the schema walk below checks is the whole API: nothing under /api/ hides from the schema."""
    assert set(_api_routes()) - NOT_IN_SCHEMA - set(_schema()["paths"]) == set()


def test_no_get_of_the_api_answers_a_bare_array_and_every_list_is_the_envelope():
    arrays = sorted(path for path, schema in _json_gets() if schema.get("type") == "array")
    assert arrays == []
    for path, schema in _json_gets():
        if _is_list(schema):
            properties = schema["properties"]
            assert ENVELOPE <= set(properties), path
            if "features" in properties:
                assert _resolved(properties["type"]).get("enum") == ["FeatureCollection"] and "results" not in properties, path


@pytest.mark.parametrize("question,pattern", [
    ("a list answered without the envelope", r"Response\(\[|Response\(list\(|Response\(\w+Serializer\([^)]*many=True"),
    ("a list view without pages", r"pagination_class = None"),
    ("a list paged by hand instead of page_response", r"\.paginate_queryset\("),
])
def test_views_answer_lists_through_page_response(question, pattern):
    regex = re.compile(pattern)
    found = {str(path.relative_to(ROOT)) for path in ROOT.glob("*/api.py") if regex.search(path.read_text("utf-8"))}
    assert found == set(), question


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def _world(make_user, seoul, citizen) -> dict:
    """City staff, who may read every list, and at least one item in each list."""
    from analysis.services import analysis_create
    from campaigns.services import (campaign_create, comment_create, proposal_answer, proposal_create, round_close,
                                    round_create)
    from dashboards.services import feedback_create as indicator_feedback_create
    from dashboards.services import indicator_create, indicator_import
    from feedback.services import feedback_create
    from maps.services import collaborator_set, feature_create, map_create, photo_add, template_save
    from meetings.services import committee_create, disclosure_reason_upsert, meeting_create
    from moderation.services import flag_create
    from notifications.services import notification_create
    from projects.services import project_create, update_post
    from reports.services import category_create, open311_key_issue, report_create, report_note_add

    staff = make_user("envelope.staff", role="city_staff")  # city staff are analysts too
    map_obj = map_create(owner=staff, title="목록 점검 지도", visibility="public")
    collaborator_set(map_obj=map_obj, actor=staff, user=citizen, role="editor")
    feature = feature_create(map_obj=map_obj, actor=staff, geom=Point(*CITY_HALL, srid=4326), name="서울광장")
    photo_add(feature=feature, actor=staff, upload=_png())
    map_obj.contribution_mode = "moderated"
    map_obj.save(update_fields=["contribution_mode"])
    feature_create(map_obj=map_obj, actor=make_user("envelope.visitor"), geom=Point(126.978, 37.566, srid=4326),
                   name="제안")  # a suggestion, waiting for review
    template_save(actor=staff, slug="envelope", theme="safety", title_ko="점검", title_en="Check")
    road = category_create(code="road_damage", name_ko="도로 파손", name_en="Damaged road", actor=staff)
    report = report_create(reporter=citizen, category=road, geom=Point(*CITY_HALL, srid=4326), description="보도 파손")
    report_note_add(report=report, actor=staff, note="현장 확인")
    open311_key_issue(user=staff, label="점검")
    flag_create(user=citizen, target_type="feature", target_id=feature.pk, reason="spam")
    notification_create(user=staff, kind="report_status", title="점검", body="점검", email=False)
    analysis_create(user=staff, name="점검", method="aggregation",
                    parameters={"source": map_obj.layer_name, "unit": "district"})
    indicator = indicator_create(user=staff, slug="envelope", name_ko="점검", name_en="Check", theme="transport")
    indicator_import(indicator=indicator, user=staff, upload=SimpleUploadedFile(
        "values.csv", b"district_code,period,value\n11680,2025,3\n", content_type="text/csv"))
    indicator_feedback_create(indicator=indicator, user=citizen, body="좋아요", rating=4)
    feedback_create(author=citizen, kind="wish", text="목록을 한 모양으로")
    reason = disclosure_reason_upsert(code="art9-1-5", legal_basis="공공기관의 정보공개에 관한 법률 제9조 제1항 제5호",
                                      title_ko="의사결정 과정", title_en="Decision in progress")
    committee = committee_create(name_ko="서울특별시 교통위원회", name_en="Seoul Transport Committee",
                                 department_ko="교통정책과")
    meeting_create(committee=committee, title_ko="제1차 교통위원회", starts_at=timezone.now() - datetime.timedelta(days=3),
                   online_url="https://example.org/live", disclosure="not_disclosed", disclosure_reason=reason)
    now = timezone.now()
    round_ = round_create(actor=staff, title="점검 회차", starts_at=now - datetime.timedelta(hours=1),
                          ends_at=now + datetime.timedelta(days=7))
    proposal = proposal_create(proposer=citizen, title="성북구 어두운 골목 지도", why="밤길 안전", round_id=round_.pk,
                               area_scope="districts", district_codes=["11290"])
    comment_create(proposal=proposal, author=citizen, text="좋아요")
    round_close(round_=round_, actor=staff)
    proposal_answer(proposal=proposal, actor=staff, state="selected")
    campaign_create(actor=staff, proposal_id=proposal.pk, template_slug="safety", goal="골목 200곳")
    project = project_create(actor=staff, title_ko="테헤란로 보도 정비", department_ko="도로계획과",
                             geom=LineString((127.0276, 37.4979), (127.0364, 37.5006), srid=4326))
    update_post(actor=staff, project=project, date=datetime.date(2026, 6, 1), text_ko="착공")
    return {"staff": staff, "ids": {"/api/maps/": map_obj.pk, "/api/reports/": report.pk,
                                    "/api/indicators/": indicator.pk, "/api/projects/": project.pk,
                                    "/api/proposals/": proposal.pk},
            "fid": feature.pk}


def _url(path: str, world: dict) -> str:
    own = next((pk for prefix, pk in world["ids"].items() if path.startswith(prefix)), None)
    url = path.replace("{fid}", str(world["fid"]))
    return url.replace("{id}", str(own)) if own is not None else url


@pytest.mark.django_db
def test_every_list_of_the_api_answers_the_one_envelope(make_user, seoul, citizen, client_for):
    world = _world(make_user, seoul, citizen)
    staff = client_for(world["staff"])
    lists = _lists()
    assert len(lists) >= 30  # the walk found the API's lists (a broken walk would check nothing)
    mismatches = []
    for path, schema in sorted(lists.items()):
        url = _url(path, world)
        assert "{" not in url, f"{path}: give its path parameters a value in _url"
        response = staff.get(url, {"limit": 1})
        assert response.status_code == 200, (url, response.content[:300])
        page = response.json()
        assert isinstance(page, dict) and ENVELOPE <= set(page), (url, page)
        assert set(page) <= set(schema["properties"]), f"{url}: members the schema does not describe"
        items = page["features"] if page.get("type") == "FeatureCollection" else page["results"]
        assert "results" not in page or "features" not in page, url
        assert page["count"] >= 1 and len(items) == 1, f"{url}: nothing to list (add an item in _world)"
        assert page["previous"] is None and (page["next"] is not None) == (page["count"] > 1), url
        item = _item_schema(schema)
        assert item.get("properties"), f"{path}: its items are plain objects in the schema (describe them)"
        mismatches += _mismatches(items[0], item, url)
    assert mismatches == [], "\n".join(mismatches)
