"""Reads of accounts: the one access helper for an account named by id."""
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound

from geoplatform.ids import id_from

from .permissions import is_city_staff

NO_SUCH_USER = _("No such user.")


def user_access(*, user, user_id, lock=False):
    """The account `user_id` names, for `user`: city staff reach any account (the ban list), everyone else only
    their own; 404 "No such user." in the reader's language for a missing, malformed or not-yours id alike.
    `lock=True` (inside the writer's transaction) holds the row for the change."""
    pk = id_from(user_id)
    accounts = get_user_model().objects.all()
    target = (accounts.select_for_update() if lock else accounts).filter(pk=pk).first() if pk is not None else None
    if target is None or not (is_city_staff(user) or target.pk == getattr(user, "pk", None)):
        raise NotFound(NO_SUCH_USER)
    return target
