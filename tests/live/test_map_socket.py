"""The map socket: who may join, edits through the same services, events after commit, replay, merge."""
import json

import pytest
from django.contrib.gis.geos import GEOSGeometry
from rest_framework.authtoken.models import Token
from websockets.exceptions import ConnectionClosed, InvalidStatus

from maps.models import Feature, MapEvent
from maps.services import collaborator_remove, collaborator_set, feature_create, map_create, map_update

pytestmark = pytest.mark.django_db(transaction=True)

POINT = {"type": "Point", "coordinates": [127.0276, 37.4979]}


def token(user):
    return Token.objects.get_or_create(user=user)[0].key


def point(m, user, name="비상벨", **extra):
    return feature_create(map_obj=m, actor=user, geom=GEOSGeometry(json.dumps(POINT)), name=name, **extra)


def test_a_rest_edit_reaches_a_viewer_socket_with_feature_version_revision_and_author(ws, make_user, client_for):
    owner = make_user("owner")
    m = map_create(owner=owner, title="공개 지도")
    viewer = ws(f"/ws/maps/{m.pk}/")
    hello = viewer.wait_for("hello")
    assert hello["revision"] == 0 and hello["permissions"]["edit"] is False
    created = client_for(owner).post(f"/api/maps/{m.pk}/features/", {"geometry": POINT, "name": "강남역 비상벨"},
                                     format="json")
    assert created.status_code == 201
    event = viewer.wait_for("feature.created")
    assert event["feature"]["properties"]["name"] == "강남역 비상벨"
    assert event["feature"]["geometry"]["type"] == "Point"
    assert (event["version"], event["revision"], event["author"]) == (1, 1, owner.public_name)
    assert "email" not in json.dumps(event)


def test_a_private_map_refuses_a_stranger_at_the_handshake_and_admits_a_collaborator(ws, make_user):
    owner, stranger, friend = make_user("owner"), make_user("stranger"), make_user("friend")
    m = map_create(owner=owner, title="비공개 지도", visibility="private")
    collaborator_set(map_obj=m, actor=owner, user=friend, role="viewer")
    for who in (None, stranger):
        with pytest.raises(InvalidStatus) as refused:
            ws(f"/ws/maps/{m.pk}/", token=token(who) if who else None)
        assert refused.value.response.status_code == 403
    assert ws(f"/ws/maps/{m.pk}/", token=token(friend)).wait_for("hello")["permissions"]["edit"] is False


def test_a_foreign_origin_cannot_use_the_session_cookie(ws, make_user):
    owner = make_user("owner")
    m = map_create(owner=owner, title="공개 지도")
    with pytest.raises(InvalidStatus) as refused:
        ws(f"/ws/maps/{m.pk}/", origin="https://evil.example")
    assert refused.value.response.status_code == 403


def test_a_viewer_cannot_edit_over_the_socket_and_an_editor_can(ws, make_user):
    owner, viewer_user = make_user("owner"), make_user("viewer")
    m = map_create(owner=owner, title="공개 지도", contribution_mode="editors")
    viewer = ws(f"/ws/maps/{m.pk}/", token=token(viewer_user))
    viewer.wait_for("hello")
    viewer.send({"type": "feature.create", "ref": "a", "feature": {"type": "Feature", "geometry": POINT,
                                                                  "properties": {"name": "몰래"}}})
    refused = viewer.wait_for("error")
    assert (refused["ref"], refused["status"]) == ("a", 403)
    assert not Feature.objects.filter(map=m).exists()
    editor = ws(f"/ws/maps/{m.pk}/", token=token(owner))
    editor.wait_for("hello")
    editor.send({"type": "feature.create", "ref": "b", "feature": {"type": "Feature", "geometry": POINT,
                                                                  "properties": {"name": "비상벨"}}})
    ack = editor.wait_for("ack")
    assert ack["ref"] == "b" and Feature.objects.get(pk=ack["id"]).name == "비상벨"
    assert viewer.wait_for("feature.created")["id"] == ack["id"]


