"""DRF permission classes for the roles (the rules live on `User`: `is_city_staff`, `officer_district_codes`)."""
from rest_framework.permissions import BasePermission
from django.utils.translation import gettext_lazy as _


def is_city_staff(user) -> bool:
    """The one check of "is this person city staff", for anyone: anonymous visitors and None are not."""
    return bool(user is not None and user.is_authenticated and user.is_city_staff)


class IsCityStaff(BasePermission):
    message = _("Only city staff may do this.")

    def has_permission(self, request, view) -> bool:
        return is_city_staff(request.user)


class IsDistrictOfficer(BasePermission):
    message = _("Only district officers may do this.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.officer_district_codes())
