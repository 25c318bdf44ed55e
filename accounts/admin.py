from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "role", "is_active", "is_banned")
    list_filter = ("role", "is_active", "is_banned")
    fieldsets = BaseUserAdmin.fieldsets + (("Platform", {"fields": ("role", "districts", "display_name", "preferred_language", "is_banned")}),)
    filter_horizontal = ("districts", "groups", "user_permissions")
