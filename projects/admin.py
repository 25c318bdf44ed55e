"""Read-only admin: staff act through the API and the pages (the services keep the rules and the audit log)."""
from django.contrib.gis import admin

from geoplatform.admin import ReadOnlyAdmin

from .models import Project


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("title_ko", "department_ko", "status", "progress", "budget_planned", "updated_at")
    list_filter = ("status", "department_ko")
    search_fields = ("title_ko", "title_en")
