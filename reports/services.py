"""Writes of reports: categories, reports and their workflow (routing, status, transfer, notes, photos).

Every function takes keyword-only arguments, validates before saving, runs in one transaction
and leaves side effects (e-mail, tile-cache invalidation) to `transaction.on_commit`.
"""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from rest_framework.exceptions import PermissionDenied

from audit.services import audit_record
from districts.models import District
from districts.selectors import districts_for_geometry
from geoplatform.geometry import geometry_check
from geoplatform.images import image_sanitise
from accounts.permissions import require_not_banned
from geoplatform.errors import field_error
from geoplatform.text import plain_text
from layers.services import layer_version_bump, tile_cache_invalidate
from geoplatform.i18n import language_of
from geoplatform.messages import localised, stored
from notifications.messages import WITH_LINK
from notifications.services import notification_create

from . import messages

from .layers import REPORT_LAYER
from .models import (
    CLOSED_STATUSES, COARSE_GRID_METRES, COARSE_SRID, OPEN_STATUSES, ContactPreference, Open311Key, Report,
    ReportCategory, ReportDistrict, ReportEvent, ReportPhoto, Status, overall_status,
)
from .workdays import add_working_days
from django.utils.translation import gettext_lazy as _

MAX_PHOTOS_PER_REPORT = 5
MESSAGE_MAX = 2000



# --- notifications ------------------------------------------------------------------------------------
def _report_url(report: Report) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/reports/{report.pk}/"


def _notify_reporter(report: Report, *, kind: str, title: dict, body: dict | str) -> None:
    """`title` (and `body`, unless it is an officer's own words) are stored messages: each reader reads
    them in their own language."""
    if report.reporter_id is None:
        return
    wants_email = report.contact_preference == ContactPreference.EMAIL
    text = body if isinstance(body, dict) else localised(ko=body, en=body)
    notification_create(user=report.reporter, report=report, kind=kind, title=title,
                        body=stored(WITH_LINK, text=text, url=_report_url(report)), email=wants_email)


def _live(report: Report, type: str, *, also_codes=()) -> None:
    """After commit: the officers' queues of the report's districts (and of `also_codes`, e.g. the district
    that handed it over) and the reporter's open pages hear that it changed; they reload it through the API,
    so the message carries no text, only what changed."""
    from live.services import district_send, user_send

    codes = set(report.report_districts.values_list("district__code", flat=True)) | set(also_codes)
    message = {"type": type, "id": report.pk, "status": report.status}
    reporter_id = report.reporter_id

    def send():
        district_send(codes=codes, message=message)
        if reporter_id:
            user_send(user_id=reporter_id, message=message)

    transaction.on_commit(send)


def _notify_officers(report: Report, districts, *, title: dict) -> None:
    """Officers of the districts see new work in the app (no e-mail: their queue is the tool)."""
    User = get_user_model()
    officers = User.objects.filter(is_active=True, role="district_officer", districts__in=districts).distinct()
    for officer in officers:
        notification_create(user=officer, report=report, kind="report_routed", title=title,
                            body=_report_url(report), email=False)


# --- categories --------------------------------------------------------------------------------------
# what the `reports` layer shows of a category (reports/layers.py)
CATEGORY_ON_MAP = ("code", "name_ko", "name_en", "is_sensitive")
CATEGORY_FIELDS = ("code", "name_ko", "name_en", "description_ko", "description_en", "responsible_body_ko",
                   "responsible_body_en", "is_sensitive", "acknowledge_days", "resolve_days", "is_active", "position")


def _category_state(category: ReportCategory) -> dict:
    return {name: getattr(category, name) for name in CATEGORY_FIELDS}


