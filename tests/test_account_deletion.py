"""Deleting an account (DELETE /api/auth/me/) keeps a person's contributions and removes every trace of them.

Across apps: a citizen's public map and feature (maps), a hazard report (reports), an analysis of
the reports (analysis), seen through the API, the layers (TileJSON, style, OGC API, exports) and
the analysis exports, by the public and by city staff.
"""
import gzip
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point

NAME, DISPLAY, EMAIL = "minji.deleteme", "김민지", "minji.deleteme@example.org"
CITY_HALL = Point(126.97797, 37.56654, srid=4326)


def _text(response) -> str:
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode("utf-8", errors="replace")


@pytest.fixture
def contributions(seoul, make_user, analyst):
    from analysis.services import analysis_create, analysis_publish, analysis_run
    from maps.services import feature_create, map_create
    from reports.services import category_create, report_create

    person = make_user(NAME, display_name=DISPLAY)
    person.email = EMAIL
    person.save()
    map_obj = map_create(owner=person, title="우리 동네 안전 지도 (sample)", visibility="public")
    feature = feature_create(map_obj=map_obj, actor=person, geom=CITY_HALL, name="어두운 계단 (sample)")
    road = category_create(code="road_damage", name_ko="도로 파손", name_en="Damaged road",
                           responsible_body_ko="도로관리과", responsible_body_en="Road management")
    report = report_create(reporter=person, category=road, geom=CITY_HALL, description="보도블록 파손 (sample)")
    analysis = analysis_create(user=analyst, name="신고 집계", method="aggregation",
                               parameters={"source": "reports", "unit": "district"})
    analysis = analysis_publish(analysis=analysis_run(analysis=analysis, user=analyst), user=analyst)
    return {"person": person, "map": map_obj, "feature": feature, "report": report, "analysis": analysis}


def _everything(client, c, *, signed_in: bool) -> str:
    """Every public door to the person's contributions, concatenated (layer exports only when signed in)."""
    map_id, layer = c["map"].pk, f"map-{c['map'].pk}"
    urls = [
        f"/api/maps/{map_id}/", f"/api/maps/{map_id}/features/", f"/api/maps/{map_id}/history/",
        f"/api/maps/{map_id}/features/{c['feature'].pk}/", f"/api/maps/{map_id}/export.geojson",
        f"/api/reports/{c['report'].pk}/", "/api/reports/", f"/tiles/{layer}.json", f"/styles/{layer}.json",
        f"/ogc/collections/{layer}/items", f"/api/layers/{layer}/export.csv", "/api/layers/reports/export.geojson",
        f"/api/analyses/{c['analysis'].pk}/", f"/api/analyses/{c['analysis'].pk}/records.csv",
    ]
    texts = []
    for url in urls:
        response = client.get(url)
        refused = not signed_in and url.startswith("/api/layers/") and "/export." in url  # for signed-in users
        assert response.status_code == (401 if refused else 200), (url, response.status_code)
        if response.status_code == 200:
            texts.append(_text(response))
    return "\n".join(texts)


def test_deleting_an_account_keeps_contributions_without_any_trace_of_the_person(contributions, client_for,
                                                                                  staff, api):
    from maps.models import Feature, Map
    from reports.models import Report

    person = contributions["person"]
    before = _everything(client_for(staff), contributions, signed_in=True)
    assert NAME in before or DISPLAY in before  # the test can see a name when there is one

    me = client_for(person)
    assert me.delete("/api/auth/me/").status_code == 204

    person = get_user_model().objects.get(pk=person.pk)
    assert person.username != NAME and person.email == "" and person.display_name == "" and not person.is_active
    assert me.get("/api/auth/me/").status_code == 401  # the token is gone
    assert Map.objects.filter(pk=contributions["map"].pk).exists()
    assert Feature.objects.filter(pk=contributions["feature"].pk, name="어두운 계단 (sample)").exists()
    assert Report.objects.filter(pk=contributions["report"].pk).exists()

    for client, signed_in in ((api, False), (client_for(staff), True)):
        after = _everything(client, contributions, signed_in=signed_in)
        for trace in (NAME, DISPLAY, EMAIL):
            assert trace not in after
        assert "어두운 계단" in after and "road_damage" in after  # the contributions are still there


def test_a_deleted_analyst_s_published_analyses_stay_anonymous_and_drafts_go(toilets_loaded, make_user, client_for,
                                                                             api):
    from analysis.models import Analysis
    from analysis.services import analysis_create, analysis_publish, analysis_run

    author = make_user("jiwoo.analyst", role="analyst", display_name="박지우")
    published = analysis_create(user=author, name="화장실 접근성", method="coverage",
                                parameters={"source": "dataset-seoul_public_toilets", "hex_size_m": 3000})
    published = analysis_publish(analysis=analysis_run(analysis=published, user=author), user=author)
    draft = analysis_create(user=author, name="초안", method="coverage",
                            parameters={"source": "dataset-seoul_public_toilets", "hex_size_m": 3000})
    assert api.get(f"/api/analyses/{published.pk}/").json()["created_by"] == "박지우"
    assert client_for(author).delete("/api/auth/me/").status_code == 204
    assert not Analysis.objects.filter(pk=draft.pk).exists()
    detail = api.get(f"/api/analyses/{published.pk}/").json()
    assert detail["created_by"] is None and detail["status"] == "succeeded"
    assert "박지우" not in json.dumps(detail, ensure_ascii=False)
    assert "jiwoo" not in api.get(f"/analysis/{published.pk}/").content.decode()


@pytest.fixture
def toilets_loaded(seoul):
    from layers.models import Dataset
    from layers.opendata import opendata_load

    if not Dataset.objects.filter(slug="seoul_public_toilets").exists():
        opendata_load("seoul_public_toilets")