def test_bad_input_on_the_socket_is_a_clear_400_not_a_closed_socket(ws, make_user):
    owner = make_user("owner")
    m = map_create(owner=owner, title="공개 지도")
    sock = ws(f"/ws/maps/{m.pk}/", token=token(owner))
    sock.wait_for("hello")
    sock.ws.send("not json")
    assert sock.wait_for("error")["status"] == 400
    sock.send({"type": "feature.create", "ref": 1, "feature": {"type": "Feature", "geometry": {"type": "Point"}}})
    assert sock.wait_for("error")["status"] == 400
    sock.send({"type": "feature.update", "ref": 2, "id": 999999, "base_version": 1, "changes": {"name": "x"}})
    assert sock.wait_for("error")["status"] == 404
    sock.send({"type": "ping", "ref": 3})
    assert sock.wait_for("pong")["ref"] == 3


def test_different_properties_of_one_feature_both_survive_and_the_same_property_is_a_conflict(ws, make_user):
    owner, editor = make_user("owner"), make_user("editor")
    m = map_create(owner=owner, title="함께 쓰는 지도", contribution_mode="editors")
    collaborator_set(map_obj=m, actor=owner, user=editor, role="editor")
    f = point(m, owner, properties={"lamp": "on", "note": ""})
    a, b = ws(f"/ws/maps/{m.pk}/", token=token(owner)), ws(f"/ws/maps/{m.pk}/", token=token(editor))
    a.wait_for("hello"), b.wait_for("hello")
    a.send({"type": "feature.update", "ref": "a1", "id": f.pk, "base_version": 1, "changes": {"name": "A의 이름"}})
    assert a.wait_for("ack")["version"] == 2
    b.send({"type": "feature.update", "ref": "b1", "id": f.pk, "base_version": 1,
            "changes": {"properties": {"lamp": "broken", "note": ""}}})
    assert b.wait_for("ack")["version"] == 3
    f.refresh_from_db()
    assert (f.name, f.properties, f.version) == ("A의 이름", {"lamp": "broken", "note": ""}, 3)
    # Both change `note` from version 3: the later sender gets both values; nothing is stored for it.
    a.send({"type": "feature.update", "ref": "a2", "id": f.pk, "base_version": 3,
            "changes": {"properties": {"lamp": "broken", "note": "A가 씀"}}})
    a.wait_for("ack")
    b.send({"type": "feature.update", "ref": "b2", "id": f.pk, "base_version": 3,
            "changes": {"properties": {"lamp": "broken", "note": "B가 씀"}}})
    conflict = b.wait_for("conflict")
    assert conflict["fields"] == [{"field": "properties.note", "base": "", "theirs": "A가 씀", "mine": "B가 씀"}]
    assert conflict["current"]["properties"]["version"] == 4
    f.refresh_from_db()
    assert f.properties["note"] == "A가 씀" and f.version == 4


def test_a_reconnecting_client_gets_exactly_the_events_it_missed(ws, make_user):
    owner = make_user("owner")
    m = map_create(owner=owner, title="공개 지도")
    first = point(m, owner, name="하나")
    sock = ws(f"/ws/maps/{m.pk}/")
    assert sock.wait_for("hello")["revision"] == 1
    sock.close()
    second = point(m, owner, name="둘")
    from maps.services import feature_delete

    first_id = first.pk  # deleting the instance clears its pk
    feature_delete(feature=first, actor=owner)
    again = ws(f"/ws/maps/{m.pk}/?since=1")
    hello = again.wait_for("hello")
    assert hello["revision"] == 3
    missed = [msg for msg in again.drain() if msg["type"].startswith("feature.")]
    assert [(msg["type"], msg["revision"], msg["id"]) for msg in missed] == [
        ("feature.created", 2, second.pk), ("feature.deleted", 3, first_id)]


def test_a_client_too_far_behind_is_told_to_refetch(ws, make_user, settings):
    owner = make_user("owner")
    m = map_create(owner=owner, title="공개 지도")
    for n in range(3):
        point(m, owner, name=f"점 {n}")
    MapEvent.objects.filter(map=m, revision=1).delete()  # pruned from the log
    sock = ws(f"/ws/maps/{m.pk}/?since=0")
    sock.wait_for("hello")
    assert sock.wait_for("refetch")["revision"] == 3


