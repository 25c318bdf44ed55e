from django.db import models
from django.db.models import Q


class AnalysisQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, user):
        """Published analyses for everyone; analysts also see their drafts, city staff every draft."""
        if user is None or not user.is_authenticated:
            return self.published()
        if user.is_city_staff:
            return self
        return self.filter(Q(is_published=True) | Q(created_by=user))


class AnalysisCellQuerySet(models.QuerySet):
    def of_output(self, output):
        return self.filter(output=output)

    def shown(self):
        """Rows with a value the public may see (suppressed rows carry no value)."""
        return self.filter(suppressed=False)
