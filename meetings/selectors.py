"""Reads on committees and meetings: access, search and filters, disclosure statistics."""
import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncYear
from django.http import Http404

from geoplatform.ids import id_from

from .models import Committee, Disclosure, Meeting, MeetingDocument
from django.utils.translation import gettext_lazy as _


def committee_list() -> QuerySet[Committee]:
    return (Committee.objects.prefetch_related("members")
            .annotate(meeting_count=Count("meetings", distinct=True)))


def committee_access(*, user, committee_id) -> Committee:
    """The one door to a committee (all are public): 404 when missing or malformed."""
    pk = id_from(committee_id)
    committee = committee_list().filter(pk=pk).first() if pk is not None else None
    if committee is None:
        raise Http404(_("No such committee."))
    return committee


def meeting_list(*, q: str = "", committee: int | None = None, department: str = "",
                 start: datetime.date | None = None, end: datetime.date | None = None,
                 disclosure: str = "") -> QuerySet[Meeting]:
    meetings = Meeting.objects.select_related("committee", "disclosure_reason")
    if q:
        meetings = meetings.search(q)
    if committee:
        meetings = meetings.of_committee(committee)
    if department:
        meetings = meetings.of_department(department)
    if start or end:
        meetings = meetings.between(start, end)
    if disclosure:
        meetings = meetings.with_disclosure(disclosure)
    return meetings


def meeting_access(*, user, meeting_id) -> Meeting:
    """The one door to a meeting (all are public, their documents by disclosure): 404 when missing."""
    documents = MeetingDocument.objects.select_related("disclosure_reason").order_by("title")
    pk = id_from(meeting_id)
    meeting = (Meeting.objects.select_related("committee", "disclosure_reason")
               .prefetch_related(Prefetch("documents", queryset=documents), "committee__members")
               .filter(pk=pk).first()) if pk is not None else None
    if meeting is None:
        raise Http404(_("No such meeting."))
    return meeting


def document_access(*, user, meeting_id, document_id) -> MeetingDocument:
    """A meeting's document whose file may be downloaded. A withheld one (or one of an undisclosed meeting) is
    the same 404 as a missing one, as for every private object: the answer never tells that a file exists."""
    meeting = meeting_access(user=user, meeting_id=meeting_id)
    pk = id_from(document_id)
    document = meeting.documents.filter(pk=pk).first() if pk is not None else None
    if document is None or not document.file_visible:
        raise Http404(_("No such document."))
    return document


def _counts(rows) -> list[dict]:
    out = []
    for row in rows:
        total = row["meetings"]
        opened = row["disclosed"] + row["partially_disclosed"]
        out.append({**row, "disclosure_rate": round(opened / total, 4) if total else None,
                    "full_disclosure_rate": round(row["disclosed"] / total, 4) if total else None})
    return out


_AGGREGATES = dict(
    meetings=Count("pk"),
    disclosed=Count("pk", filter=Q(disclosure=Disclosure.DISCLOSED)),
    partially_disclosed=Count("pk", filter=Q(disclosure=Disclosure.PARTIALLY_DISCLOSED)),
    not_disclosed=Count("pk", filter=Q(disclosure=Disclosure.NOT_DISCLOSED)),
)


def disclosure_stats(*, meetings: QuerySet[Meeting], interval: str = "year") -> dict:
    """Disclosure rates of meetings already held: overall, per department, per committee, over time.

    `disclosure_rate` = (disclosed + partially disclosed) / meetings, as the Korean government
    counts 공개율; `full_disclosure_rate` = disclosed / meetings.
    """
    held = meetings.held().order_by()
    overall = _counts([held.aggregate(**_AGGREGATES)])[0]
    departments = _counts(held.values("committee__department_ko", "committee__department_en")
                          .annotate(**_AGGREGATES).order_by("committee__department_ko"))
    committees = _counts(held.values("committee_id", "committee__name_ko", "committee__name_en")
                         .annotate(**_AGGREGATES).order_by("committee__name_ko"))
    trunc, fmt = (TruncMonth, "%Y-%m") if interval == "month" else (TruncYear, "%Y")
    over_time = _counts(held.annotate(bucket=trunc("starts_at")).values("bucket").annotate(**_AGGREGATES)
                        .order_by("bucket"))
    per_department = _counts(held.annotate(bucket=trunc("starts_at"))
                             .values("committee__department_ko", "committee__department_en", "bucket")
                             .annotate(**_AGGREGATES).order_by("committee__department_ko", "bucket"))
    return {
        "definition": _("disclosure_rate = (disclosed + partially_disclosed) / meetings held; "
                        "full_disclosure_rate = disclosed / meetings held."),
        "interval": interval,
        "overall": overall,
        "by_department": [{"department_ko": r.pop("committee__department_ko"),
                           "department_en": r.pop("committee__department_en"), **r} for r in departments],
        "by_committee": [{"committee": r.pop("committee_id"), "name_ko": r.pop("committee__name_ko"),
                          "name_en": r.pop("committee__name_en"), **r} for r in committees],
        "over_time": [{"period": r.pop("bucket").strftime(fmt), **r} for r in over_time],
        "by_department_over_time": [{"department_ko": r.pop("committee__department_ko"),
                                     "department_en": r.pop("committee__department_en"),
                                     "period": r.pop("bucket").strftime(fmt), **r} for r in per_department],
    }
