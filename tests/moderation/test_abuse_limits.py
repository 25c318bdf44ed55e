"""The building blocks other apps use: CreationRateThrottle and NotBanned, behind a plain DRF view."""
import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from moderation.permissions import NotBanned
from moderation.throttles import CreationRateThrottle

pytestmark = pytest.mark.django_db


class CreateThing(APIView):
    throttle_classes = [CreationRateThrottle]
    permission_classes = [NotBanned]
    throttle_scope = "things"

    def post(self, request):
        return Response(status=201)

    def get(self, request):
        return Response(status=200)


def _post(user, ip="203.0.113.7"):
    request = APIRequestFactory().post("/things/", {}, format="json", REMOTE_ADDR=ip)
    if user is not None:
        force_authenticate(request, user=user)
    return CreateThing.as_view()(request)


def test_scope_rate_from_settings_limits_per_user_with_retry_after(settings, citizen):
    settings.MODERATION_CREATION_RATES = {"things": "3/minute"}
    assert [_post(citizen, ip=f"203.0.113.{i}").status_code for i in range(3)] == [201, 201, 201]
    refused = _post(citizen, ip="203.0.113.99")  # a new address does not help the same account
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "/" in str(refused.data["detail"]) and "다시 시도" in str(refused.data["detail"])


def test_scope_rate_limits_per_ip_across_accounts(settings, make_user):
    settings.MODERATION_CREATION_RATES = {"things": "3/minute"}
    users = [make_user() for _ in range(4)]
    codes = [_post(user, ip="198.51.100.5").status_code for user in users]
    assert codes == [201, 201, 201, 429]
    assert _post(users[3], ip="198.51.100.6").status_code == 201  # that account elsewhere is fine


def test_reads_are_never_limited(settings, citizen):
    settings.MODERATION_CREATION_RATES = {"things": "1/minute"}
    request = APIRequestFactory().get("/things/", REMOTE_ADDR="203.0.113.7")
    force_authenticate(request, user=citizen)
    assert [CreateThing.as_view()(request).status_code for _ in range(3)] == [200, 200, 200]


def test_banned_user_cannot_create_and_is_told_why(citizen):
    citizen.is_banned = True
    citizen.save()
    response = _post(citizen)
    assert response.status_code == 403
    assert "banned" in str(response.data["detail"]) and "금지" in str(response.data["detail"])
