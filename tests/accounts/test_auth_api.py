import re

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _link_token(message) -> str:
    return re.search(r"/accounts/verify/([^/\s]+)/", message.body).group(1)


def test_signup_creates_an_inactive_citizen_that_the_emailed_link_activates(api, mailoutbox, committed):
    response = committed(api.post, "/api/auth/signup/", {"username": "seoyeon", "email": "s@example.org", "password": "Hangang-river-2026"}, format="json")
    assert response.status_code == 202, response.content
    assert "token" not in response.json()
    signin = {"username": "seoyeon", "password": "Hangang-river-2026"}
    assert api.post("/api/auth/token/", signin, format="json").status_code == 400  # not before the link
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["s@example.org"]
    verified = api.post("/api/auth/verify/", {"token": _link_token(mailoutbox[0])}, format="json")
    assert verified.status_code == 200 and verified.json()["email_verified"] is True
    token = api.post("/api/auth/token/", signin, format="json").json()["token"]
    me = api.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert me["username"] == "seoyeon" and me["role"] == "citizen" and me["email_verified"] is True


def test_a_forged_or_altered_verification_token_is_refused(api, mailoutbox, committed):
    committed(api.post, "/api/auth/signup/", {"username": "seoyeon", "email": "s@example.org", "password": "Hangang-river-2026"}, format="json")
    token = _link_token(mailoutbox[0])
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "x" * 40, ""):
        response = api.post("/api/auth/verify/", {"token": bad}, format="json")
        assert response.status_code == 400
    assert not get_user_model().objects.get(username="seoyeon").is_active


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


def test_signup_does_not_reveal_whether_a_username_is_taken(api, citizen, mailoutbox, committed):
    """The enumeration attack: the answer for a taken name equals the answer for a free one."""
    password = "Hangang-river-2026"
    taken = committed(api.post, "/api/auth/signup/", {"username": "MINJI", "email": "m@example.org", "password": password}, format="json")
    free = api.post("/api/auth/signup/", {"username": "free_name", "email": "f@example.org", "password": password}, format="json")
    assert (taken.status_code, taken.json()) == (free.status_code, free.json()) == (202, free.json())
    # The taken name was not given a second account, and the attempt cannot sign in as the owner.
    assert get_user_model().objects.filter(username__iexact="minji").count() == 1
    assert api.post("/api/auth/token/", {"username": "minji", "password": password}, format="json").status_code == 400
    # Only the address's owner learns the name is taken, by e-mail.
    to_taken = [m for m in mailoutbox if m.to == ["m@example.org"]]
    assert len(to_taken) == 1 and "verify" not in to_taken[0].body


def test_signup_refuses_a_reserved_official_name(api):
    response = api.post("/api/auth/signup/", {"username": "seoul_cityhall", "email": "x@example.org", "password": "Hangang-river-2026"}, format="json")
    assert response.status_code == 400 and "username" in response.json()


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
    statuses = [api.post("/api/auth/token/", {"username": f"x{i}", "password": "y"}, format="json").status_code
                for i in range(25)]
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
