import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_grant_makes_a_district_officer_for_gangnam(make_user, seoul):
    user = make_user("kim")
    call_command("grant", "kim", "district_officer", "--district", "11680")
    user.refresh_from_db()
    assert user.role == "district_officer"
    assert user.officer_district_codes() == {"11680"}
    assert user.is_district_officer and not user.is_city_staff


def test_grant_accepts_several_districts(make_user, seoul):
    user = make_user("lee")
    call_command("grant", "lee", "district_officer", "--district", "11680", "--district", "11650")
    user.refresh_from_db()
    assert user.officer_district_codes() == {"11680", "11650"}


def test_grant_refuses_a_kostat_only_code(make_user, seoul):
    make_user("park")
    with pytest.raises(CommandError, match="Unknown MOIS district code"):
        call_command("grant", "park", "district_officer", "--district", "11010")  # Jongno-gu's KOSTAT code


def test_kostat_and_mois_codes_are_never_mixed_up(make_user, seoul):
    # 11230 is Gangnam-gu's KOSTAT code but Dongdaemun-gu's MOIS code: grant uses MOIS.
    user = make_user("yoon")
    call_command("grant", "yoon", "district_officer", "--district", "11230")
    assert list(user.districts.values_list("name_en", flat=True)) == ["Dongdaemun-gu"]


def test_officer_needs_a_district(make_user, seoul):
    make_user("choi")
    with pytest.raises(CommandError, match="at least one district"):
        call_command("grant", "choi", "district_officer")


def test_grant_refuses_unknown_user_and_role(make_user):
    with pytest.raises(CommandError, match="No user"):
        call_command("grant", "ghost", "analyst")
    make_user("jung")
    with pytest.raises(CommandError):
        call_command("grant", "jung", "emperor")


@pytest.mark.parametrize(
    "role,staff,analyst,admin_site",
    [
        ("citizen", False, False, False),
        ("analyst", False, True, False),
        ("city_staff", True, True, True),
        ("admin", True, True, True),
    ],
)
def test_role_powers(make_user, role, staff, analyst, admin_site):
    user = make_user(role=role)
    assert user.is_city_staff is staff
    assert user.is_analyst is analyst
    assert user.is_staff is admin_site
