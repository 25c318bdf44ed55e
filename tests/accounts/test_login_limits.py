"""Finding 4 of #16: password guessing and account enumeration through the web and admin forms.

Every door that takes a password counts wrong ones per account (django-axes, in the cache) and
locks the account for AXES_COOLOFF_TIME after AXES_FAILURE_LIMIT; every door that takes a password
or creates an account shares one per-address limit with the API token endpoint (scope "auth").
"""
import re

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _web_login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_web_login_locks_the_account_after_repeated_wrong_passwords(client, citizen, settings):
    """The attack: 40 wrong passwords, then the right one. Now the right one is refused too."""
    statuses = [_web_login(client, "minji", f"guess-{i}").status_code for i in range(8)]
    assert statuses[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)  # form again, with the error
    assert statuses[-1] == 429
    right = _web_login(client, "minji", PASSWORD)
    assert right.status_code == 429 and int(right["Retry-After"]) >= 60
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account_and_holds_on_every_door(client, api, citizen, citizen2, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _web_login(client, "minji", f"guess-{i}")
    # The API token door refuses the right password for the locked account …
    locked = api.post("/api/auth/token/", {"username": "minji", "password": PASSWORD}, format="json")
    assert locked.status_code == 429 and locked["Retry-After"]
    # … while another account signs in normally.
    other = api.post("/api/auth/token/", {"username": "jihoon", "password": PASSWORD}, format="json")
    assert other.status_code == 200


def test_admin_login_locks_the_account_after_repeated_wrong_passwords(client, staff, settings):
    for i in range(settings.AXES_FAILURE_LIMIT + 3):
        client.post("/admin/login/", {"username": "staff", "password": f"guess-{i}", "next": "/admin/"})
    right = client.post("/admin/login/", {"username": "staff", "password": PASSWORD, "next": "/admin/"})
    assert right.status_code == 429
    assert client.get("/admin/").status_code == 302  # still not signed in


def test_a_correct_password_before_the_limit_resets_the_count(client, citizen, settings):
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        _web_login(client, "minji", f"guess-{i}")
    assert _web_login(client, "minji", PASSWORD).status_code == 302
    client.logout()
    assert _web_login(client, "minji", "guess-again").status_code == 200


def test_web_login_shares_the_per_address_limit_with_the_api_token_endpoint(client, api):
    """Spraying many usernames from one address: the 21st submission on any door is a 429."""
    for i in range(10):
        api.post("/api/auth/token/", {"username": f"nobody{i}", "password": "x"}, format="json")
    statuses = [_web_login(client, f"someone{i}", "x").status_code for i in range(12)]
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]
    assert client.post("/admin/login/", {"username": "a", "password": "b"}).status_code == 429


def test_web_signup_is_rate_limited_per_address(client):
    statuses = [client.post("/accounts/signup/", {"username": f"new{i}", "email": f"n{i}@example.org",
                                                  "password": "Hangang-river-2026", "password2": "Hangang-river-2026"}).status_code
                for i in range(22)]
    assert statuses[:20] == [200] * 20 and statuses[20:] == [429, 429]


def _visible_text(html: bytes) -> str:
    text = re.sub(r'<input type="hidden" name="csrfmiddlewaretoken"[^>]*>', "", html.decode())
    return re.sub(r'"csrfToken": "[^"]*"', "", text)


def test_web_signup_does_not_reveal_whether_a_username_is_taken(client, citizen, committed, mailoutbox):
    form = {"email": "probe@example.org", "password": "Hangang-river-2026", "password2": "Hangang-river-2026"}
    taken = committed(client.post, "/accounts/signup/", {**form, "username": "minji"})
    free = committed(client.post, "/accounts/signup/", {**form, "username": "brand_new"})
    assert taken.status_code == free.status_code == 200
    assert _visible_text(taken.content) == _visible_text(free.content)
    assert "taken" not in taken.content.decode() and "사용 중" not in taken.content.decode()
    assert get_user_model().objects.filter(username__iexact="minji").count() == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["probe@example.org", "probe@example.org"]


