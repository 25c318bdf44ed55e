"""Read-mostly admin: staff act through the API and pages (services keep the rules and the audit log)."""
from django.contrib.gis import admin

from geoplatform.admin import ReadOnlyAdmin

from .models import Campaign, Proposal, RankingEntry, Round


class RankingInline(admin.TabularInline):
    model = RankingEntry
    fields = ("rank", "proposal", "votes")
    readonly_fields = fields
    can_delete = False
    extra = 0


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ("title", "starts_at", "ends_at", "closed_at")
    inlines = [RankingInline]


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ("title", "round", "state", "area_scope", "created_at")
    list_filter = ("state", "round")
    search_fields = ("title",)


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ("title", "proposal", "map", "contribution_mode", "created_at")
