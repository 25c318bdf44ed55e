"""DRF permission classes; the rules themselves live on the models (`Report.can_answer` …)."""
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

BANNED_MESSAGE = ("This account is banned from adding content; contact the city if you think this is wrong. / "
                  "이 계정은 콘텐츠 등록이 금지되었습니다. 잘못되었다면 서울시에 문의해 주세요.")


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


class IsCityStaff(BasePermission):
    message = "Only city staff may do this. / 서울시 담당자만 할 수 있습니다."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_city_staff)


class IsDistrictOfficer(BasePermission):
    message = "Only district officers may do this. / 자치구 담당자만 할 수 있습니다."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.officer_district_codes())
