"""The light tile path (layers/light.py): same tiles, same permissions, fewer layers of machinery."""
import gzip

import mapbox_vector_tile
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from rest_framework.authtoken.models import Token

from layers import selectors
from layers.light import tiles_first
from layers.models import LayerVersion
from layers.registry import registry
from layers.selectors import layer_tile_version
from layers.tilegrid import lonlat_to_tile_fraction

from .conftest import CITY_HALL

pytestmark = pytest.mark.django_db
TOILETS = "dataset-seoul_public_toilets"


def tile_of(lonlat, z):
    fx, fy = lonlat_to_tile_fraction(*lonlat, z)
    return z, int(fx), int(fy)


@pytest.fixture
def app():
    full = WSGIHandler()
    light = tiles_first(full)
    assert light is not full
    return full, light


def test_a_public_tile_is_the_same_through_the_light_path(app, wsgi, datasets):
    full, light = app
    z, x, y = tile_of(CITY_HALL, 14)
    path = f"/tiles/{TOILETS}/{z}/{x}/{y}.mvt"
    status, headers, body = wsgi(light, path, HTTP_ACCEPT_ENCODING="gzip")
    full_status, full_headers, full_body = wsgi(full, path, HTTP_ACCEPT_ENCODING="gzip")
    assert status == full_status == 200
    assert body == full_body and headers["ETag"] == full_headers["ETag"]
    assert headers["Cache-Control"] == full_headers["Cache-Control"]
    assert headers["Content-Encoding"] == "gzip" and headers["Access-Control-Allow-Origin"] == "*"
    assert headers["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware still runs
    features = mapbox_vector_tile.decode(gzip.decompress(body))[TOILETS]["features"]
    assert len(features) > 10
    # no LocaleMiddleware on the light path: the edge does not keep one copy per Accept-Language
    assert "Accept-Language" in full_headers["Vary"] and "Accept-Language" not in headers["Vary"]


def test_private_tiles_take_the_same_permission_check(app, wsgi, client, private_layer, citizen, citizen2):
    _, light = app
    z, x, y = tile_of(CITY_HALL, 15)
    path = f"/tiles/testprivate/{z}/{x}/{y}.mvt"
    assert wsgi(light, path)[0] == 404
    client.force_login(citizen2)
    other = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    assert wsgi(light, path, HTTP_COOKIE=other)[0] == 404
    client.force_login(citizen)
    owner = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    status, headers, _ = wsgi(light, path, HTTP_COOKIE=owner)
    assert status == 200 and headers["Cache-Control"] == "private, no-store"
    token = Token.objects.create(user=citizen)
    assert wsgi(light, path, HTTP_AUTHORIZATION=f"Token {token.key}")[0] == 200
    assert wsgi(light, path, HTTP_AUTHORIZATION="Token not-a-token")[0] == 404


def test_bad_requests_are_answered_in_the_readers_language(app, wsgi, seoul):
    _, light = app
    status, headers, body = wsgi(light, "/tiles/districts/3/99/0.mvt", HTTP_ACCEPT_LANGUAGE="en")
    assert status == 400 and b"does not exist" in body and "Accept-Language" in headers["Vary"]
    assert wsgi(light, "/tiles/districts/3/1/1.mvt", method="POST")[0] == 405
    assert wsgi(light, "/tiles/no_such_layer/3/1/1.mvt")[0] == 404


def test_other_paths_go_to_the_whole_site(app, wsgi, datasets):
    _, light = app
    status, headers, body = wsgi(light, f"/tiles/{TOILETS}.json")
    assert status == 200 and b'"tilejson"' in body
    assert wsgi(light, "/healthz")[0] in (200,)


def test_a_tile_may_reuse_the_counter_read_within_the_memo_only(datasets, monkeypatch):
    layer = registry.get(TOILETS)
    clock = [1000.0]
    monkeypatch.setattr(selectors.time, "monotonic", lambda: clock[0])
    before = layer_tile_version(layer, max_age=1.0)
    LayerVersion.objects.update_or_create(name=TOILETS, defaults={"counter": 99})
    clock[0] += 0.5
    assert layer_tile_version(layer, max_age=1.0) == before  # remembered
    assert layer_tile_version(layer) != before  # TileJSON reads afresh
    clock[0] += 0.6
    assert layer_tile_version(layer, max_age=1.0) != before


def test_the_light_path_checks_the_host_like_the_site(app, wsgi, seoul, settings):
    _, light = app
    settings.ALLOWED_HOSTS = ["maps.example.org"]
    assert wsgi(light, "/tiles/districts/3/6/3.mvt", HTTP_HOST="evil.example.com")[0] == 400
    assert wsgi(light, "/tiles/districts/3/6/3.mvt", HTTP_HOST="maps.example.org")[0] in (200, 204)
