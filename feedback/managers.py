from django.apps import apps
from django.db import models

from geoplatform.querysets import count_of


class FeedbackQuerySet(models.QuerySet):
    def with_people(self):
        """How many people asked for it (the author and everyone who said "me too")."""
        support = apps.get_model("feedback", "FeedbackSupport")
        return self.annotate(people=count_of(support.objects.all(), "feedback"))

    def on_roadmap(self):
        return self.filter(state__in=("planned", "done"))

    def in_state(self, state: str):
        return self.filter(state=state)

    def of_kind(self, kind: str):
        return self.filter(kind=kind)
