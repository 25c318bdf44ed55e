"""Finding 11 of #16 (names and e-mail): official names are reserved, real officials are badged by role,
and a new e-mail address counts only once its owner follows the link sent to it."""
import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", [
    "서울시청 공식", "Seoul City Hall official", "강남구청", "시 청", "관리자", "OFFICIAL", "Ｏｆｆｉｃｉａｌ",
    "seoul\u200bcity\u200bhall", "Gangnam-gu Office 공식 계정", "ADMIN", "운영자",
])
def test_a_citizen_cannot_take_an_official_display_name(client_for, citizen, name):
    response = client_for(citizen).patch("/api/auth/me/", {"display_name": name}, format="json")
    assert response.status_code == 400, name
    assert "display_name" in response.json()
    citizen.refresh_from_db()
    assert citizen.display_name == ""


@pytest.mark.parametrize("name", ["김민지", "Minji Kim", "한강 산책러", "Gangnam walker"])
def test_ordinary_display_names_are_accepted(client_for, citizen, name):
    response = client_for(citizen).patch("/api/auth/me/", {"display_name": name}, format="json")
    assert response.status_code == 200 and response.json()["display_name"] == name


def test_an_official_may_use_an_official_name(client_for, gangnam_officer):
    response = client_for(gangnam_officer).patch("/api/auth/me/", {"display_name": "강남구청 안전총괄과"}, format="json")
    assert response.status_code == 200 and response.json()["display_name"] == "강남구청 안전총괄과"


def test_officials_are_badged_by_role_and_citizens_are_not(client_for, citizen, gangnam_officer, staff):
    assert client_for(citizen).get("/api/auth/me/").json()["is_official"] is False
    assert client_for(gangnam_officer).get("/api/auth/me/").json()["is_official"] is True
    assert client_for(staff).get("/api/auth/me/").json()["is_official"] is True


def test_map_and_feature_authors_carry_the_official_badge_by_role(client_for, citizen, staff):
    from maps.models import Map

    for user in (citizen, staff):
        client = client_for(user)
        created = client.post("/api/maps/", {"title": f"map of {user.username}", "visibility": "public"}, format="json")
        assert created.status_code == 201, created.content
        feature = client.post(f"/api/maps/{created.json()['id']}/features/", {
            "type": "Feature", "geometry": {"type": "Point", "coordinates": [126.978, 37.5665]},
            "properties": {"name": "시청 앞"}}, format="json")
        assert feature.status_code == 201, feature.content
    maps = {m.owner.username: m for m in Map.objects.all()}
    anon = client_for(None)
    assert anon.get(f"/api/maps/{maps['minji'].pk}/").json()["owner_official"] is False
    assert anon.get(f"/api/maps/{maps['staff'].pk}/").json()["owner_official"] is True
    features = anon.get(f"/api/maps/{maps['staff'].pk}/features/").json()["features"]
    assert features[0]["properties"]["author_official"] is True


def test_changing_the_email_needs_the_link_sent_to_the_new_address(client_for, citizen, committed, mailoutbox):
    client = client_for(citizen)
    # Changing it directly is not possible any more …
    client.patch("/api/auth/me/", {"email": "attacker@example.org"}, format="json")
    citizen.refresh_from_db()
    assert citizen.email == "minji@example.org"
    # … asking sends a link to the new address, and nothing changes until it is followed.
    response = committed(client.post, "/api/auth/email/", {"email": "new-minji@example.org"}, format="json")
    assert response.status_code == 202
    citizen.refresh_from_db()
    assert citizen.email == "minji@example.org" and citizen.email_verified
    assert mailoutbox[-1].to == ["new-minji@example.org"]
    token = re.search(r"/accounts/verify/([^/\s]+)/", mailoutbox[-1].body).group(1)
    assert client_for(None).post("/api/auth/verify/", {"token": token}, format="json").status_code == 200
    citizen.refresh_from_db()
    assert citizen.email == "new-minji@example.org" and citizen.email_verified


def test_web_email_change_sends_a_link_and_keeps_the_old_address(client, citizen, committed, mailoutbox):
    client.force_login(citizen)
    response = committed(client.post, "/accounts/email/", {"email": "other@example.org"})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.email == "minji@example.org"
    assert mailoutbox[-1].to == ["other@example.org"]
    assert client.post("/accounts/email/", {"email": "not-an-address"}).status_code == 400
