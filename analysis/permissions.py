from rest_framework.permissions import SAFE_METHODS, BasePermission


class AnalysisPermission(BasePermission):
    """Anyone reads what they may see; analysts create; the author (or city staff) changes."""

    message = "Only analysts may create or change analyses / 분석가만 분석을 만들거나 바꿀 수 있습니다"

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated and request.user.is_analyst)

    def has_object_permission(self, request, view, obj):
        return obj.can_view(request.user) if request.method in SAFE_METHODS else obj.can_edit(request.user)
