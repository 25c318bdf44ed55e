"""Chainable reads of reports, named for what they mean."""
import datetime

from django.contrib.gis.db import models
from django.contrib.gis.geos import Polygon
from django.db.models import Exists, OuterRef, Q

from .workflow import OPEN_STATUSES, Status


def _open_statuses():
    return [str(s) for s in OPEN_STATUSES]


class ReportQuerySet(models.QuerySet):
    def public(self):
        """What everybody may see: reports not hidden by moderation."""
        return self.filter(is_hidden=False)

    def visible_to(self, user):
        """Public reports, plus hidden ones the user is involved in (reporter, its officers, staff).

        One EXISTS on the user's districts (ids), not a join: no DISTINCT over every column of the page.
        """
        if not (user and user.is_authenticated):
            return self.public()
        if user.is_city_staff:
            return self.all()
        seen = Q(is_hidden=False) | Q(reporter=user)
        ids = self.district_ids(user.officer_district_codes())
        if ids:
            seen |= Exists(self._district_rows(ids))
        return self.filter(seen)

    def of_reporter(self, user):
        return self.filter(reporter=user) if user and user.is_authenticated else self.none()

    def district_ids(self, codes) -> list[int]:
        """The ids of the districts with these codes, resolved once: queue filters compare `district_id`
        (which `reportdistrict_open_idx` walks) instead of joining districts on their code."""
        District = self.model._meta.get_field("districts").related_model
        return list(District.objects.filter(code__in=list(codes)).values_list("id", flat=True)) if codes else []

    def _district_rows(self, district_ids, **filters):
        ReportDistrict = self.model._meta.get_field("report_districts").related_model
        return ReportDistrict.objects.filter(report=OuterRef("pk"), district_id__in=list(district_ids), **filters)

    def in_districts(self, district_ids):
        """Reports that any of these districts (ids) is responsible for (a queue)."""
        return self.filter(Exists(self._district_rows(district_ids)))

    def queue_of(self, user):
        return self.in_districts(self.district_ids(user.officer_district_codes()))

    def with_district_status(self, district_ids, statuses):
        """Reports where one of these districts' (ids) own status is among `statuses`."""
        return self.filter(Exists(self._district_rows(district_ids, status__in=list(statuses))))

    def late(self, *, today: datetime.date, district_ids=None) -> Q:
        """The condition "past the category's service target": not acknowledged, or not closed, by its due date.

        With `district_ids`, judged on those districts' own statuses (an officer's queue). The due dates are
        tested on the report row itself, so `filter(late)` and `exclude(late)` read the reports once (no
        `pk IN (subquery)`); both due dates are NOT NULL, so `exclude` is exactly the complement.
        """
        open_statuses = _open_statuses()
        if district_ids is None:
            return Q(status=Status.SUBMITTED, acknowledge_due__lt=today) | Q(status__in=open_statuses,
                                                                            resolve_due__lt=today)
        late_ack = Q(acknowledge_due__lt=today) & Exists(self._district_rows(district_ids, status=Status.SUBMITTED))
        late_close = Q(resolve_due__lt=today) & Exists(self._district_rows(district_ids, status__in=open_statuses))
        return late_ack | late_close

    def overdue(self, *, today: datetime.date, district_ids=None):
        """Past the category's service target (see `late`)."""
        return self.filter(self.late(today=today, district_ids=district_ids))

    def of_category(self, codes):
        return self.filter(category__code__in=list(codes))

    def in_bbox(self, bbox: Polygon):
        return self.filter(public_geom__intersects=bbox)

    def with_related(self):
        # public_district: what Report.public_districts() shows the public of a sensitive report
        return self.select_related("category", "reporter", "public_district").prefetch_related(
            "report_districts__district", "photos")
