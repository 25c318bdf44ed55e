"""DRF doors onto the rules that live on the models."""
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import Round


class IsCityStaff(BasePermission):
    message = "Only city staff may do this. / 서울시 담당자만 할 수 있습니다."

    def has_permission(self, request, view):
        return Round.can_manage(request.user)


class ReadOrCityStaff(IsCityStaff):
    """Anyone reads; only city staff write (rounds, campaigns)."""

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or super().has_permission(request, view)
