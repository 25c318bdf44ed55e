"""Finding 10 of #16: Open311 took the account's API token in the query string, and the access log kept it.

Now: Open311-scoped keys (hash stored, shown once), sent in the body or the X-Api-Key header; a key in
the URL is refused with a 400 that says where it goes; the API token is not an Open311 key.
(The access logs themselves: tests/core/test_access_log_secrets.py.)"""
import pytest
from rest_framework.authtoken.models import Token

from reports.models import Open311Key, Report

pytestmark = pytest.mark.django_db

POST = {"service_code": "road_damage", "lat": 37.504503, "long": 127.049008, "description": "보도 파손"}


@pytest.fixture
def key(client_for, citizen):
    response = client_for(citizen).post("/api/open311/keys/", {"label": "my app"}, format="json")
    assert response.status_code == 201
    return response.json()["key"]


def test_an_issued_key_is_shown_once_and_only_its_hash_is_stored(client_for, citizen, key):
    assert key.startswith("o311_") and len(key) > 30
    listed = client_for(citizen).get("/api/open311/keys/").json()["results"]
    assert len(listed) == 1 and "key" not in listed[0] and key.startswith(listed[0]["hint"])
    stored = Open311Key.objects.get()
    assert key not in (stored.key_hash, stored.hint) and stored.key_hash == Open311Key.hash(key)


@pytest.mark.parametrize("where", ["body", "header"])
def test_a_key_in_the_body_or_the_header_creates_a_report(api, categories, citizen, key, where):
    if where == "body":
        response = api.post("/open311/v2/requests.json", {**POST, "api_key": key})
    else:
        response = api.post("/open311/v2/requests.json", POST, HTTP_X_API_KEY=key)
    assert response.status_code == 201, response.content
    assert Report.objects.get().reporter == citizen


def test_a_key_in_the_query_string_is_refused_with_a_pointer_to_the_header(api, categories, key):
    response = api.post(f"/open311/v2/requests.json?api_key={key}", POST)
    assert response.status_code == 400
    assert "X-Api-Key" in response.json()[0]["description"]
    assert api.get(f"/open311/v2/requests.json?api_key={key}").status_code == 400
    assert not Report.objects.exists()


def test_the_account_api_token_is_not_an_open311_key(api, categories, citizen):
    token = Token.objects.create(user=citizen).key
    response = api.post("/open311/v2/requests.json", {**POST, "api_key": token})
    assert response.status_code == 403
    assert "/api/open311/keys/" in response.json()[0]["description"]
    assert not Report.objects.exists()


def test_an_open311_key_does_not_open_the_rest_of_the_api(api, key):
    assert api.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert api.get("/api/auth/me/", HTTP_X_API_KEY=key).status_code in (401, 403)


def test_a_revoked_key_stops_working(api, client_for, categories, citizen, key):
    key_id = client_for(citizen).get("/api/open311/keys/").json()["results"][0]["id"]
    assert client_for(citizen).delete(f"/api/open311/keys/{key_id}/").status_code == 204
    assert api.post("/open311/v2/requests.json", POST, HTTP_X_API_KEY=key).status_code == 403


def test_nobody_revokes_another_persons_key(client_for, citizen, citizen2, key):
    key_id = Open311Key.objects.get().pk
    assert client_for(citizen2).delete(f"/api/open311/keys/{key_id}/").status_code == 404
    assert Open311Key.objects.get().revoked_at is None
