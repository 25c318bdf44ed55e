"""Admin: indicators are edited here; values are entered as a new version, never edited in place."""
from django.contrib import admin
from django.db import transaction
from django.db.models import Max

from .models import Indicator, IndicatorFeedback, IndicatorImport, IndicatorValue


class VersionInline(admin.TabularInline):
    model = IndicatorImport
    fields = ("version", "source", "file_name", "created_by", "created_at", "rows_imported", "rows_carried", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_ko", "name_en", "theme", "kind", "last_updated_at", "is_published")
    list_filter = ("theme", "kind", "is_published")
    search_fields = ("slug", "name_ko", "name_en", "source_department")
    readonly_fields = ("last_updated_at", "created_at")
    inlines = [VersionInline]


class ValueInline(admin.TabularInline):
    model = IndicatorValue
    fields = ("district", "dong", "period", "value")
    raw_id_fields = ("dong",)
    extra = 25

    def has_change_permission(self, request, obj=None):
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IndicatorImport)
class IndicatorImportAdmin(admin.ModelAdmin):
    """Adding a version here enters values by hand; periods not entered carry over from the previous version."""

    list_display = ("indicator", "version", "source", "file_name", "created_by", "created_at", "rows_imported")
    list_filter = ("source", "indicator")
    inlines = [ValueInline]

    def get_fields(self, request, obj=None):
        return ("indicator", "note") if obj is None else (
            "indicator", "version", "source", "file_name", "created_by", "created_at", "rows_total", "rows_imported",
            "rows_carried", "errors", "note")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return
        with transaction.atomic():
            Indicator.objects.select_for_update().get(pk=obj.indicator_id)
            obj.version = (IndicatorImport.objects.filter(indicator=obj.indicator).aggregate(m=Max("version"))["m"]
                           or 0) + 1
            obj.source = IndicatorImport.Source.ADMIN
            obj.created_by = request.user
            obj.save()

    def save_formset(self, request, form, formset, change):
        values = formset.save(commit=False)
        version = form.instance
        for value in values:
            value.indicator = version.indicator
            value.version = version
            value.save()
        from .services import version_complete

        version_complete(version=version)


@admin.register(IndicatorFeedback)
class IndicatorFeedbackAdmin(admin.ModelAdmin):
    list_display = ("indicator", "rating", "district", "created_at", "replied_at", "is_hidden")
    list_filter = ("is_hidden", "indicator")
    fields = ("indicator", "district", "rating", "body", "reply", "is_hidden")
    readonly_fields = ("indicator", "district", "rating", "body")
