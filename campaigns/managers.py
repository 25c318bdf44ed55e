from django.apps import apps
from django.contrib.gis.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from accounts.permissions import is_city_staff
from geoplatform.querysets import count_of


class RoundQuerySet(models.QuerySet):
    def open_now(self):
        now = timezone.now()
        return self.filter(closed_at__isnull=True, starts_at__lte=now, ends_at__gt=now)

    def accepting_proposals(self):
        return self.filter(closed_at__isnull=True, ends_at__gt=timezone.now())

    def due(self):
        """Rounds whose end has passed but whose ranking is not frozen yet."""
        return self.filter(closed_at__isnull=True, ends_at__lte=timezone.now())


class ProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Everything for city staff; the public never sees proposals hidden by moderation."""
        if is_city_staff(user):
            return self
        return self.filter(is_hidden=False)

    def with_votes(self):
        Vote = apps.get_model("campaigns", "Vote")
        return self.annotate(vote_count=count_of(Vote.objects.all(), "proposal"))

    def with_comment_count(self):
        ProposalComment = apps.get_model("campaigns", "ProposalComment")
        return self.annotate(comment_count=count_of(ProposalComment.objects.filter(is_hidden=False), "proposal"))

    def with_campaign_id(self):
        Campaign = apps.get_model("campaigns", "Campaign")
        return self.annotate(campaign_id=Subquery(Campaign.objects.filter(proposal=OuterRef("pk")).values("pk")[:1]))

    def open(self):
        return self.filter(state="open")

    def in_round(self, round_id: int):
        return self.filter(round_id=round_id)

    def with_area(self):
        return self.filter(area__isnull=False, is_hidden=False)

    def in_district(self, code: str):
        return self.filter(Q(area_scope="seoul") | Q(districts__code=code)).distinct()

    def waiting_for_round(self):
        return self.filter(state="open", round__isnull=True)


class CampaignQuerySet(models.QuerySet):
    def with_area(self):
        return self.filter(area__isnull=False)
