from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import Indicator


class IsCityStaffOrReadOnly(BasePermission):
    message = "Only city staff may change indicators. / 시 직원만 지표를 바꿀 수 있습니다."

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or Indicator.can_manage(request.user)


class IsCityStaff(BasePermission):
    message = "Only city staff may do this. / 시 직원만 할 수 있습니다."

    def has_permission(self, request, view):
        return Indicator.can_manage(request.user)
