"""Admin: categories through the services (audited, re-coarsening)."""
from django.contrib import admin

from .models import ReportCategory
from .services import CATEGORY_FIELDS, category_create, category_update


@admin.register(ReportCategory)
class ReportCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ko", "name_en", "is_sensitive", "acknowledge_days", "resolve_days", "is_active")
    list_filter = ("is_sensitive", "is_active")
    search_fields = ("code", "name_ko", "name_en")

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in CATEGORY_FIELDS if name in form.cleaned_data}
        if change:
            saved = category_update(category=obj, actor=request.user, **values)
        else:
            saved = category_create(actor=request.user, **values)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # reports keep their category: retire one with is_active instead
