from django.apps import apps
from django.db import models
from django.db.models import Count, Q

from accounts.permissions import is_city_staff


class IndicatorQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, user):
        if is_city_staff(user):
            return self
        return self.published()

    def computed(self):
        return self.filter(kind="computed")

    def with_feedback_counts(self):
        visible = Q(feedback__is_hidden=False)
        return self.annotate(
            feedback_count=Count("feedback", filter=visible, distinct=True),
            feedback_replied=Count("feedback", filter=visible & ~Q(feedback__reply=""), distinct=True),
        )


class IndicatorValueQuerySet(models.QuerySet):
    def current(self):
        """Values of each indicator's latest version (the current one)."""
        IndicatorImport = apps.get_model("dashboards", "IndicatorImport")
        latest = (IndicatorImport.objects.filter(indicator=models.OuterRef("indicator"))
                  .order_by("-version").values("pk")[:1])
        return self.filter(version=models.Subquery(latest))

    def for_districts(self):
        """District totals only (rows without a dong)."""
        return self.filter(dong__isnull=True)

    def for_period(self, period: str):
        return self.filter(period=period)


class FeedbackQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_hidden=False)
