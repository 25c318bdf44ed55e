"""Socket errors in the reader's language, and the limit on edit operations per person per map."""
import json

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token

from maps.services import collaborator_set, feature_create, map_create

pytestmark = pytest.mark.django_db(transaction=True)

POINT = {"type": "Point", "coordinates": [127.0276, 37.4979]}


def token(user):
    return Token.objects.get_or_create(user=user)[0].key


def point(m, user, name="비상벨"):
    return feature_create(map_obj=m, actor=user, geom=GEOSGeometry(json.dumps(POINT)), name=name)


def bad_json_error(sock):
    sock.wait_for("hello")
    sock.ws.send("not json")
    return sock.wait_for("error")["detail"]


def test_socket_errors_follow_accept_language_the_language_cookie_and_the_accounts_choice(ws, make_user):
    owner = make_user("owner")
    m = map_create(owner=owner, title="공개 지도")
    path = f"/ws/maps/{m.pk}/"
    assert bad_json_error(ws(path, headers={"Accept-Language": "en-US,en;q=0.9"})) == "Send JSON objects with a type."
    assert bad_json_error(ws(path, headers={"Accept-Language": "ko-KR"})) == "type 값이 있는 JSON 객체를 보내 주세요."
    assert bad_json_error(ws(path)) == "type 값이 있는 JSON 객체를 보내 주세요."  # LANGUAGE_CODE
    assert bad_json_error(ws(path, headers={"Accept-Language": "ko", "Cookie": "django_language=en"})) \
        == "Send JSON objects with a type."
    english_reader = make_user("reader", preferred_language="en")
    assert bad_json_error(ws(path, token=token(english_reader), headers={"Accept-Language": "ko"})) \
        == "Send JSON objects with a type."


def test_a_refused_edit_is_explained_in_the_readers_language(ws, make_user):
    owner, stranger = make_user("owner"), make_user("stranger", preferred_language="en")
    m = map_create(owner=owner, title="지도", contribution_mode="editors")
    f = point(m, owner)
    korean = ws(f"/ws/maps/{m.pk}/", token=token(make_user("minji")))
    english = ws(f"/ws/maps/{m.pk}/", token=token(stranger))
    for sock in (korean, english):
        sock.wait_for("hello")
        sock.send({"type": "feature.update", "ref": "x", "id": f.pk, "base_version": 1, "changes": {"name": "?"}})
    assert korean.wait_for("error")["detail"] == "이 장소를 수정할 수 없습니다."
    assert english.wait_for("error")["detail"] == "You cannot edit this feature."
    korean.send({"type": "feature.update", "ref": "y", "id": 10**9, "base_version": 1, "changes": {}})
    with translation.override("ko"):
        no_such = gettext("No such feature.")
    assert no_such != "No such feature."
    assert korean.wait_for("error", where=lambda e: e["ref"] == "y") == {
        "type": "error", "ref": "y", "status": 404, "detail": no_such}


def test_edit_operations_beyond_the_limit_are_refused_per_person_and_map(ws, make_user, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "live_edits": "3/minute"}}
    owner, editor = make_user("owner"), make_user("editor")
    m = map_create(owner=owner, title="지도", contribution_mode="editors")
    other_map = map_create(owner=owner, title="다른 지도")
    collaborator_set(map_obj=m, actor=owner, user=editor, role="editor")
    f, g = point(m, owner), point(other_map, owner)
    sock = ws(f"/ws/maps/{m.pk}/", token=token(owner))
    sock.wait_for("hello")
    version = 1
    for i in range(3):
        sock.send({"type": "feature.update", "ref": i, "id": f.pk, "base_version": version, "changes": {"name": f"n{i}"}})
        version = sock.wait_for("ack", where=lambda a, i=i: a["ref"] == i)["version"]
    sock.send({"type": "feature.update", "ref": 3, "id": f.pk, "base_version": version, "changes": {"name": "n3"}})
    refused = sock.wait_for("error", where=lambda e: e["ref"] == 3)
    assert refused["status"] == 429 and 1 <= refused["retry_after"] <= 61
    assert refused["detail"] == f"짧은 시간에 너무 많이 수정했습니다. {refused['retry_after']}초 뒤에 다시 시도해 주세요."
    f.refresh_from_db()
    assert (f.name, f.version) == ("n2", version)  # the refused operation changed nothing
    # Another person on the same map, and the same person on another map, still have their own allowance.
    colleague = ws(f"/ws/maps/{m.pk}/", token=token(editor))
    colleague.wait_for("hello")
    colleague.send({"type": "feature.update", "ref": "c", "id": f.pk, "base_version": version, "changes": {"name": "c"}})
    assert colleague.wait_for("ack", where=lambda a: a["ref"] == "c")["version"] == version + 1
    elsewhere = ws(f"/ws/maps/{other_map.pk}/", token=token(owner))
    elsewhere.wait_for("hello")
    elsewhere.send({"type": "feature.update", "ref": "o", "id": g.pk, "base_version": 1, "changes": {"name": "o"}})
    assert elsewhere.wait_for("ack", where=lambda a: a["ref"] == "o")["version"] == 2
