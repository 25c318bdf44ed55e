"""Read-only admin: staff triage through the API and the roadmap page (services keep the audit log)."""
from django.contrib import admin

from geoplatform.admin import ReadOnlyAdmin

from .models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ("kind", "state", "created_at", "answered_at")
    list_filter = ("kind", "state")
    exclude = ("author",)
