"""Finding 6 of #16: any three fresh accounts could hide any public content. Flags now weigh by trust."""
import datetime

import pytest
from django.utils import timezone

from maps.models import Feature, Map
from moderation.models import Flag
from moderation.trust import flagger_weight

pytestmark = pytest.mark.django_db


@pytest.fixture
def feature_of_a_new_citizen(make_user, places):
    from maps.services import feature_create, map_create

    owner = make_user("newcomer")
    map_obj = map_create(owner=owner, title="망원동 맛집 지도 (sample)", theme="food", visibility="public")
    return feature_create(map_obj=map_obj, actor=owner, geom=places["mangwon"], name="망원시장 (sample)")


def flag(client, target_type, target_id):
    return client.post("/api/flags/", {"target_type": target_type, "target_id": target_id, "reason": "spam"},
                       format="json")


def test_three_fresh_accounts_without_a_confirmed_email_cannot_hide_content(make_user, client_for, feature_of_a_new_citizen):
    """The attack as reported: three new accounts flag, the content used to disappear."""
    socks = [make_user(f"sock{i}", email_verified_at=None) for i in range(3)]
    for sock in socks:
        assert flag(client_for(sock), "feature", feature_of_a_new_citizen.pk).status_code == 201
    assert not Feature.objects.get(pk=feature_of_a_new_citizen.pk).is_hidden
    assert Flag.objects.open().on("feature", feature_of_a_new_citizen.pk).count() == 3  # kept for the moderators


def test_three_fresh_confirmed_accounts_cannot_hide_content_but_three_established_ones_can(
        make_user, client_for, feature_of_a_new_citizen):
    for i in range(3):
        flag(client_for(make_user(f"fresh{i}")), "feature", feature_of_a_new_citizen.pk)
    assert not Feature.objects.get(pk=feature_of_a_new_citizen.pk).is_hidden
    for i in range(2):
        flag(client_for(make_user(f"old{i}", established=True)), "feature", feature_of_a_new_citizen.pk)
    # 3 × 0.5 + 2 × 1 = 3.5: enough weight, from people with a standing
    assert Feature.objects.get(pk=feature_of_a_new_citizen.pk).is_hidden


def test_content_of_an_established_author_stays_visible_until_reviewed(make_user, client_for, places, staff):
    from maps.services import map_create

    author = make_user("longtime", established=True)
    map_obj = map_create(owner=author, title="20년 살아온 동네 지도", visibility="public")
    for i in range(6):
        assert flag(client_for(make_user(f"old{i}", established=True)), "map", map_obj.pk).status_code == 201
    assert not Map.objects.get(pk=map_obj.pk).is_hidden
    queue = client_for(staff).get("/api/moderation/flags/").json()["results"]
    assert any(row["target_type"] == "map" and row["target_id"] == map_obj.pk for row in queue)


def test_content_of_an_official_body_stays_visible_until_reviewed(make_user, client_for, staff):
    from maps.services import map_create

    official_map = map_create(owner=staff, title="서울시 공공화장실 안내", visibility="public")
    for i in range(6):
        flag(client_for(make_user(f"old{i}", established=True)), "map", official_map.pk)
    assert not Map.objects.get(pk=official_map.pk).is_hidden


def test_flags_on_one_target_are_rate_limited(make_user, client_for, feature_of_a_new_citizen, settings):
    settings.MODERATION_FLAGS_PER_TARGET_PER_HOUR = 4
    statuses = [flag(client_for(make_user(f"s{i}", email_verified_at=None)), "feature", feature_of_a_new_citizen.pk)
                .status_code for i in range(6)]
    assert statuses == [201] * 4 + [429, 429]
    assert Flag.objects.on("feature", feature_of_a_new_citizen.pk).count() == 4


def test_a_record_of_upheld_flags_adds_weight_and_rejected_flags_take_it_away(make_user):
    old = timezone.now() - datetime.timedelta(days=400)
    assert flagger_weight(make_user("u0", email_verified_at=None)) == 0
    assert flagger_weight(make_user("u1")) == 0.5
    assert flagger_weight(make_user("u2", date_joined=old)) == 1
    assert flagger_weight(make_user("u3", date_joined=old), upheld=5) == 2
    assert flagger_weight(make_user("u4", date_joined=old), rejected=2) == 0
    assert flagger_weight(make_user("u5", role="district_officer", districts=["11680"])) == 2


def test_flaggers_with_upheld_flags_hide_sooner(make_user, client_for, feature_of_a_new_citizen):
    reliable = [make_user(f"reliable{i}", established=True) for i in range(2)]
    for user in reliable:
        for n in range(2):
            Flag.objects.create(user=user, target_type="feature", target_id=10_000_000 + n, reason="spam",
                                state=Flag.State.REMOVED)
    for user in reliable:
        flag(client_for(user), "feature", feature_of_a_new_citizen.pk)
    assert Feature.objects.get(pk=feature_of_a_new_citizen.pk).is_hidden  # 2 × 2 ≥ 3
