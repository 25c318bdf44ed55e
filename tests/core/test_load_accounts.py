"""make load's citizens sign in to accounts made by `load_accounts` (sign-up activates only by e-mail link)."""
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from geoplatform.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_load_accounts_can_sign_in_and_the_command_is_idempotent(settings):
    settings.DEBUG = True
    call_command("load_accounts", count=3)
    call_command("load_accounts", count=3)
    User = get_user_model()
    assert sorted(User.objects.filter(username__startswith="load-").values_list("username", flat=True)) == [
        "load-0001", "load-0002", "load-0003"]
    response = APIClient().post("/api/auth/token/", {"username": "load-0002", "password": DEMO_PASSWORD},
                                format="json")
    assert response.status_code == 200
    assert response.json()["token"]
    assert User.objects.get(username="load-0003").email_verified


def test_load_accounts_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refusing without DEBUG"):
        call_command("load_accounts", count=2)
    assert not get_user_model().objects.filter(username__startswith="load-").exists()
