"""Reads of reports, and the one access helper for a report."""
import datetime

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.exceptions import NotFound, PermissionDenied

from geoplatform.ids import id_from

from .models import OPEN_STATUSES, Open311Key, Report, ReportCategory, ReportEvent, Status
from django.utils.translation import gettext_lazy as _

NOT_FOUND = _("No such report.")


def report_access(*, user, report_id, need: str = "view", lock: bool = False) -> Report:
    """Fetch a report the user may see, check what they want to do with it, optionally lock the row.

    Missing and not-yours-to-see both answer 404, so existence does not leak. A report the user
    can see but not act on answers 403 (`need` is 'view', 'full', 'internal' or 'answer').
    """
    report_id = id_from(report_id)
    if report_id is None:
        raise NotFound(NOT_FOUND)
    reports = Report.objects.with_related()
    if lock:
        reports = reports.select_for_update(of=("self",))
    report = reports.filter(pk=report_id).first()
    if report is None or not report.can_view(user):
        raise NotFound(NOT_FOUND)
    if need == "full" and not report.can_view_full(user):
        raise PermissionDenied(_("Only the reporter, its district officers and city staff see this."))
    if need == "internal" and not report.can_see_internal(user):
        raise PermissionDenied(_("Internal notes are for the report's district officers and city staff."))
    if need == "answer" and not report.can_answer(user):
        raise PermissionDenied(_("Only officers of a district responsible for this report may do this."))
    return report


def category_access(*, user, category_code, lock: bool = False) -> ReportCategory:
    """The one door to a report category, by its code (all are public, inactive ones too): 404 when missing.
    Who may change categories (city staff) is the API view's permission class."""
    categories = ReportCategory.objects.select_for_update() if lock else ReportCategory.objects.all()
    category = categories.filter(code=str(category_code)[:100]).first()
    if category is None:
        raise NotFound(_("No such category."))
    return category


def open311_key_access(*, user, key_id, lock: bool = False) -> Open311Key:
    """One of the person's own Open311 keys that still works; 404 for anyone else's, revoked or missing."""
    pk = id_from(key_id)
    keys = Open311Key.objects.select_for_update() if lock else Open311Key.objects.all()
    record = keys.filter(pk=pk, user=user, revoked_at__isnull=True).first() if pk is not None else None
    if record is None:
        raise NotFound(_("No such key."))
    return record


def report_list(*, user, queue: bool = False, mine: bool = False, statuses=(), categories=(), overdue=None,
                bbox=None, ids=None, created_on=None) -> QuerySet[Report]:
    """Reports for a list: everybody's public ones, one's own (`mine`), or an officer's queue (`queue`).

    In a queue, status and overdue filters look at the officer's own districts' statuses. `ids` keeps only
    those reports; `created_on=(first, last)` the ones made on those (local) days. The API, the review
    queue and Open311 all list through here.
    """
    today = timezone.localdate()
    if queue:
        district_ids = Report.objects.district_ids(user.officer_district_codes())
        # One EXISTS on the districts' own rows: with statuses it implies "in these districts"
        reports = (Report.objects.with_district_status(district_ids, statuses) if statuses
                   else Report.objects.in_districts(district_ids))
        if overdue is not None:
            late = Report.objects.late(today=today, district_ids=district_ids)
            reports = reports.filter(late) if overdue else reports.exclude(late)
        # Oldest first by id: ids are handed out in creation order, like created_at, and the order is the one
        # the district's (district, report) index rows are in, so the page stops after `limit` rows
        reports = reports.order_by("id")
    else:
        reports = Report.objects.of_reporter(user) if mine else Report.objects.visible_to(user)
        if statuses:
            reports = reports.filter(status__in=list(statuses))
        if overdue is not None:
            late = Report.objects.late(today=today)
            reports = reports.filter(late) if overdue else reports.exclude(late)
    if categories:
        reports = reports.of_category(categories)
    if bbox:
        reports = reports.in_bbox(bbox)
    if ids is not None:
        reports = reports.filter(pk__in=list(ids))
    if created_on is not None:
        first, last = created_on
        # Also bound the indexed instant (report_created_at_idx), so that a past window does not read every newer
        # report. A report's created_on is the local day when report_create began, its created_at a moment later
        # (at save): never before that day's midnight, and an hour's margin keeps one saved across midnight
        reports = reports.filter(created_on__range=created_on, created_at__gte=local_midnight(first),
                                 created_at__lt=local_midnight(last + datetime.timedelta(days=1))
                                 + datetime.timedelta(hours=1))
    return reports.with_related()


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The first moment of the day in the city's time zone (Asia/Seoul)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def report_is_overdue(report: Report, *, today=None) -> bool:
    today = today or timezone.localdate()
    if report.status == Status.SUBMITTED and report.acknowledge_due < today:
        return True
    return report.status in OPEN_STATUSES and report.resolve_due < today


def report_timeline(*, report: Report, user) -> list[ReportEvent]:
    events = report.events.select_related("district", "to_district", "actor")
    if not report.can_see_internal(user):
        events = events.exclude(kind=ReportEvent.Kind.NOTE)
    return list(events)


def category_list(*, include_inactive: bool = False) -> QuerySet[ReportCategory]:
    categories = ReportCategory.objects.all()
    return categories if include_inactive else categories.filter(is_active=True)
