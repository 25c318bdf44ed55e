"""DRF permission classes for the roles (the rules live on `User`: `is_city_staff`, `officer_district_codes`)."""
from rest_framework.permissions import BasePermission
from django.utils.translation import gettext_lazy as _


class IsCityStaff(BasePermission):
    message = _("Only city staff may do this.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_city_staff)


class IsDistrictOfficer(BasePermission):
    message = _("Only district officers may do this.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.officer_district_codes())
