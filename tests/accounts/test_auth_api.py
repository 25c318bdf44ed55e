import pytest
from django.contrib.auth import get_user_model

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_signup_creates_a_citizen_and_returns_a_token(api):
    response = api.post("/api/auth/signup/", {"username": "seoyeon", "email": "s@example.org", "password": "Hangang-river-2026"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["role"] == "citizen" and body["token"]
    me = api.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert me.json()["username"] == "seoyeon"


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"username": "a", "email": "x@example.org", "password": "Hangang-river-2026"}, "username"),
        ({"username": "valid_name", "email": "not-an-email", "password": "Hangang-river-2026"}, "email"),
        ({"username": "valid_name", "email": "x@example.org", "password": "1234"}, "password"),
        ({"username": "valid_name", "email": "x@example.org", "password": "password"}, "password"),
        ({"username": "valid_name", "email": "x@example.org"}, "password"),
    ],
)
def test_signup_rejects_bad_input_with_a_message(api, payload, field):
    response = api.post("/api/auth/signup/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert get_user_model().objects.filter(username="valid_name").count() == 0


def test_signup_refuses_a_taken_username(api, citizen):
    response = api.post("/api/auth/signup/", {"username": "MINJI", "email": "m@example.org", "password": "Hangang-river-2026"}, format="json",
                        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "taken" in response.json()["username"][0]


def test_token_for_right_credentials(api, citizen):
    response = api.post("/api/auth/token/", {"username": "minji", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert len(response.json()["token"]) == 40


@pytest.mark.parametrize("username,password", [("minji", "wrong"), ("nobody", PASSWORD)])
def test_wrong_credentials_are_a_400_with_a_clear_message(api, citizen, username, password):
    response = api.post("/api/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 400
    assert "Wrong username or password" in response.json()["detail"][0] if isinstance(response.json()["detail"], list) else response.json()["detail"]


def test_auth_endpoints_are_throttled(api, settings):
    from django.core.cache import cache

    cache.clear()
    statuses = [api.post("/api/auth/token/", {"username": "x", "password": "y"}, format="json").status_code for _ in range(25)]
    assert statuses[:20] == [400] * 20
    assert statuses[-1] == 429
    cache.clear()


def test_deleting_the_account_anonymises_the_user(client_for, citizen):
    client = client_for(citizen)
    assert client.delete("/api/auth/me/").status_code == 204
    citizen.refresh_from_db()
    assert citizen.username == f"deleted-{citizen.pk}"
    assert citizen.email == "" and not citizen.is_active and not citizen.has_usable_password()
    assert client.get("/api/auth/me/").status_code == 401
