"""City staff manage committees, members, meetings, documents and the list of disclosure reasons here."""
from django.contrib.gis import admin
from django.db import models

from .models import Committee, CommitteeMember, DisclosureReason, Meeting, MeetingDocument


@admin.register(DisclosureReason)
class DisclosureReasonAdmin(admin.ModelAdmin):
    list_display = ("code", "legal_basis", "title_ko", "is_active", "order")
    list_editable = ("is_active", "order")


class MemberInline(admin.TabularInline):
    model = CommitteeMember
    extra = 1


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ("name_ko", "name_en", "department_ko", "is_active")
    list_filter = ("department_ko", "is_active")
    search_fields = ("name_ko", "name_en", "department_ko")
    inlines = [MemberInline]


class DocumentInline(admin.TabularInline):
    model = MeetingDocument
    fields = ("title", "file", "disclosure", "disclosure_reason", "disclosure_note")
    extra = 1


@admin.register(Meeting)
class MeetingAdmin(admin.GISModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("title_ko", "committee", "starts_at", "disclosure", "minutes_publish_at")
    list_filter = ("disclosure", "committee")
    search_fields = ("title_ko", "title_en", "agenda")
    date_hierarchy = "starts_at"
    inlines = [DocumentInline]
