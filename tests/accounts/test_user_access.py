"""accounts.selectors.user_access: the one door to an account named by id (the ban list's door)."""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.exceptions import NotFound

from accounts.selectors import user_access

pytestmark = pytest.mark.django_db


def _refused(**kwargs) -> str:
    with translation.override("en"), pytest.raises(NotFound) as refused:
        user_access(**kwargs)
    return str(refused.value.detail)


def test_city_staff_reach_any_account_and_everyone_else_only_their_own(staff, citizen, citizen2):
    assert user_access(user=staff, user_id=citizen.pk) == citizen
    assert user_access(user=citizen, user_id=str(citizen.pk)) == citizen
    assert _refused(user=citizen, user_id=citizen2.pk) == "No such user."  # the same answer as a missing one
    assert _refused(user=AnonymousUser(), user_id=citizen.pk) == "No such user."
    assert _refused(user=None, user_id=citizen.pk) == "No such user."


@pytest.mark.parametrize("user_id", [0, -1, 2**63, "abc", "", None, True, 1.5e30, 10**12])
def test_a_malformed_or_missing_id_is_the_same_404(staff, user_id):
    assert _refused(user=staff, user_id=user_id) == "No such user."


def test_the_missing_account_is_refused_in_korean_for_a_korean_reader(staff):
    with translation.override("ko"), pytest.raises(NotFound) as refused:
        user_access(user=staff, user_id=10**12)
    assert str(refused.value.detail) == "해당 사용자가 없습니다."


def test_lock_holds_the_account_row_for_the_writer(staff, citizen):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert user_access(user=staff, user_id=citizen.pk, lock=True) == citizen
    assert [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]], queries.captured_queries
    with CaptureQueriesContext(connection) as queries:
        user_access(user=staff, user_id=citizen.pk)
    assert not [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
