from django.utils.translation import gettext_lazy
from rest_framework.permissions import SAFE_METHODS, BasePermission


class AnalysisPermission(BasePermission):
    """Anyone reads what they may see; analysts create; the author (or city staff) changes."""

    message = gettext_lazy("Only analysts may create or change analyses")

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated and request.user.is_analyst)

    def has_object_permission(self, request, view, obj):
        return obj.can_view(request.user) if request.method in SAFE_METHODS else obj.can_edit(request.user)
