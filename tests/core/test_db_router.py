"""The database router, read-your-writes and the answers when the primary is down (no replica needed)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.test import RequestFactory

from geoplatform import db_router
from geoplatform.db_router import PIN_COOKIE, ReplicaRouter, _use_replica, pin_to_primary, replica_eligible

ROOT = Path(__file__).resolve().parents[2]
rf = RequestFactory()


@pytest.mark.parametrize("path", ["/", "/tiles/districts/12/3492/1586.mvt", "/tiles/map-4.json", "/styles/districts.json",
                                  "/ogc/collections/districts/items", "/open311/v2/services.json", "/maps/12/",
                                  "/layers/districts/", "/api/districts/", "/api/layers/districts/export.geojson",
                                  "/dashboards/", "/meetings/3/"])
def test_public_reads_may_go_to_a_replica(path):
    assert replica_eligible(rf.get(path))


@pytest.mark.parametrize("path", ["/api/maps/", "/api/maps/3/features/", "/api/reports/", "/accounts/",
                                  "/review/", "/moderation/", "/api/jobs/00000000-0000-0000-0000-000000000000/",
                                  "/maps/12/edit/", "/api/auth/me/", "/healthz", "/admin/"])
def test_private_or_fresh_reads_stay_on_the_primary(path):
    assert not replica_eligible(rf.get(path))


def test_writes_never_go_to_a_replica():
    assert not replica_eligible(rf.post("/tiles/districts.json"))
    assert ReplicaRouter().db_for_write(None) == "default"


def test_a_write_pins_the_writer_to_the_primary_and_the_pin_is_signed(settings):
    from django.http import HttpResponse

    response = HttpResponse()
    pin_to_primary(response)
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["max-age"] == settings.DATABASE_READ_YOUR_WRITES_SECONDS and cookie["httponly"]
    pinned = rf.get("/tiles/districts.json")
    pinned.COOKIES[PIN_COOKIE] = cookie.value
    assert not replica_eligible(pinned)
    forged = rf.get("/tiles/districts.json")
    forged.COOKIES[PIN_COOKIE] = "9999999999.0"  # unsigned: ignored
    assert replica_eligible(forged)


@pytest.mark.django_db
def test_an_unsafe_request_answers_with_the_pin_cookie(client):
    response = client.post("/api/auth/token/", {"username": "nobody", "password": "wrong"})
    assert response.status_code == 400
    assert PIN_COOKIE in response.cookies
    assert PIN_COOKIE not in client.get("/api/districts/").cookies


def test_router_reads_from_a_healthy_replica_only_for_eligible_requests(monkeypatch):
    monkeypatch.setattr(db_router, "replica_aliases", lambda: ["replica_1"])
    monkeypatch.setattr(db_router.health, "usable", lambda alias: True)
    router = ReplicaRouter()
    assert router.db_for_read(None) == "default"  # not marked eligible (a worker, a command, a write request)
    token = _use_replica.set(True)
    try:
        assert router.db_for_read(None) == "replica_1"
        monkeypatch.setattr(db_router.health, "usable", lambda alias: False)  # down or lagging
        assert router.db_for_read(None) == "default"
    finally:
        _use_replica.reset(token)


@pytest.mark.django_db
def test_reads_inside_a_transaction_stay_on_the_primary(monkeypatch):
    monkeypatch.setattr(db_router, "replica_aliases", lambda: ["replica_1"])
    monkeypatch.setattr(db_router.health, "usable", lambda alias: True)
    token = _use_replica.set(True)
    try:
        with transaction.atomic():
            assert ReplicaRouter().db_for_read(None) == "default"
    finally:
        _use_replica.reset(token)


@pytest.mark.django_db
def test_a_server_that_is_not_in_recovery_is_never_read_as_a_replica():
    # A promoted replica is a primary of its own; so is the test database.
    usable, lag = db_router.health.probe("default")
    assert usable is False and lag == 0


@pytest.mark.django_db
def test_the_replica_probe_asks_on_a_connection_of_its_own_not_one_lent_by_the_pool(monkeypatch):
    """A pool with every connection lent to requests is a busy process, not a lost replica."""
    def pool_exhausted(*args, **kwargs):
        raise OperationalError("couldn't get a connection after 2.00 sec")

    monkeypatch.setattr(connection, "cursor", pool_exhausted)
    assert db_router.health.probe("default") == (False, 0.0)  # answered: not in recovery, not "unreachable"


@pytest.fixture
def primary_down(unused_tcp_port):
    """Point the live connection at a port where no PostgreSQL listens: the primary is stopped."""
    connection.close()
    saved = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = unused_tcp_port
    yield
    connection.close()
    connection.settings_dict["PORT"] = saved


@pytest.mark.django_db(transaction=True)
def test_a_write_while_the_primary_is_down_is_a_503_with_retry_after_in_the_readers_language(primary_down, client):
    response = client.post("/api/maps/", {"title": "x"}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en",
                           HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response.json()["detail"].startswith("The database cannot take changes right now. Nothing was saved")
    assert PIN_COOKIE not in response.cookies


@pytest.mark.django_db(transaction=True)
def test_a_page_while_the_database_is_down_is_a_503_page_not_a_500(primary_down, client):
    response = client.get("/dashboards/", HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503 and response["Content-Type"].startswith("text/html")
    assert b"The database is unavailable right now" in response.content


@pytest.mark.django_db(transaction=True)
def test_healthz_says_the_primary_is_down(primary_down, client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["primary"] == "down" and response.json()["down"] == ["primary"]


def _settings_check(**env_changes):
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "k" * 50, "DJANGO_SETTINGS_MODULE": "geoplatform.settings.base"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)


def test_production_settings_refuse_to_start_without_a_database_url():
    result = _settings_check(DATABASE_URL=None)
    assert result.returncode != 0 and "Set DATABASE_URL" in result.stderr


def test_production_settings_refuse_a_database_url_without_a_password():
    result = _settings_check(DATABASE_URL="postgis://geoplatform@127.0.0.1:5432/geoplatform")
    assert result.returncode != 0 and "database password" in result.stderr


def test_replica_urls_become_replica_aliases():
    code = "from django.conf import settings; print(sorted(settings.DATABASES))"
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "geoplatform.settings.base",
           "DATABASE_REPLICA_URLS": "postgis://u:p@127.0.0.1:1/a,postgis://u:p@127.0.0.1:2/a"}
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.stdout.strip() == "['default', 'replica_1', 'replica_2']", result.stderr


@pytest.mark.django_db(transaction=True)
def test_a_tile_on_the_light_path_while_the_database_is_down_is_a_503_not_a_500(primary_down):
    from django.core.handlers.wsgi import WSGIHandler

    from layers.cache import tile_cache
    from layers.light import tiles_first

    tile_cache().clear()  # a tile rendered by an earlier test would (rightly) be served without the database
    environ = rf.get("/tiles/districts/12/3492/1586.mvt", HTTP_ACCEPT_LANGUAGE="en").environ
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=int(status.split()[0]), headers=dict(headers))

    body = b"".join(tiles_first(WSGIHandler())(environ, start_response))
    assert answer["status"] == 503 and int(answer["headers"]["Retry-After"]) > 0
    assert json.loads(body)["detail"] == "The database is unavailable right now. Try again in a minute."


@pytest.mark.django_db(transaction=True)
def test_a_write_that_committed_before_the_database_went_away_says_it_was_saved(client, citizen, monkeypatch):
    """The primary stops between a write's commit and its answer: the 503 must not claim nothing was saved."""
    from rest_framework.authtoken.models import Token

    from maps import api as maps_api

    from maps.models import Map

    token = Token.objects.create(user=citizen)

    def stop_the_primary_after_the_commit(*args, **kwargs):
        connection.close()
        connection.settings_dict["PORT"] = 1  # nothing listens there
        Map.objects.exists()  # the answer needs the database once more

    saved = connection.settings_dict["PORT"]
    monkeypatch.setattr(maps_api, "MapOutputSerializer", stop_the_primary_after_the_commit)
    try:
        response = client.post("/api/maps/", {"title": "저장된 지도"}, content_type="application/json",
                                HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = saved
    assert response.status_code == 503
    assert response.json()["detail"].startswith("Your change was saved")
    assert PIN_COOKIE in response.cookies  # the writer reads their change from the primary
    assert Map.objects.filter(title="저장된 지도").count() == 1
