from django.contrib import admin

from .models import Analysis, AnalysisOutput


class AnalysisOutputInline(admin.TabularInline):
    model = AnalysisOutput
    fields = ("key", "kind", "title_en", "value_label", "raster_path", "stats")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Analysis)
class AnalysisAdmin(admin.ModelAdmin):
    """Read-mostly: analyses are changed through their services (API and pages), which validate and run them."""

    list_display = ("name", "method", "status", "is_published", "created_by", "ran_at")
    list_filter = ("method", "status", "is_published")
    search_fields = ("name",)
    readonly_fields = ("method", "parameters", "sources", "status", "error", "job", "fingerprint", "is_published",
                       "published_at", "created_by", "created_at", "ran_at")
    inlines = [AnalysisOutputInline]
