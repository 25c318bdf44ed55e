"""Who sees what: every door (lists, search, detail, features, history, export, tiles, OGC) asks the same rules.

Tried as an attacker would: by id, by search, by layer name, by export, with and without the secret link.
"""
import json
import math

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import GEOSGeometry

from maps.models import Feature, FeatureStatus
from maps.services import collaborator_set, feature_create, map_create

from .conftest import library

PLACE = "강남구립못골도서관"
VIEWERS = ["anonymous", "other", "key_holder", "collaborator", "owner"]
SEES = {
    "public": {"anonymous", "other", "key_holder", "collaborator", "owner"},
    "unlisted": {"key_holder", "collaborator", "owner"},
    "private": {"collaborator", "owner"},
}
LISTS = {
    "public": {"anonymous", "other", "key_holder", "collaborator", "owner"},
    "unlisted": {"collaborator", "owner"},
    "private": {"collaborator", "owner"},
}


def tile_of(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


@pytest.fixture
def world(make_user, citizen, seoul):
    other, friend = make_user("stranger"), make_user("friend")
    maps = {}
    for visibility in ("public", "unlisted", "private"):
        m = map_create(owner=citizen, title=f"못골 도서관 산책 지도 {visibility}", visibility=visibility,
                       description="자곡동 도서관 주변", theme="neighbourhood")
        feature_create(map_obj=m, actor=citizen, geom=GEOSGeometry(json.dumps(library(PLACE)["geometry"])),
                       name="못골도서관 앞")
        collaborator_set(map_obj=m, actor=citizen, user=friend, role="viewer")
        maps[visibility] = m
    return {"maps": maps, "users": {"other": other, "collaborator": friend, "owner": citizen}}


def _client(client_for, world, viewer):
    return client_for(world["users"].get(viewer))


@pytest.mark.parametrize("visibility", ["public", "unlisted", "private"])
@pytest.mark.parametrize("viewer", VIEWERS)
def test_map_is_seen_only_by_those_the_rules_allow_on_every_door(client_for, world, visibility, viewer):
    m = world["maps"][visibility]
    client = _client(client_for, world, viewer)
    key = f"?key={m.view_key}" if viewer == "key_holder" else ""
    sep = "&" if key else "?"
    feature = m.features.get()
    lon, lat = library(PLACE)["geometry"]["coordinates"]
    x, y = tile_of(lon, lat, 14)
    sees = viewer in SEES[visibility]

    doors = {
        "detail": f"/api/maps/{m.pk}/{key}",
        "features": f"/api/maps/{m.pk}/features/{key}",
        "feature": f"/api/maps/{m.pk}/features/{feature.pk}/{key}",
        "feature history": f"/api/maps/{m.pk}/features/{feature.pk}/history/{key}",
        "map history": f"/api/maps/{m.pk}/history/{key}",
        "export": f"/api/maps/{m.pk}/export.geojson{key}",
        "tilejson": f"/tiles/map-{m.pk}.json{key}",
        "tile": f"/tiles/map-{m.pk}/14/{x}/{y}.mvt{key}",
        "ogc items": f"/ogc/collections/map-{m.pk}/items{key}",
    }
    for door, url in doors.items():
        response = client.get(url)
        if door == "ogc items" and viewer == "key_holder" and visibility != "public":
            # OGC API serves non-public layers to signed-in users only (layers' rule): stricter, never a leak
            assert response.status_code == 404
        elif sees:
            assert response.status_code == 200, f"{viewer} should see the {visibility} map through {door}"
        else:
            assert response.status_code == 404, f"{viewer} must not see the {visibility} map through {door}"
    if sees:
        tile = mapbox_vector_tile.decode(b"".join(client.get(doors["tile"]).streaming_content)
                                         if client.get(doors["tile"]).streaming else client.get(doors["tile"]).content)
        assert [f["properties"]["name"] for layer in tile.values() for f in layer["features"]] == ["못골도서관 앞"]
        exported = json.loads(b"".join(client.get(doors["export"]).streaming_content))
        assert [f["properties"]["name"] for f in exported["features"]] == ["못골도서관 앞"]

    listed = client.get(f"/api/maps/{key}").json()["results"]
    searched = client.get(f"/api/maps/{key}{sep}q=못골").json()["results"]
    expected = viewer in LISTS[visibility]
    assert (m.pk in [r["id"] for r in listed]) is expected, f"list for {viewer}"
    assert (m.pk in [r["id"] for r in searched]) is expected, f"search for {viewer}"
    collections = client.get(f"/ogc/collections{key}").json()["collections"]
    assert (f"map-{m.pk}" in [c["id"] for c in collections]) is expected, f"OGC collections for {viewer}"


def test_search_finds_korean_words_inside_titles_and_descriptions(client_for, world):
    anonymous = client_for(None)
    by_title = [r["title"] for r in anonymous.get("/api/maps/?q=도서관 산책").json()["results"]]
    by_description = [r["title"] for r in anonymous.get("/api/maps/?q=자곡동").json()["results"]]
    assert by_title == by_description == ["못골 도서관 산책 지도 public"]
    assert anonymous.get("/api/maps/?q=없는말").json()["results"] == []


def test_rotated_view_key_stops_the_old_link_at_once(client_for, world, citizen):
    m = world["maps"]["unlisted"]
    old = m.view_key
    anonymous = client_for(None)
    assert anonymous.get(f"/api/maps/{m.pk}/?key={old}").status_code == 200
    rotated = client_for(citizen).post(f"/api/maps/{m.pk}/secret-links/rotate/", {"kind": "view"}, format="json")
    assert rotated.status_code == 200 and rotated.json()["view_key"] != old
    assert anonymous.get(f"/api/maps/{m.pk}/?key={old}").status_code == 404
    assert anonymous.get(f"/tiles/map-{m.pk}.json?key={old}").status_code == 404
    assert anonymous.get(f"/api/maps/{m.pk}/?key={rotated.json()['view_key']}").status_code == 200


def test_only_the_owner_sees_or_changes_secret_links_and_collaborators(client_for, world):
    m = world["maps"]["public"]
    for viewer in ("other", "collaborator"):
        client = _client(client_for, world, viewer)
        assert client.get(f"/api/maps/{m.pk}/secret-links/").status_code == 404
        assert client.post(f"/api/maps/{m.pk}/secret-links/rotate/", {"kind": "edit"}, format="json").status_code == 404
        assert client.get(f"/api/maps/{m.pk}/collaborators/").status_code == 404
        assert client.patch(f"/api/maps/{m.pk}/", {"visibility": "private"}, format="json").status_code == 403
        assert client.delete(f"/api/maps/{m.pk}/").status_code == 403
    m.refresh_from_db()
    assert m.visibility == "public"


def test_edit_key_lets_someone_without_an_account_add_to_an_editors_map(client_for, citizen, seoul, make_map):
    m = make_map(citizen, visibility="unlisted", contribution_mode="editors")
    owner = client_for(citizen)
    anonymous = client_for(None)
    point = library("강남역삼푸른솔도서관")["geometry"]
    assert anonymous.post(f"/api/maps/{m.pk}/features/?key={m.view_key}", {"geometry": point},
                          format="json").status_code == 403
    edit_key = owner.post(f"/api/maps/{m.pk}/secret-links/rotate/", {"kind": "edit"}, format="json").json()["edit_key"]
    added = anonymous.post(f"/api/maps/{m.pk}/features/?key={edit_key}", {"geometry": point, "name": "푸른솔"},
                           format="json")
    assert added.status_code == 201 and added.json()["properties"]["author"] == ""
    owner.post(f"/api/maps/{m.pk}/secret-links/revoke/", {"kind": "edit"}, format="json")
    assert anonymous.post(f"/api/maps/{m.pk}/features/?key={edit_key}", {"geometry": point},
                          format="json").status_code == 404


def test_edit_key_does_not_open_a_private_map(client_for, citizen, make_map):
    m = make_map(citizen, visibility="private", contribution_mode="editors")
    m.edit_key = "k" * 32
    m.save()
    assert client_for(None).get(f"/api/maps/{m.pk}/features/?key={'k' * 32}").status_code == 404


def test_hidden_map_and_hidden_feature_disappear_for_the_public_but_not_for_the_owner(client_for, world, citizen):
    m = world["maps"]["public"]
    hidden_feature = feature_create(map_obj=m, actor=citizen, name="신고된 장소",
                                    geom=GEOSGeometry(json.dumps(library("강남역삼푸른솔도서관")["geometry"])))
    Feature.objects.filter(pk=hidden_feature.pk).update(is_hidden=True)
    anonymous = client_for(None)
    names = [f["properties"]["name"] for f in anonymous.get(f"/api/maps/{m.pk}/features/").json()["features"]]
    assert names == ["못골도서관 앞"]
    assert anonymous.get(f"/api/maps/{m.pk}/features/{hidden_feature.pk}/").status_code == 404
    exported = json.loads(b"".join(anonymous.get(f"/api/maps/{m.pk}/export.geojson").streaming_content))
    assert [f["properties"]["name"] for f in exported["features"]] == ["못골도서관 앞"]

    type(m).objects.filter(pk=m.pk).update(is_hidden=True)
    assert anonymous.get(f"/api/maps/{m.pk}/").status_code == 404
    assert m.pk not in [r["id"] for r in anonymous.get("/api/maps/").json()["results"]]
    assert client_for(citizen).get(f"/api/maps/{m.pk}/").status_code == 200


def test_pending_suggestions_are_seen_by_their_author_and_the_editors_only(client_for, citizen, citizen2, make_user,
                                                                           make_map, seoul):
    m = make_map(citizen, contribution_mode="moderated")
    point = GEOSGeometry(json.dumps(library(PLACE)["geometry"]))
    suggestion = feature_create(map_obj=m, actor=citizen2, geom=point, name="제안")
    assert suggestion.status == FeatureStatus.PENDING
    stranger = client_for(make_user("stranger"))
    lon, lat = library(PLACE)["geometry"]["coordinates"]
    x, y = tile_of(lon, lat, 14)
    for client, sees in ((stranger, False), (client_for(None), False), (client_for(citizen2), True),
                         (client_for(citizen), True)):
        assert (client.get(f"/api/maps/{m.pk}/features/{suggestion.pk}/").status_code == 200) is sees
        assert (client.get(f"/api/maps/{m.pk}/features/").json()["count"] == 1) is sees
        assert (client.get(f"/api/maps/{m.pk}/features/{suggestion.pk}/history/").status_code == 200) is sees
    assert client_for(None).get(f"/api/maps/{m.pk}/history/").json()["results"] == []
    assert stranger.get(f"/api/maps/{m.pk}/suggestions/").status_code == 404
    assert client_for(None).get(f"/tiles/map-{m.pk}/14/{x}/{y}.mvt").status_code == 204
    exported = json.loads(b"".join(client_for(None).get(f"/api/maps/{m.pk}/export.geojson").streaming_content))
    assert exported["features"] == []


def test_search_uses_the_trigram_indexes(world):
    from django.db import connection

    from maps.models import Map

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = Map.objects.search("도서관").explain()
    assert "maps_map_title_trgm" in plan and "maps_map_description_trgm" in plan
