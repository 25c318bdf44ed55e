from django.contrib.gis.db import models
from django.db.models import Q
from django.db.models.functions import Now


class CommitteeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def of_department(self, department: str):
        return self.filter(Q(department_ko=department) | Q(department_en__iexact=department))


class MeetingQuerySet(models.QuerySet):
    def minutes_public(self):
        """Meetings whose minutes the public may read: not undisclosed, publication date reached."""
        return self.exclude(disclosure="not_disclosed").filter(
            Q(minutes_publish_at__isnull=True) | Q(minutes_publish_at__lte=Now()))

    def search(self, text: str):
        """Substring search (trigram GIN indexes) over committee names, titles, agendas and the
        public minutes: works for Korean, where a word sits inside a longer one (주차 in 공영주차장)."""
        text = text.strip()
        if not text:
            return self
        in_minutes = Q(minutes__icontains=text) & Q(pk__in=self.model.objects.minutes_public().values("pk"))
        return self.filter(
            Q(committee__name_ko__icontains=text) | Q(committee__name_en__icontains=text)
            | Q(title_ko__icontains=text) | Q(title_en__icontains=text) | Q(agenda__icontains=text) | in_minutes
        )

    def of_committee(self, committee_id: int):
        return self.filter(committee_id=committee_id)

    def of_department(self, department: str):
        return self.filter(Q(committee__department_ko=department) | Q(committee__department_en__iexact=department))

    def between(self, start=None, end=None):
        """Meetings starting on or after `start` and on or before `end` (dates, inclusive)."""
        meetings = self
        if start:
            meetings = meetings.filter(starts_at__date__gte=start)
        if end:
            meetings = meetings.filter(starts_at__date__lte=end)
        return meetings

    def with_disclosure(self, disclosure: str):
        return self.filter(disclosure=disclosure)

    def held(self):
        return self.filter(starts_at__lte=Now())

    def upcoming(self):
        return self.filter(starts_at__gt=Now())