@transaction.atomic
def category_create(*, code: str, name_ko: str, name_en: str, actor=None, **fields) -> ReportCategory:
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise field_error("category", _("Unknown field(s): %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    category = ReportCategory(code=code, name_ko=plain_text(name_ko), name_en=plain_text(name_en), **fields)
    category.full_clean()
    category.save()
    audit_record(actor=actor, action="category.create", target=category, before=None, after=_category_state(category))
    return category


@transaction.atomic
def category_update(*, category: ReportCategory, actor, **changes) -> ReportCategory:
    """Change a category (`category_access(..., lock=True)`); when its sensitivity changes, every report of it is
    re-coarsened (or not)."""
    unknown = set(changes) - set(CATEGORY_FIELDS)
    if unknown:
        raise field_error("category", _("Unknown field(s): %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    before = _category_state(category)
    for name, value in changes.items():
        setattr(category, name, plain_text(value) if isinstance(value, str) and name != "code" else value)
    category.full_clean()
    category.save()
    if before["is_sensitive"] != category.is_sensitive:
        _category_reports_coarsen(category)
    if any(before[name] != getattr(category, name) for name in CATEGORY_ON_MAP):
        # every report of it is drawn elsewhere or named otherwise: the layer's tiles and aggregates are redrawn
        # (in the background worker after the commit: `layers.tasks.aggregates_rebuild_task`, readers see the old
        # rows until the new ones commit)
        layer_version_bump(layer_name=REPORT_LAYER)
    audit_record(actor=actor, action="category.update", target=category, before=before,
                 after=_category_state(category))
    return category


# What `Report.coarsen()` does for one report, for every report of a category in one statement (a category holds up to
# 1,400,000 reports a year in Seoul: one coarsen() and save() a report took 4 ms, an hour and a half in one request).
# The same steps: the point on surface (the point itself), in the national grid (COARSE_SRID), the centre of its
# COARSE_GRID_METRES cell, back in WGS 84 rounded to 6 decimals; the public district the one holding that centre
# (the first by code), else the nearest (ST_DistanceSphere, as Django's Distance on a geographic field).
# tests/reports/test_report_tiles.py compares it with coarsen() report by report.
_COARSEN_SQL = """
UPDATE reports_report r
SET public_geom = c.pt, description_public = false,
    public_district_id = COALESCE(
        (SELECT d.id FROM districts_district d WHERE ST_Intersects(d.geom, c.pt) ORDER BY d.code LIMIT 1),
        (SELECT d.id FROM districts_district d ORDER BY ST_DistanceSphere(d.geom, c.pt), d.code LIMIT 1))
FROM (
    SELECT m.id, ST_SetSRID(ST_MakePoint(round(ST_X(w.p)::numeric, 6)::float8, round(ST_Y(w.p)::numeric, 6)::float8),
                            4326) AS pt
    FROM (SELECT id, ST_Transform(CASE WHEN GeometryType(geom) = 'POINT' THEN geom ELSE ST_PointOnSurface(geom) END,
                                  %(srid)s) AS g
          FROM reports_report WHERE category_id = %(category)s) AS m
    CROSS JOIN LATERAL (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(
        floor(ST_X(m.g) / %(cell)s) * %(cell)s + %(cell)s / 2.0,
        floor(ST_Y(m.g) / %(cell)s) * %(cell)s + %(cell)s / 2.0), %(srid)s), 4326) AS p) AS w
) AS c
WHERE c.id = r.id
"""


def _category_reports_coarsen(category: ReportCategory) -> int:
    """Every report of the category shown as its sensitivity now says (in the caller's transaction): coarsened to
    its cell and district with its description private, or its own geometry with no public district."""
    if not category.is_sensitive:
        return category.reports.update(public_geom=F("geom"), public_district=None)
    with connection.cursor() as cursor:
        cursor.execute(_COARSEN_SQL, {"srid": COARSE_SRID, "cell": COARSE_GRID_METRES, "category": category.pk})
        return cursor.rowcount


# --- reports -----------------------------------------------------------------------------------------------
def _report_state(report: Report) -> dict:
    return {
        "status": report.status,
        "districts": {rd.district.code: rd.status for rd in report.report_districts.select_related("district")},
        "is_hidden": report.is_hidden,
        "duplicate_of": report.duplicate_of_id,
        "responsible_body": report.responsible_body,
    }


def _clean_message(message: str, *, field: str = "message", required: bool = True) -> str:
    text = plain_text(message or "")
    if required and not text:
        raise field_error(field, _("A message for the reporter is required."))
    if len(text) > MESSAGE_MAX:
        raise field_error(field, _("The message is longer than %(n)s characters.") % {"n": MESSAGE_MAX})
    return text


@transaction.atomic
def report_create(*, reporter, category: ReportCategory, geom: GEOSGeometry, description: str,
                  contact_preference: str = ContactPreference.EMAIL, channel: str = "api",
                  description_public: bool = False) -> Report:
    """A citizen's report, routed to every district its geometry touches (ST_Intersects).

    A report wholly outside Seoul is refused. A point in the Han river goes to the gu whose
    polygon holds it: the gu boundaries run through the middle of the river.
    """
    require_not_banned(reporter)
    if not category.is_active:
        raise field_error("category", _("This category is no longer in use."))
    try:
        geom = geometry_check(geom)
    except ValidationError as exc:
        raise ValidationError({"geometry": exc.messages})
    description = plain_text(description or "")
    if not description:
        raise field_error("description", _("Describe the problem."))
    districts = list(districts_for_geometry(geom))
    if not districts:
        raise field_error("geometry", _("This place is outside Seoul; report it to the city or county responsible for it."))
    today = timezone.localdate()
    report = Report(
        reporter=reporter, category=category, geom=geom, description=description,
        description_public=bool(description_public) and not category.is_sensitive,
        contact_preference=contact_preference, channel=channel, created_on=today,
        acknowledge_due=add_working_days(today, category.acknowledge_days),
        resolve_due=add_working_days(today, category.resolve_days),
    )
    report.coarsen()
    _routed_names_set(report, districts)
    report.full_clean()
    report.save()
    ReportDistrict.objects.bulk_create([ReportDistrict(report=report, district=d) for d in districts])
    names = messages.districts_param(districts)
    ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.CREATED, actor=reporter,
                               to_status=Status.SUBMITTED, data={"message": stored(messages.SENT, districts=names)})
    audit_record(actor=reporter, action="report.create", target=report, before=None, after=_report_state(report))
    _notify_reporter(report, kind="report_received", title=stored(messages.RECEIVED_TITLE, id=report.pk),
                     body=stored(messages.RECEIVED_BODY, districts=names))
    _notify_officers(report, districts, title=stored(
        messages.NEW_TITLE, id=report.pk, category=localised(ko=category.name_ko, en=category.name_en)))
    tile_cache_invalidate(layer_name=REPORT_LAYER, geometries=[report.public_geom])
    _live(report, "report.created")
    return report


@transaction.atomic
def report_photo_add(*, report: Report, actor, upload) -> ReportPhoto:
    """A photo on one's own open report, re-encoded so EXIF (GPS above all) is gone."""
    require_not_banned(actor)
    if not report.can_add_photo(actor):
        raise PermissionDenied(_("Only the reporter may add photos to an open report."))
    if report.photos.count() >= MAX_PHOTOS_PER_REPORT:
        raise field_error("image", _("A report has at most %(n)s photos.") % {"n": MAX_PHOTOS_PER_REPORT})
    clean = image_sanitise(upload)
    photo = ReportPhoto(report=report, content_type=clean.content_type)
    photo.image.save(clean.image.name, clean.image, save=False)
    photo.thumbnail.save(clean.thumbnail.name, clean.thumbnail, save=False)
    try:
        photo.full_clean()
        photo.save()
    except Exception:  # nothing half-stored: no files without their row
        photo.image.delete(save=False)
        photo.thumbnail.delete(save=False)
        raise
    return photo


def _transition(*, report: Report, actor, rows: list[ReportDistrict], status: str, message: str) -> None:
    """Move the given district rows to `status` with a public message; one timeline entry per district."""
    now = timezone.now()
    for row in rows:
        from_status = row.status
        row.status = status
        row.answer = message
        if from_status == Status.SUBMITTED and row.acknowledged_at is None:
            row.acknowledged_at = now
        row.closed_at = now if status in CLOSED_STATUSES else None
        row.save()
        ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.STATUS, actor=actor, district=row.district,
                                   from_status=from_status, to_status=status, message=message)
    _report_status_refresh(report, now=now)


def _routed_names_set(report: Report, districts) -> None:
    """The names of the districts the report is routed to, as the `reports` layer shows them (code order)."""
    ordered = sorted(districts, key=lambda district: district.code)
    report.routed_districts_ko = ", ".join(d.name_ko for d in ordered) or None
    report.routed_districts_en = ", ".join(d.name_en for d in ordered) or None


def routed_names_refresh(*, district_ids: list[int]) -> int:
    """After districts were renamed: the stored names of every report routed to one of them, in one statement (the
    same as migration 0007's fill; at 9,000,000 reports a rename touches a district's share of them), and the
    `reports` layer redrawn (its rebuild goes to the worker). The number of reports changed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reports_report r SET routed_districts_ko = names.ko, routed_districts_en = names.en "
            "FROM (SELECT rd.report_id, string_agg(d.name_ko, ', ' ORDER BY d.code) AS ko, "
            "             string_agg(d.name_en, ', ' ORDER BY d.code) AS en "
            "      FROM reports_reportdistrict rd JOIN districts_district d ON d.id = rd.district_id "
            "      WHERE rd.report_id IN (SELECT report_id FROM reports_reportdistrict WHERE district_id = ANY(%s)) "
            "      GROUP BY rd.report_id) AS names "
            "WHERE names.report_id = r.id", [list(district_ids)])
        changed = cursor.rowcount
    if changed:
        layer_version_bump(layer_name=REPORT_LAYER)
    return changed


def _report_status_refresh(report: Report, *, now) -> None:
    statuses = list(report.report_districts.values_list("status", flat=True))
    report.status = overall_status(statuses)
    if report.acknowledged_at is None and any(s != Status.SUBMITTED for s in statuses):
        report.acknowledged_at = now
    report.closed_at = (report.closed_at or now) if report.status in CLOSED_STATUSES else None
    report.full_clean()
    report.save()


def _rows_to_answer(report: Report, actor, district_codes: list[str] | None) -> list[ReportDistrict]:
    """The report's rows the actor answers for: all of theirs, or the named ones (each must be theirs).

    Whether the actor answers for the report at all was asked once, by `report_access(need="answer")`.
    """
    mine = report.answering_codes(actor)
    codes = set(district_codes) if district_codes else mine
    if not codes <= mine:
        raise PermissionDenied(_("You do not answer for that district."))
    return [rd for rd in report.report_districts.select_related("district") if rd.district.code in codes]


@transaction.atomic
def report_status_change(*, report: Report, actor, status: str, message: str, district_codes: list[str] | None = None,
                         duplicate_of: Report | None = None, responsible_body: str = "") -> Report:
    """An officer moves their district's part of a report along the workflow, with a public message.

    `report` comes from `report_access(need="answer", lock=True)`. The report is closed only when every
    district has answered with a closed state.
    """
    return _status_apply(report=report, actor=actor, rows=_rows_to_answer(report, actor, district_codes),
                         status=status, message=message, duplicate_of=duplicate_of, responsible_body=responsible_body)


def _status_apply(*, report: Report, actor, rows: list[ReportDistrict], status: str, message: str,
                  duplicate_of: Report | None = None, responsible_body: str = "") -> Report:
    if status not in Status.values:
        raise field_error("status", _("Unknown status %(status)s; use one of %(statuses)s.")
              % {"status": repr(status), "statuses": ", ".join(Status.values)})
    message = _clean_message(message)
    refused = [rd for rd in rows if not rd.can_transition(status)]
    if refused:
        rd = refused[0]
        raise field_error("status", _("%(district)s cannot go from %(from)s to %(to)s.") % {
            "district": rd.district.name_en if get_language() == "en" else rd.district.name_ko,
            "from": rd.get_status_display(), "to": Status(status).label})
    before = _report_state(report)
    if status == Status.DUPLICATE:
        if duplicate_of is None:
            raise field_error("duplicate_of", _("Name the original report."))
        if duplicate_of.pk == report.pk or duplicate_of.duplicate_of_id == report.pk:
            raise field_error("duplicate_of", _("A report cannot duplicate itself."))
        report.duplicate_of = duplicate_of
    if status == Status.NOT_OUR_RESPONSIBILITY:
        responsible_body = plain_text(responsible_body or "")[:200]
        if not responsible_body:
            raise field_error("responsible_body", _("Say who is responsible."))
        report.responsible_body = responsible_body
    _transition(report=report, actor=actor, rows=rows, status=status, message=message)
    audit_record(actor=actor, action=f"report.status.{status}", target=report, before=before,
                 after=_report_state(report))
    _notify_reporter(report, kind="report_status", body=message,
                     title=stored(messages.STATUS_TITLE, id=report.pk, status=messages.status_param(status)))
    tile_cache_invalidate(layer_name=REPORT_LAYER, geometries=[report.public_geom])
    _live(report, "report.updated")
    return report


BULK_ACKNOWLEDGE_MESSAGE = (_("Your report has been received and is being reviewed."))


@transaction.atomic
def report_bulk_acknowledge(*, actor, reports: list[Report], message: str = "") -> list[Report]:
    """Acknowledge many reports of the officer's districts at once: all of them, or none if one cannot be.

    `reports` come from `report_access(lock=True)`; whether the actor answers for each is asked here, once,
    so that one refused report is named among the others instead of ending the request. Without a message of
    their own, reporters get the standard acknowledgement text.
    """
    message = _clean_message(message, required=False)
    problems, to_acknowledge = [], []
    for report in reports:
        if not report.can_answer(actor):
            problems.append((_("#%(pk)s: not yours") % {"pk": report.pk}))
            continue
        rows = [rd for rd in _rows_to_answer(report, actor, None) if rd.status == Status.SUBMITTED]
        if not rows:
            problems.append((_("#%(pk)s: already acknowledged") % {"pk": report.pk}))
        to_acknowledge.append((report, rows))
    if problems:
        raise field_error("ids", _("Nothing was acknowledged: %(problems)s") % {"problems": "; ".join(str(p) for p in problems)})
    for report, rows in to_acknowledge:
        if not message:  # the standard text, written in the reporter's language: it is addressed to them
            with language_of(report.reporter):
                standard = str(BULK_ACKNOWLEDGE_MESSAGE)
        _status_apply(report=report, actor=actor, rows=rows, status=Status.ACKNOWLEDGED, message=message or standard)
    return reports


@transaction.atomic
def report_transfer(*, report: Report, actor, to_code: str, reason: str, from_code: str | None = None) -> Report:
    """Hand a district's part of a report to another district, with a reason kept in the timeline."""
    rows = _rows_to_answer(report, actor, [from_code] if from_code else None)
    if len(rows) != 1:
        raise field_error("from_district", _("Say which of your districts hands the report over."))
    row = rows[0]
    if row.status not in OPEN_STATUSES:
        raise field_error("from_district", _("A closed report cannot be transferred."))
    reason = _clean_message(reason, field="reason")
    target = District.objects.filter(code=to_code).first()
    if target is None:
        raise field_error("to_district", _("Unknown district code %(code)s.") % {"code": repr(to_code)})
    if target.pk == row.district_id:
        raise field_error("to_district", _("The report is already with that district."))
    before = _report_state(report)
    source = row.district
    if report.report_districts.filter(district=target).exists():
        row.delete()  # the receiving district already has it: one queue entry is enough
    else:
        row.district = target
        row.status = Status.SUBMITTED
        row.answer = ""
        row.acknowledged_at = None
        row.closed_at = None
        row.full_clean()
        row.save()
    ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.TRANSFER, actor=actor, district=source,
                               to_district=target, message=reason)
    _routed_names_set(report, [rd.district for rd in report.report_districts.select_related("district")])
    _report_status_refresh(report, now=timezone.now())  # saves the report
    audit_record(actor=actor, action="report.transfer", target=report, before=before, after=_report_state(report))
    _notify_reporter(report, kind="report_transfer",
                     title=stored(messages.MOVED_TITLE, id=report.pk,
                                  district=localised(ko=target.name_ko, en=target.name_en)),
                     body=reason)
    _notify_officers(report, [target], title=stored(messages.TRANSFERRED_TITLE, id=report.pk))
    tile_cache_invalidate(layer_name=REPORT_LAYER, geometries=[report.public_geom])
    _live(report, "report.updated", also_codes=[source.code])
    return report


@transaction.atomic
def report_note_add(*, report: Report, actor, note: str) -> ReportEvent:
    """An internal note: seen by the report's officers and city staff, never by the public or the reporter.

    `report` comes from `report_access(need="internal")`."""
    note = _clean_message(note, field="note")
    mine = sorted(report.answering_codes(actor))
    district = District.objects.filter(code=mine[0]).first() if mine else None
    event = ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.NOTE, actor=actor, district=district,
                                       message=note)
    # the note's text stays in the timeline; the audit log records only that one was written
    audit_record(actor=actor, action="report.note", target=report, before=None, after={"event": event.pk})
    return event


