"""DRF permission classes for the roles (the rules live on `User`: `is_city_staff`, `officer_district_codes`)."""
from rest_framework.permissions import BasePermission


class IsCityStaff(BasePermission):
    message = "Only city staff may do this. / 서울시 담당자만 할 수 있습니다."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_city_staff)


class IsDistrictOfficer(BasePermission):
    message = "Only district officers may do this. / 자치구 담당자만 할 수 있습니다."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.officer_district_codes())
