"""Admin shared by the apps."""
from django.contrib.gis import admin


class ReadOnlyAdmin(admin.GISModelAdmin):
    """Read-only admin: staff act through the API and pages, where services keep the rules and the audit log."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
