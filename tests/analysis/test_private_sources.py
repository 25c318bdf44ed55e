"""A published analysis never reveals a private map: attacked as the anonymous public, with the owner's veto."""
import json

import pytest
from django.contrib.gis.geos import Point

from analysis.models import Analysis
from maps.services import collaborator_set, feature_create, map_create, map_update

from .conftest import CITY_HALL, _spread

PRIVATE_TITLE = "우리 가족 비밀 장소 (private-title-needle)"


def _published_text(api) -> str:
    """Everything the public can list: the analyses, the layer catalogue and the OGC collections."""
    pages = [api.get("/api/analyses/"), api.get("/api/layers/"), api.get("/ogc/collections?f=json")]
    assert all(page.status_code == 200 for page in pages)
    return json.dumps([page.json() for page in pages], ensure_ascii=False)


@pytest.fixture
def private_map(citizen, analyst, seoul):
    map_obj = map_create(owner=citizen, title=PRIVATE_TITLE, visibility="private")
    for i, (lon, lat) in enumerate(_spread(CITY_HALL, 8, step=0.002)):
        feature_create(map_obj=map_obj, actor=citizen, geom=Point(lon, lat, srid=4326), name=f"place {i}")
    collaborator_set(map_obj=map_obj, actor=citizen, user=analyst, role="viewer")
    return map_obj


@pytest.fixture
def coverage_of_private_map(private_map, analyst, client_for):
    client = client_for(analyst)
    created = client.post("/api/analyses/", {"name": "coverage", "method": "coverage", "parameters": {
        "source": private_map.layer_name, "hex_size_m": 500, "threshold_m": 300}}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert client.post(f"/api/analyses/{pk}/run/").status_code == 202
    assert Analysis.objects.get(pk=pk).status == "succeeded"
    return Analysis.objects.get(pk=pk)


def test_an_analysis_of_a_private_map_cannot_be_published(coverage_of_private_map, private_map, analyst, client_for,
                                                           api):
    refused = client_for(analyst).post(f"/api/analyses/{coverage_of_private_map.pk}/publish/",
                                       HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "public" in json.dumps(refused.json())
    assert not Analysis.objects.get(pk=coverage_of_private_map.pk).is_published
    assert api.get(f"/api/analyses/{coverage_of_private_map.pk}/").status_code == 404
    for output in coverage_of_private_map.outputs.all():
        assert api.get(f"/tiles/{output.layer_name}.json").status_code == 404
        assert api.get(f"/api/analyses/{coverage_of_private_map.pk}/outputs/{output.pk}/export.csv").status_code == 404
    text = _published_text(api)
    assert "private-title-needle" not in text and private_map.layer_name not in text


def test_a_published_analysis_disappears_when_its_map_turns_private(private_map, citizen, analyst, client_for, api):
    map_update(map_obj=private_map, actor=citizen, visibility="public")
    client = client_for(analyst)
    pk = client.post("/api/analyses/", {"name": "coverage", "method": "coverage", "parameters": {
        "source": private_map.layer_name, "hex_size_m": 500, "threshold_m": 300}}, format="json").json()["id"]
    client.post(f"/api/analyses/{pk}/run/")
    assert client.post(f"/api/analyses/{pk}/publish/").status_code == 200
    assert pk in [a["id"] for a in api.get("/api/analyses/").json()["results"]]

    map_update(map_obj=private_map, actor=citizen, visibility="private")
    assert api.get(f"/api/analyses/{pk}/").status_code == 404
    assert pk not in [a["id"] for a in api.get("/api/analyses/").json()["results"]]
    for output in Analysis.objects.get(pk=pk).outputs.all():
        assert api.get(f"/tiles/{output.layer_name}.json").status_code == 404
        assert api.get(f"/tiles/{output.layer_name}/11/1746/793.mvt").status_code == 404  # no distances leak
    text = _published_text(api)
    assert "private-title-needle" not in text and private_map.layer_name not in text
    page = api.get(f"/analysis/{pk}/")
    assert page.status_code == 404


def test_the_map_owner_sees_an_analysis_of_it_and_can_withdraw_it_for_good(coverage_of_private_map, citizen,
                                                                          citizen2, analyst, client_for):
    owner = client_for(citizen)
    listed = owner.get("/api/analyses/").json()["results"]
    assert coverage_of_private_map.pk in [a["id"] for a in listed]
    assert client_for(citizen2).post(f"/api/analyses/{coverage_of_private_map.pk}/withdraw/").status_code == 404
    withdrawn = owner.post(f"/api/analyses/{coverage_of_private_map.pk}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    again = client_for(analyst).post(f"/api/analyses/{coverage_of_private_map.pk}/publish/")
    assert again.status_code == 400
    assert not Analysis.objects.get(pk=coverage_of_private_map.pk).is_published