def reporter_anonymise(*, user) -> None:
    """Account deletion: reports stay (without a name) and contact by e-mail stops."""
    Report.objects.filter(reporter=user).update(contact_preference=ContactPreference.APP)


# --- Open311 keys ---------------------------------------------------------------------------------------
OPEN311_KEYS_PER_USER = 10


@transaction.atomic
def open311_key_issue(*, user, label: str = "") -> tuple[Open311Key, str]:
    """A new Open311 key for the user: the model keeps its hash; the key is returned once, to show once."""
    import secrets

    require_not_banned(user)
    if Open311Key.objects.filter(user=user, revoked_at__isnull=True).count() >= OPEN311_KEYS_PER_USER:
        raise field_error("label", _("You have %(n)s keys already; revoke one first.") % {"n": OPEN311_KEYS_PER_USER})
    key = Open311Key.PREFIX + secrets.token_urlsafe(30)
    record = Open311Key(user=user, label=plain_text(label or "")[:80], hint=key[:10], key_hash=Open311Key.hash(key))
    record.full_clean()
    record.save()
    audit_record(actor=user, action="open311_key.issue", target=record, before=None, after={"hint": record.hint})
    return record, key


@transaction.atomic
def open311_key_revoke(*, user, record: Open311Key) -> None:
    """Revoke one's Open311 key (`open311_key_access(..., lock=True)`)."""
    record.revoked_at = timezone.now()
    record.save(update_fields=["revoked_at"])
    audit_record(actor=user, action="open311_key.revoke", target=record, before=None, after={"hint": record.hint})
