"""DRF doors onto the rule that lives on the model."""
from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission

from .models import Feedback


class CanTriageFeedback(BasePermission):
    message = gettext_lazy("Only city staff may do this.")

    def has_permission(self, request, view):
        return Feedback.can_triage(request.user)
