"""Who may act: the roles' checks and DRF permission classes (the rules live on `User`: `is_city_staff`,
`officer_district_codes`).

"Who may call this at all" (a role) is checked once per path, by the API view's permission class (`IsCityStaff`,
`ReadOrCityStaff`, `IsDistrictOfficer`) or a page view's own check; what a person may do with one object is the
app's access helper (`<type>_access` in its selectors.py). Services check neither again; they do refuse banned
accounts (`require_not_banned`, `require_creator`), on every write path."""
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext, gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission


def is_city_staff(user) -> bool:
    """The one check of "is this person city staff", for anyone: anonymous visitors and None are not."""
    return bool(user is not None and user.is_authenticated and user.is_city_staff)


BANNED_MESSAGE = _("This account is banned from adding content; contact the city if you think this is wrong.")


def require_not_banned(user) -> None:
    """Refuse (403) a banned account (`User.is_banned`): it may read but not create or change anything.

    Services call this on every write path, so the rule holds behind every door (API, pages, Open311,
    imports, sockets); views do not check it again.
    """
    if user is not None and getattr(user, "is_banned", False):
        raise PermissionDenied(BANNED_MESSAGE)


def require_creator(user) -> None:
    """Refuse (403) anonymous visitors and banned accounts: only they may not write content."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied(gettext("Sign in first."))
    require_not_banned(user)


def user_or_none(user):
    """The signed-in user, or None for anonymous visitors (what a foreign key to the actor stores)."""
    return user if user is not None and getattr(user, "is_authenticated", False) else None


STAFF_ONLY_MESSAGE = _("Only city staff may do this.")  # the one staff-only refusal, API doors and pages alike


class IsCityStaff(BasePermission):
    message = STAFF_ONLY_MESSAGE

    def has_permission(self, request, view) -> bool:
        return is_city_staff(request.user)


class ReadOrCityStaff(IsCityStaff):
    """Anyone reads; only city staff write."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or super().has_permission(request, view)


class IsDistrictOfficer(BasePermission):
    message = _("Only district officers may do this.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.officer_district_codes())
