"""The building blocks other apps use: CreationRateThrottle, and the ban check services make, behind a plain DRF view."""
import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from accounts.permissions import require_not_banned
from geoplatform.throttles import CreationRateThrottle

pytestmark = pytest.mark.django_db


class CreateThing(APIView):
    throttle_classes = [CreationRateThrottle]
    throttle_scope = "things"

    def post(self, request):
        require_not_banned(request.user)  # what every creating service does first
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
    assert "다시 시도" in str(refused.data["detail"]) and "Try" not in str(refused.data["detail"])


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
    assert "금지" in str(response.data["detail"]) and "banned" not in str(response.data["detail"])


def _report(geom):
    import json

    return {"type": "Feature", "geometry": json.loads(geom.geojson),
            "properties": {"category": "road_damage", "description": "파손 (sample)"}}


def test_the_31st_report_in_a_minute_gets_429_with_retry_after(client_for, citizen, categories, places):
    from reports.models import Report

    client = client_for(citizen)
    for i in range(30):
        response = client.post("/api/reports/", _report(places["seolleung"]), format="json")
        assert response.status_code == 201, (i, response.content)
    refused = client.post("/api/reports/", _report(places["seolleung"]), format="json")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "다시 시도" in refused.json()["detail"]
    assert Report.objects.count() == 30
    assert client.get("/api/reports/").status_code == 200  # reading is still fine


def test_banned_user_cannot_report(client_for, citizen, categories, places):
    citizen.is_banned = True
    citizen.save()
    response = client_for(citizen).post("/api/reports/", _report(places["seolleung"]), format="json")
    assert response.status_code == 403 and "금지" in response.json()["detail"]


def test_staff_ban_a_user_through_the_api_and_it_is_audited(client_for, staff, citizen, categories, places):
    from audit.models import AuditLog

    response = client_for(staff).post("/api/moderation/bans/", {"user": citizen.pk, "banned": True,
                                                                "reason": "광고 도배 / spam"}, format="json")
    assert response.json() == {"user": citizen.pk, "banned": True}
    assert client_for(citizen).post("/api/reports/", _report(places["seolleung"]), format="json").status_code == 403
    entry = AuditLog.objects.get(action="user.ban")
    assert (entry.actor, entry.target_id, entry.before, entry.after["is_banned"]) == (
        staff, str(citizen.pk), {"is_banned": False}, True)
    assert client_for(citizen).post("/api/moderation/bans/", {"user": staff.pk, "banned": True, "reason": "x"},
                                    format="json").status_code == 403


@pytest.mark.parametrize("language,message", [("en", "No such user."), ("ko", "해당 사용자가 없습니다.")])
def test_banning_an_unknown_user_is_a_404_in_the_readers_language_and_changes_nothing(client_for, staff, language,
                                                                                      message):
    from audit.models import AuditLog

    response = client_for(staff).post("/api/moderation/bans/", {"user": 10**12, "banned": True, "reason": "spam"},
                                      format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert (response.status_code, response.json()) == (404, {"detail": message})
    assert not AuditLog.objects.filter(action__in=["user.ban", "user.unban"]).exists()
