"""Bans: banned users (`User.is_banned`) may read but not create; refused in views and in services alike."""
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from django.utils.translation import gettext_lazy as _

BANNED_MESSAGE = (_("This account is banned from adding content; contact the city if you think this is wrong."))


def ensure_not_banned(user) -> None:
    """Refuse banned users in services too (Open311, imports), not only behind DRF views."""
    if user is not None and getattr(user, "is_banned", False):
        raise PermissionDenied(BANNED_MESSAGE)


class NotBanned(BasePermission):
    """Banned users (`User.is_banned`) may read but not create or change anything: 403 with a message."""

    message = BANNED_MESSAGE

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        return not (user and user.is_authenticated and user.is_banned)
