"""DRF doors onto the rule that lives on the model: anyone reads projects, city staff write them."""
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import Project


class IsCityStaff(BasePermission):
    message = _("Only city staff may do this.")

    def has_permission(self, request, view):
        return Project.can_manage(request.user)


class ReadOrCityStaff(IsCityStaff):
    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or super().has_permission(request, view)
