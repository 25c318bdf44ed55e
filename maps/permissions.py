"""DRF doors onto the model's rules. Object rules are asked in services and the access helper;
these classes only say who may knock at all."""
from rest_framework.permissions import SAFE_METHODS, BasePermission
from django.utils.translation import gettext_lazy as _

from layers.query import request_secret


class SignedInToWrite(BasePermission):
    """Reads for anyone (the model decides what they see); creating maps or templates needs an account."""

    message = _("Sign in to do this.")

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or bool(request.user and request.user.is_authenticated)


class SecretLinkOrSignedIn(BasePermission):
    """Writes on a map's content: an account, or the map's secret edit link (`?key=`), as uMap allows.

    Whether this person may write on this map is the model's `can_edit`/`can_contribute`.
    """

    message = _("Sign in, or use the map's edit link.")

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or (request.user and request.user.is_authenticated):
            return True
        return bool(request_secret(request))
