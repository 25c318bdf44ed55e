from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import Indicator
from django.utils.translation import gettext_lazy as _


class IsCityStaffOrReadOnly(BasePermission):
    message = _("Only city staff may change indicators.")

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or Indicator.can_manage(request.user)


class IsCityStaff(BasePermission):
    message = _("Only city staff may do this.")

    def has_permission(self, request, view):
        return Indicator.can_manage(request.user)
