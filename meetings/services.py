"""Writes on committees and meetings (the admin uses the same model rules through its forms)."""
from django.contrib.gis.geos import Point
from django.db import transaction

from geoplatform.text import plain_text

from .models import Committee, CommitteeMember, DisclosureReason, Meeting, MeetingDocument


@transaction.atomic
def disclosure_reason_upsert(*, code: str, title_ko: str, title_en: str, legal_basis: str, order: int = 0,
                             description_ko: str = "", description_en: str = "") -> DisclosureReason:
    reason = DisclosureReason.objects.filter(code=code).first() or DisclosureReason(code=code)
    reason.title_ko, reason.title_en, reason.legal_basis, reason.order = title_ko, title_en, legal_basis, order
    reason.description_ko, reason.description_en = description_ko, description_en
    reason.full_clean()
    reason.save()
    return reason


@transaction.atomic
def committee_create(*, name_ko: str, name_en: str, department_ko: str, department_en: str = "",
                     purpose_ko: str = "", purpose_en: str = "", legal_basis: str = "",
                     members: list[tuple[str, str, str]] = ()) -> Committee:
    """`members`: (name, role_ko, role_en) in order."""
    committee = Committee(name_ko=plain_text(name_ko), name_en=plain_text(name_en),
                          department_ko=plain_text(department_ko), department_en=plain_text(department_en),
                          purpose_ko=plain_text(purpose_ko), purpose_en=plain_text(purpose_en),
                          legal_basis=plain_text(legal_basis))
    committee.full_clean()
    committee.save()
    for order, (name, role_ko, role_en) in enumerate(members):
        member = CommitteeMember(committee=committee, name=plain_text(name), role_ko=role_ko, role_en=role_en,
                                 order=order)
        member.full_clean()
        member.save()
    return committee


@transaction.atomic
def meeting_create(*, committee: Committee, title_ko: str, starts_at, title_en: str = "", ends_at=None,
                   place_name: str = "", address: str = "", lon: float | None = None, lat: float | None = None,
                   online_url: str = "", agenda: str = "", minutes: str = "", attendance: str = "",
                   attendance_present: int | None = None, attendance_total: int | None = None, decisions: str = "",
                   minutes_publish_at=None, disclosure: str = "disclosed",
                   disclosure_reason: DisclosureReason | None = None, disclosure_note: str = "") -> Meeting:
    meeting = Meeting(
        committee=committee, title_ko=plain_text(title_ko), title_en=plain_text(title_en), starts_at=starts_at,
        ends_at=ends_at, place_name=plain_text(place_name), address=plain_text(address),
        location=Point(lon, lat, srid=4326) if lon is not None and lat is not None else None, online_url=online_url,
        agenda=plain_text(agenda), minutes=minutes, attendance=plain_text(attendance),
        attendance_present=attendance_present, attendance_total=attendance_total, decisions=plain_text(decisions),
        minutes_publish_at=minutes_publish_at, disclosure=disclosure, disclosure_reason=disclosure_reason,
        disclosure_note=plain_text(disclosure_note),
    )
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def document_add(*, meeting: Meeting, title: str, file, user=None, disclosure: str = "disclosed",
                 disclosure_reason: DisclosureReason | None = None, disclosure_note: str = "") -> MeetingDocument:
    document = MeetingDocument(meeting=meeting, title=plain_text(title), file=file, disclosure=disclosure,
                               disclosure_reason=disclosure_reason, disclosure_note=plain_text(disclosure_note),
                               uploaded_by=user if user is not None and user.is_authenticated else None)
    document.full_clean()
    document.save()
    return document
