"""History, revert, collaborators, photos, tiles after edits, deleted accounts."""
import io
import json
import os

import mapbox_vector_tile
from django.contrib.gis.geos import GEOSGeometry

from accounts.services import user_delete_account
from geoplatform.geojson import GEOJSON_PRECISION
from maps.models import Feature, FeaturePhoto, FeatureVersion
from maps.services import collaborator_set, feature_create

from .conftest import GANGNAM_TOILET, jpeg_with_gps, library, toilet
from .test_permissions import tile_of


def _geom(feature):
    return GEOSGeometry(json.dumps(feature["geometry"]))


def _tile_names(client, m, lon, lat, z=15):
    x, y = tile_of(lon, lat, z)
    response = client.get(f"/tiles/map-{m.pk}/{z}/{x}/{y}.mvt")
    if response.status_code == 204:
        return []
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return sorted(f["properties"]["name"] for layer in mapbox_vector_tile.decode(body).values()
                  for f in layer["features"])


def test_revert_brings_back_an_old_version_as_a_new_one_and_restores_deleted_features(client_for, citizen,
                                                                                      make_map, seoul):
    m = make_map(citizen)
    client = client_for(citizen)
    created = client.post(f"/api/maps/{m.pk}/features/", {"geometry": toilet(GANGNAM_TOILET)["geometry"],
                                                          "name": "처음 이름"}, format="json").json()
    url = f"/api/maps/{m.pk}/features/{created['id']}/"
    moved = client.patch(url, {"name": "옮긴 이름", "geometry": toilet("역삼공원")["geometry"], "version": 1},
                         format="json")
    assert moved.status_code == 200
    reverted = client.post(url + "revert/", {"version": 1}, format="json")
    assert reverted.status_code == 200
    props = reverted.json()["properties"]
    assert props["name"] == "처음 이름" and props["version"] == 3
    first = toilet(GANGNAM_TOILET)["geometry"]["coordinates"]  # written back at the API's 6 decimals
    assert reverted.json()["geometry"]["coordinates"] == [round(c, GEOJSON_PRECISION) for c in first]

    assert client.delete(url, HTTP_IF_MATCH='"f%d-v3"' % created["id"]).status_code == 204
    assert client.get(url).status_code == 404
    restored = client.post(url + "revert/", {"version": 3}, format="json")
    assert restored.status_code == 200 and restored.json()["id"] == created["id"]
    assert restored.json()["properties"]["version"] == 5
    actions = [s["action"] for s in client.get(url + "history/").json()["results"]]
    assert actions == ["create", "update", "revert", "delete", "revert"]
    assert client.post(url + "revert/", {"version": 99}, format="json").status_code == 400


