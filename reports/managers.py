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
        """Public reports, plus hidden ones the user is involved in (reporter, its officers, staff)."""
        if not (user and user.is_authenticated):
            return self.public()
        if user.is_city_staff:
            return self.all()
        codes = user.officer_district_codes()
        involved = Q(reporter=user) | Q(report_districts__district__code__in=codes)
        return self.filter(Q(is_hidden=False) | involved).distinct()

    def of_reporter(self, user):
        return self.filter(reporter=user) if user and user.is_authenticated else self.none()

    def _district_rows(self, codes, **filters):
        ReportDistrict = self.model._meta.get_field("report_districts").related_model
        return ReportDistrict.objects.filter(report=OuterRef("pk"), district__code__in=list(codes), **filters)

    def in_districts(self, codes):
        """Reports that any of these districts is responsible for (a queue)."""
        return self.filter(Exists(self._district_rows(codes)))

    def queue_of(self, user):
        return self.in_districts(user.officer_district_codes())

    def with_district_status(self, codes, statuses):
        """Reports where one of these districts' own status is among `statuses`."""
        return self.filter(Exists(self._district_rows(codes, status__in=list(statuses))))

    def overdue(self, *, today: datetime.date, codes=None):
        """Past the category's service target: not acknowledged, or not closed, by its due date.

        With `codes`, judged on those districts' own statuses (an officer's queue).
        """
        open_statuses = _open_statuses()
        if codes is None:
            late_ack = Q(status=Status.SUBMITTED, acknowledge_due__lt=today)
            return self.filter(late_ack | Q(status__in=open_statuses, resolve_due__lt=today))
        late_ack = Exists(self._district_rows(codes, status=Status.SUBMITTED).filter(report__acknowledge_due__lt=today))
        late_close = Exists(self._district_rows(codes, status__in=open_statuses).filter(report__resolve_due__lt=today))
        return self.filter(late_ack | late_close)

    def of_category(self, codes):
        return self.filter(category__code__in=list(codes))

    def in_bbox(self, bbox: Polygon):
        return self.filter(public_geom__intersects=bbox)

    def with_related(self):
        return self.select_related("category", "reporter").prefetch_related("report_districts__district", "photos")
