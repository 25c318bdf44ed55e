"""DRF doors onto the rule that lives on the model."""
from rest_framework.permissions import BasePermission

from .models import Feedback


class CanTriageFeedback(BasePermission):
    message = "Only city staff may do this. / 서울시 담당자만 할 수 있습니다."

    def has_permission(self, request, view):
        return Feedback.can_triage(request.user)