def test_rejected_suggestion_stays_out_of_public_view_and_records_the_reason(client_for, citizen, citizen2, make_map,
                                                                            seoul):
    m = make_map(citizen, contribution_mode="moderated")
    suggestion = feature_create(map_obj=m, actor=citizen2, geom=_geom(toilet(GANGNAM_TOILET)), name="광고 같은 제안")
    rejected = client_for(citizen).post(f"/api/maps/{m.pk}/features/{suggestion.pk}/review/",
                                        {"decision": "reject", "note": "광고입니다"}, format="json")
    assert rejected.status_code == 200 and rejected.json()["properties"]["status"] == "rejected"
    assert client_for(None).get(f"/api/maps/{m.pk}/features/").json()["count"] == 0
    again = client_for(citizen).post(f"/api/maps/{m.pk}/features/{suggestion.pk}/review/", {"decision": "approve"},
                                     format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 400 and "not pending" in again.json()["status"][0]
    steps = FeatureVersion.objects.filter(feature_id=suggestion.pk).values_list("action", flat=True)
    assert list(steps) == ["suggest", "reject"]
    author_view = client_for(citizen2).get(f"/api/maps/{m.pk}/features/{suggestion.pk}/").json()
    assert author_view["properties"]["review_note"] == "광고입니다"
    assert client_for(citizen2).post(f"/api/maps/{m.pk}/features/{suggestion.pk}/review/",
                                     {"decision": "approve"}, format="json").status_code == 403


def test_contribution_modes_decide_who_adds_directly_and_who_suggests(client_for, make_user, citizen, citizen2,
                                                                     make_map, seoul):
    editor = make_user("editor")
    point = toilet(GANGNAM_TOILET)["geometry"]
    outcomes = {}
    for mode in ("owner", "editors", "open", "moderated"):
        m = make_map(citizen, contribution_mode=mode)
        collaborator_set(map_obj=m, actor=citizen, user=editor, role="editor")
        for who, user in (("owner", citizen), ("editor", editor), ("citizen", citizen2)):
            response = client_for(user).post(f"/api/maps/{m.pk}/features/", {"geometry": point}, format="json")
            outcomes[(mode, who)] = response.json()["properties"]["status"] if response.status_code == 201 \
                else response.status_code
    assert outcomes == {
        ("owner", "owner"): "published", ("owner", "editor"): 403, ("owner", "citizen"): 403,
        ("editors", "owner"): "published", ("editors", "editor"): "published", ("editors", "citizen"): 403,
        ("open", "owner"): "published", ("open", "editor"): "published", ("open", "citizen"): "published",
        ("moderated", "owner"): "published", ("moderated", "editor"): "published", ("moderated", "citizen"): "pending",
    }


def test_open_contributor_edits_own_feature_but_not_others(client_for, citizen, citizen2, make_map, seoul):
    m = make_map(citizen, contribution_mode="open")
    mine = feature_create(map_obj=m, actor=citizen2, geom=_geom(toilet(GANGNAM_TOILET)), name="내 것")
    theirs = feature_create(map_obj=m, actor=citizen, geom=_geom(toilet("역삼공원")), name="주인 것")
    client = client_for(citizen2)
    assert client.patch(f"/api/maps/{m.pk}/features/{mine.pk}/", {"name": "고침", "version": 1},
                        format="json").status_code == 200
    assert client.patch(f"/api/maps/{m.pk}/features/{theirs.pk}/", {"name": "고침", "version": 1},
                        format="json").status_code == 403
    assert client.delete(f"/api/maps/{m.pk}/features/{theirs.pk}/").status_code == 403
    assert Feature.objects.get(pk=theirs.pk).name == "주인 것"


def test_collaborators_are_invited_changed_and_removed_by_the_owner(client_for, citizen, citizen2, make_map):
    m = make_map(citizen, visibility="private", contribution_mode="editors")
    owner = client_for(citizen)
    url = f"/api/maps/{m.pk}/collaborators/"
    assert client_for(citizen2).get(f"/api/maps/{m.pk}/").status_code == 404
    assert owner.post(url, {"username": "nobody-here"}, format="json").status_code == 400
    assert owner.post(url, {"username": "minji"}, format="json").status_code == 400
    assert owner.post(url, {"username": "jihoon", "role": "viewer"}, format="json").status_code == 201
    assert client_for(citizen2).get(f"/api/maps/{m.pk}/").json()["permissions"]["edit"] is False
    assert owner.patch(f"{url}{citizen2.pk}/", {"role": "editor"}, format="json").status_code == 200
    assert client_for(citizen2).get(f"/api/maps/{m.pk}/").json()["permissions"]["edit"] is True
    assert [c["username"] for c in owner.get(url).json()["results"]] == ["jihoon"]
    assert owner.delete(f"{url}{citizen2.pk}/").status_code == 204
    assert client_for(citizen2).get(f"/api/maps/{m.pk}/").status_code == 404


def test_edits_show_in_the_next_tile_fetch(client_for, citizen, make_map, seoul, django_capture_on_commit_callbacks):
    m = make_map(citizen)
    client = client_for(citizen)
    lon, lat = library("강남역삼푸른솔도서관")["geometry"]["coordinates"]
    assert _tile_names(client, m, lon, lat) == []
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(f"/api/maps/{m.pk}/features/", {"geometry": library("강남역삼푸른솔도서관")["geometry"],
                                                              "name": "푸른솔"}, format="json").json()
    assert _tile_names(client, m, lon, lat) == ["푸른솔"]
    with django_capture_on_commit_callbacks(execute=True):
        client.patch(f"/api/maps/{m.pk}/features/{created['id']}/", {"name": "푸른솔도서관", "version": 1},
                     format="json")
    assert _tile_names(client, m, lon, lat) == ["푸른솔도서관"]
    with django_capture_on_commit_callbacks(execute=True):
        client.delete(f"/api/maps/{m.pk}/features/{created['id']}/")
    assert _tile_names(client, m, lon, lat) == []


def test_photos_are_listed_served_to_viewers_only_and_deleted_with_their_files(
        client_for, citizen, make_user, make_map, seoul, django_capture_on_commit_callbacks):
    m = make_map(citizen, visibility="private")
    feature = feature_create(map_obj=m, actor=citizen, geom=_geom(toilet(GANGNAM_TOILET)))
    client = client_for(citizen)
    upload = io.BytesIO(jpeg_with_gps((1200, 900)))
    upload.name = "photo.jpg"
    photo = client.post(f"/api/maps/{m.pk}/features/{feature.pk}/photos/", {"image": upload}, format="multipart").json()
    stored = FeaturePhoto.objects.get(pk=photo["id"])
    assert (stored.width, stored.height) == (1200, 900)
    assert client.get(photo["thumbnail_url"]).status_code == 200
    assert client_for(make_user("stranger")).get(photo["url"]).status_code == 404
    assert client_for(None).get(photo["url"]).status_code == 404
    listed = client.get(f"/api/maps/{m.pk}/features/{feature.pk}/photos/").json()["results"]
    assert [p["id"] for p in listed] == [photo["id"]]
    image_path, thumb_path = stored.image.path, stored.thumbnail.path
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/maps/{m.pk}/features/{feature.pk}/photos/{photo['id']}/").status_code == 204
    assert not os.path.exists(image_path) and not os.path.exists(thumb_path)


def test_deleted_account_keeps_its_features_attributed_to_nobody(client_for, citizen, citizen2, make_map, seoul):
    m = make_map(citizen, contribution_mode="open")
    collaborator_set(map_obj=m, actor=citizen, user=citizen2, role="editor")
    feature = feature_create(map_obj=m, actor=citizen2, geom=_geom(toilet(GANGNAM_TOILET)), name="지훈의 장소")
    user_delete_account(user=citizen2)
    feature.refresh_from_db()
    assert feature.author is None and feature.name == "지훈의 장소"
    public = client_for(None).get(f"/api/maps/{m.pk}/features/{feature.pk}/").json()
    assert public["properties"]["author"] == ""
    history = client_for(None).get(f"/api/maps/{m.pk}/features/{feature.pk}/history/").json()["results"]
    assert history[0]["actor"] == "" and "jihoon" not in json.dumps(history)
    assert not m.collaborators.exists()


def test_a_geojson_feature_can_be_posted_and_etag_answers_304(client_for, citizen, make_map, seoul):
    m = make_map(citizen)
    client = client_for(citizen)
    body = {"type": "Feature", "geometry": toilet(GANGNAM_TOILET)["geometry"],
            "properties": {"name": "강남역 지하상가", "description": "*계단* 많음", "floor": "B1"}}
    created = client.post(f"/api/maps/{m.pk}/features/", body, format="json")
    assert created.status_code == 201
    props = created.json()["properties"]
    assert props["name"] == "강남역 지하상가" and props["properties"] == {"floor": "B1"}
    assert props["description_html"] == "<p><em>계단</em> 많음</p>"
    url = f"/api/maps/{m.pk}/features/{created.json()['id']}/"
    assert client.get(url, HTTP_IF_NONE_MATCH=created["ETag"]).status_code == 304