def test_web_signup_then_link_then_sign_in(client, committed, mailoutbox):
    committed(client.post, "/accounts/signup/", {"username": "dahye", "email": "d@example.org",
                                                  "password": "Hangang-river-2026", "password2": "Hangang-river-2026"})
    assert _web_login(client, "dahye", "Hangang-river-2026").status_code == 200  # inactive until confirmed
    path = re.search(r"(/accounts/verify/[^\s]+/)", mailoutbox[0].body).group(1)
    assert client.get(path).status_code == 200
    assert _web_login(client, "dahye", "Hangang-river-2026").status_code == 302
    assert get_user_model().objects.get(username="dahye").email_verified


class _Clock:
    """The cache's clock, moved by hand: a lock-out of hours is tested without waiting for it."""

    def __init__(self):
        import time
        self.now = time.time()

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    from django.core.cache.backends import base, locmem

    fake = _Clock()
    monkeypatch.setattr(locmem, "time", fake)
    monkeypatch.setattr(base, "time", fake)
    return fake


def _lock_out(client, settings, username="minji"):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _web_login(client, username, f"guess-{i}")


def test_each_new_lockout_of_an_account_doubles_the_wait_up_to_the_ceiling(client, api, citizen, citizen2, settings,
                                                                           clock):
    """The attack: wait out every lock-out and guess again. The waits grow 15, 30, 60 … minutes, up to a day."""
    base = settings.AXES_COOLOFF_TIME
    waits = []
    for _ in range(9):
        _lock_out(client, settings)
        refused = api.post("/api/auth/token/", {"username": "minji", "password": PASSWORD}, format="json")
        assert refused.status_code == 429
        wait = int(refused["Retry-After"])
        waits.append(wait)
        clock.now += wait - 5
        still = api.post("/api/auth/token/", {"username": "minji", "password": PASSWORD}, format="json")
        assert still.status_code == 429  # 5 s before the end: still locked (that attempt restarts nothing longer)
        clock.now += int(api.post("/api/auth/token/", {"username": "minji", "password": PASSWORD},
                                  format="json")["Retry-After"]) + 1
    minutes = [w // 60 for w in waits]
    assert minutes == [15, 30, 60, 120, 240, 480, 960, 1440, 1440], minutes
    assert base.total_seconds() == 15 * 60
    # the page says the grown wait too, and another account is not slowed by this one's lock-outs
    _lock_out(client, settings)
    page = _web_login(client, "minji", PASSWORD)
    assert page.status_code == 429 and page["Retry-After"] == str(24 * 3600)
    assert api.post("/api/auth/token/", {"username": "jihoon", "password": PASSWORD}, format="json").status_code == 200


def test_the_lockout_count_is_forgotten_a_day_after_the_last_one_ended(client, api, citizen, settings, clock):
    _lock_out(client, settings)
    first = int(api.post("/api/auth/token/", {"username": "minji", "password": PASSWORD}, format="json")["Retry-After"])
    clock.now += first + settings.AXES_LOCKOUT_MEMORY.total_seconds() - 60
    _lock_out(client, settings)  # a minute before the count is forgotten: the wait doubles
    second = int(api.post("/api/auth/token/", {"username": "minji", "password": PASSWORD}, format="json")["Retry-After"])
    assert second == 2 * first
    clock.now += second + settings.AXES_LOCKOUT_MEMORY.total_seconds() + 1
    _lock_out(client, settings)
    again = api.post("/api/auth/token/", {"username": "minji", "password": PASSWORD}, format="json")
    assert int(again["Retry-After"]) == first == 15 * 60
    clock.now += first + 1
    assert api.post("/api/auth/token/", {"username": "minji", "password": PASSWORD}, format="json").status_code == 200
