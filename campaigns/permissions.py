"""DRF doors onto the rules that live on the models."""
from django.utils.translation import gettext_lazy
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import Round


class IsCityStaff(BasePermission):
    message = gettext_lazy("Only city staff may do this.")

    def has_permission(self, request, view):
        return Round.can_manage(request.user)


class ReadOrCityStaff(IsCityStaff):
    """Anyone reads; only city staff write (rounds, campaigns)."""

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or super().has_permission(request, view)