def test_a_pending_suggestion_is_seen_live_by_its_author_and_the_editors_only(ws, make_user):
    owner, author, other = make_user("owner"), make_user("author"), make_user("other")
    m = map_create(owner=owner, title="제안 지도", contribution_mode="moderated")
    socks = {name: ws(f"/ws/maps/{m.pk}/", token=token(user)) for name, user in
             (("owner", owner), ("author", author), ("other", other))}
    for s in socks.values():
        s.wait_for("hello")
    suggestion = point(m, author, name="제안")
    assert socks["owner"].wait_for("feature.created")["feature"]["properties"]["status"] == "pending"
    assert socks["author"].wait_for("feature.created")["id"] == suggestion.pk
    assert [msg for msg in socks["other"].drain() if msg["type"].startswith("feature.")] == []


def test_removing_a_collaborator_and_making_a_map_private_close_their_sockets_at_once(ws, make_user):
    owner, friend = make_user("owner"), make_user("friend")
    m = map_create(owner=owner, title="지도", visibility="private")
    collaborator_set(map_obj=m, actor=owner, user=friend, role="editor")
    friend_sock = ws(f"/ws/maps/{m.pk}/", token=token(friend))
    friend_sock.wait_for("hello")
    collaborator_remove(map_obj=m, actor=owner, user=friend)
    with pytest.raises(ConnectionClosed) as closed:
        friend_sock.wait_for("never", timeout=1.0)
    assert closed.value.rcvd.code == 4403

    map_update(map_obj=m, actor=owner, visibility="public")
    guest = ws(f"/ws/maps/{m.pk}/")
    guest.wait_for("hello")
    map_update(map_obj=m, actor=owner, visibility="private")
    with pytest.raises(ConnectionClosed) as closed:
        guest.wait_for("never", timeout=1.0)
    assert closed.value.rcvd.code == 4403


def test_presence_lists_display_names_and_the_selected_feature(ws, make_user):
    owner, editor = make_user("owner", first_name="민지"), make_user("editor", role="city_staff")
    m = map_create(owner=owner, title="지도", contribution_mode="editors")
    collaborator_set(map_obj=m, actor=owner, user=editor, role="editor")
    f = point(m, owner)
    a = ws(f"/ws/maps/{m.pk}/", token=token(owner))
    b = ws(f"/ws/maps/{m.pk}/", token=token(editor))
    a.send({"type": "presence", "selected": f.pk})
    state = b.wait_for("presence", where=lambda msg: any(p["selected"] == f.pk for p in msg["people"]))
    names = sorted(p["name"] for p in state["people"])
    assert names == sorted([owner.public_name, editor.public_name])
    # the official badge comes from the role, never from the chosen name
    assert {p["name"]: p["official"] for p in state["people"]} == {owner.public_name: False, editor.public_name: True}
    assert "owner@example.org" not in json.dumps(state)
    a.close()
    state = b.wait_for("presence", where=lambda msg: len(msg["people"]) == 1)
    assert state["people"][0]["name"] == editor.public_name


def test_a_client_that_goes_silent_leaves_presence_within_15_seconds(ws, make_user):
    import time

    owner, editor = make_user("owner"), make_user("editor")
    m = map_create(owner=owner, title="지도", contribution_mode="editors")
    collaborator_set(map_obj=m, actor=owner, user=editor, role="editor")
    watcher = ws(f"/ws/maps/{m.pk}/", token=token(owner))
    silent = ws(f"/ws/maps/{m.pk}/", token=token(editor))  # never pings, as a phone that lost its network
    silent.wait_for("hello")
    watcher.wait_for("presence", where=lambda msg: len(msg["people"]) == 2)
    started = time.monotonic()
    while True:  # the watcher keeps talking, as the web app does
        watcher.send({"type": "ping"})
        try:
            state = watcher.wait_for("presence", timeout=2.5, where=lambda msg: len(msg["people"]) == 1)
            break
        except TimeoutError:
            assert time.monotonic() - started < 16, "the silent client is still present"
    assert state["people"][0]["name"] == owner.public_name
    assert time.monotonic() - started <= 15.5
