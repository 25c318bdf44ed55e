"""Moderation hides and restores, and photos added or removed, reach open map sockets through the map's
event log after commit (the same path as every other edit)."""
import io
import json

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.core.cache import cache
from PIL import Image

from maps.services import feature_create, map_create
from moderation.models import Flag
from moderation.services import content_hidden_set, flag_create, flag_decide

pytestmark = pytest.mark.django_db(transaction=True)

POINT = {"type": "Point", "coordinates": [127.0276, 37.4979]}


def jpeg() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 60, 40)).save(out, "JPEG")
    out.seek(0)
    out.name = "photo.jpg"
    return out


def feature_events(sock):
    return [m for m in sock.drain(quiet=0.5) if m["type"].startswith("feature.")]


@pytest.fixture
def watched(ws, make_user):
    """A public map with one feature, and an anonymous viewer's socket on it: watched(name) → (map, feature, socket)."""
    def make(name):
        owner = make_user("owner")
        m = map_create(owner=owner, title="공개 지도")
        f = feature_create(map_obj=m, actor=owner, geom=GEOSGeometry(json.dumps(POINT)), name=name)
        viewer = ws(f"/ws/maps/{m.pk}/")
        viewer.wait_for("hello")
        return m, f, viewer

    return make


def test_a_hidden_feature_leaves_every_open_map_and_comes_back_when_restored(ws, watched, staff):
    m, f, viewer = watched("수상한 글")
    content_hidden_set(target=f, hidden=True, actor=staff, action="test.hide")
    hidden = viewer.wait_for("feature.deleted")
    assert (hidden["id"], hidden["hidden"], hidden["feature"]["geometry"]) == (f.pk, True, None)
    assert "수상한 글" not in json.dumps(hidden) and hidden["author"] == ""
    content_hidden_set(target=f, hidden=False, actor=staff, action="test.restore")
    restored = viewer.wait_for("feature.created")
    assert restored["id"] == f.pk and restored["feature"]["properties"]["name"] == "수상한 글"
    assert restored["revision"] == hidden["revision"] + 1
    # a reconnecting client gets both in its replay
    late = ws(f"/ws/maps/{m.pk}/?since={hidden['revision'] - 1}")
    late.wait_for("hello")
    assert [(e["type"], e["id"]) for e in feature_events(late)] == [("feature.deleted", f.pk), ("feature.created", f.pk)]


def test_flags_that_hide_a_feature_and_the_moderators_restore_reach_the_socket(watched, make_user, staff):
    _m, f, viewer = watched("광고")
    for i in range(3):  # three established flaggers weigh MODERATION_FLAGS_TO_HIDE
        flag_create(user=make_user(f"flagger{i}", established=True), target_type="feature", target_id=f.pk,
                    reason=Flag.Reason.SPAM)
    assert viewer.wait_for("feature.deleted")["id"] == f.pk
    flag_decide(actor=staff, target_type="feature", target_id=f.pk, decision="restore")
    assert viewer.wait_for("feature.created")["id"] == f.pk


def test_a_photo_added_or_removed_over_rest_shows_on_the_open_sockets(watched, client_for):
    cache.clear()
    m, f, viewer = watched("가로등")
    owner = m.owner
    client = client_for(owner)
    response = client.post(f"/api/maps/{m.pk}/features/{f.pk}/photos/", {"image": jpeg()}, format="multipart")
    assert response.status_code == 201, response.content
    added = viewer.wait_for("feature.updated")
    assert added["id"] == f.pk and [p["id"] for p in added["feature"]["properties"]["photos"]] == [response.json()["id"]]
    assert added["author"] == owner.public_name
    assert client.delete(f"/api/maps/{m.pk}/features/{f.pk}/photos/{response.json()['id']}/").status_code == 204
    removed = viewer.wait_for("feature.updated")
    assert removed["feature"]["properties"]["photos"] == [] and removed["revision"] == added["revision"] + 1


def test_a_hidden_photo_disappears_from_the_feature_on_open_sockets(watched, staff, client_for):
    from maps.models import FeaturePhoto

    cache.clear()
    m, f, viewer = watched("가로등")
    photo_id = client_for(m.owner).post(f"/api/maps/{m.pk}/features/{f.pk}/photos/", {"image": jpeg()},
                                        format="multipart").json()["id"]
    assert viewer.wait_for("feature.updated")["feature"]["properties"]["photos"][0]["id"] == photo_id
    content_hidden_set(target=FeaturePhoto.objects.get(pk=photo_id), hidden=True, actor=staff, action="test.hide")
    assert viewer.wait_for("feature.updated")["feature"]["properties"]["photos"] == []
