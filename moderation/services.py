"""Writes of the moderation app: reports and their workflow, notifications, flags, bans, the audit log.

Every function takes keyword-only arguments, validates before saving, runs in one transaction
and leaves side effects (e-mail, tile-cache invalidation) to `transaction.on_commit`.
"""
import json
import logging

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from rest_framework.exceptions import NotFound, PermissionDenied

from districts.models import District
from districts.selectors import districts_for_geometry
from geoplatform.geometry import geometry_check
from geoplatform.images import image_sanitise
from geoplatform.text import plain_text
from layers.services import layer_version_bump, tile_cache_invalidate

from .layers import REPORT_LAYER
from .models import (
    CLOSED_STATUSES, OPEN_STATUSES, AuditLog, ContactPreference, Flag, Notification, Report, ReportCategory,
    ReportDistrict, ReportEvent, ReportPhoto, Status, overall_status,
)
from .permissions import ensure_not_banned
from .workdays import add_working_days

logger = logging.getLogger(__name__)

MAX_PHOTOS_PER_REPORT = 5
MESSAGE_MAX = 2000


def _fail(field: str, en: str, ko: str):
    raise ValidationError({field: f"{en} / {ko}"})


# --- audit log ------------------------------------------------------------------------------------
def _jsonable(value):
    return None if value is None else json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def audit_target(target) -> tuple[str, str]:
    """('app_label.model', 'pk') for a model instance; a string 'type:id' is split; None gives ('', '')."""
    if target is None:
        return "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk)
    kind, _, key = str(target).partition(":")
    return kind[:64], key[:64]


def audit_record(*, actor, action: str, target, before: dict | None, after: dict | None) -> AuditLog:
    """Append one row to the audit log (who, what, on which object, before and after).

    Call it inside the transaction of the change it records, so both are stored or neither.
    `target` is a model instance or a 'type:id' string (e.g. 'layer:reports' for an export).
    """
    target_type, target_id = audit_target(target)
    entry = AuditLog(
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        action=action[:64],
        target_type=target_type,
        target_id=target_id,
        before=_jsonable(before),
        after=_jsonable(after),
    )
    entry.full_clean()
    entry.save()
    return entry


# --- notifications ------------------------------------------------------------------------------------
def _report_url(report: Report) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/reports/{report.pk}/"


def notification_create(*, user, kind: str, title: str, body: str, report: Report | None = None,
                        email: bool = True) -> Notification | None:
    """Store a notification for the user and, after commit, e-mail it when they have an address."""
    if user is None or not user.is_active:
        return None
    title = " ".join(title.split())[:200]  # one line: it is also the e-mail subject
    notification = Notification(user=user, report=report, kind=kind, title=title, body=body)
    notification.full_clean()
    notification.save()
    if email and user.email:
        transaction.on_commit(lambda: _notification_email(notification.pk))
    return notification


def _notification_email(notification_id: int) -> None:
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    try:
        send_mail(notification.title, notification.body, None, [notification.user.email])
    except OSError:  # an unreachable mail server must not undo or fail the change; the app still shows it
        logger.exception("could not e-mail notification %s", notification_id)
        return
    Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read: the given ones, or all of them."""
    notifications = Notification.objects.of_user(user).unread()
    if ids is not None:
        notifications = notifications.filter(pk__in=ids)
    return notifications.update(is_read=True)


def _notify_reporter(report: Report, *, kind: str, title: str, body: str) -> None:
    if report.reporter_id is None:
        return
    wants_email = report.contact_preference == ContactPreference.EMAIL
    notification_create(user=report.reporter, report=report, kind=kind, title=title,
                        body=f"{body}\n\n{_report_url(report)}", email=wants_email)


def _notify_officers(report: Report, districts, *, title: str) -> None:
    """Officers of the districts see new work in the app (no e-mail: their queue is the tool)."""
    User = get_user_model()
    officers = User.objects.filter(is_active=True, role="district_officer", districts__in=districts).distinct()
    for officer in officers:
        notification_create(user=officer, report=report, kind="report_routed", title=title,
                            body=_report_url(report), email=False)


# --- categories --------------------------------------------------------------------------------------
CATEGORY_FIELDS = ("code", "name_ko", "name_en", "description_ko", "description_en", "responsible_body_ko",
                   "responsible_body_en", "is_sensitive", "acknowledge_days", "resolve_days", "is_active", "position")


def _category_state(category: ReportCategory) -> dict:
    return {name: getattr(category, name) for name in CATEGORY_FIELDS}


@transaction.atomic
def category_create(*, code: str, name_ko: str, name_en: str, actor=None, **fields) -> ReportCategory:
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        _fail("category", f"Unknown field(s): {', '.join(sorted(unknown))}.", "알 수 없는 항목입니다.")
    category = ReportCategory(code=code, name_ko=plain_text(name_ko), name_en=plain_text(name_en), **fields)
    category.full_clean()
    category.save()
    audit_record(actor=actor, action="category.create", target=category, before=None, after=_category_state(category))
    return category


@transaction.atomic
def category_update(*, category: ReportCategory, actor, **changes) -> ReportCategory:
    """Change a category; when its sensitivity changes, every report of it is re-coarsened (or not)."""
    unknown = set(changes) - set(CATEGORY_FIELDS)
    if unknown:
        _fail("category", f"Unknown field(s): {', '.join(sorted(unknown))}.", "알 수 없는 항목입니다.")
    category = ReportCategory.objects.select_for_update().get(pk=category.pk)
    before = _category_state(category)
    for name, value in changes.items():
        setattr(category, name, plain_text(value) if isinstance(value, str) and name != "code" else value)
    category.full_clean()
    category.save()
    if before["is_sensitive"] != category.is_sensitive:
        for report in category.reports.select_related("category").only("id", "geom", "public_geom", "category"):
            report.coarsen()
            report.save(update_fields=["public_geom"])
        layer_version_bump(layer_name=REPORT_LAYER)
    audit_record(actor=actor, action="category.update", target=category, before=before,
                 after=_category_state(category))
    return category


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
        _fail(field, "A message for the reporter is required.", "신고자에게 보낼 메시지를 입력해 주세요.")
    if len(text) > MESSAGE_MAX:
        _fail(field, f"The message is longer than {MESSAGE_MAX} characters.", f"메시지는 {MESSAGE_MAX}자 이하여야 합니다.")
    return text


def _tiles_changed(*geometries: GEOSGeometry) -> None:
    tile_cache_invalidate(layer_name=REPORT_LAYER, geometries=[g for g in geometries if g is not None])


@transaction.atomic
def report_create(*, reporter, category: ReportCategory, geom: GEOSGeometry, description: str,
                  contact_preference: str = ContactPreference.EMAIL, channel: str = "api") -> Report:
    """A citizen's report, routed to every district its geometry touches (ST_Intersects).

    A report wholly outside Seoul is refused. A point in the Han river goes to the gu whose
    polygon holds it: the gu boundaries run through the middle of the river.
    """
    ensure_not_banned(reporter)
    if not category.is_active:
        _fail("category", "This category is no longer in use.", "더 이상 사용하지 않는 분류입니다.")
    geom = geometry_check(geom)
    description = plain_text(description or "")
    if not description:
        _fail("description", "Describe the problem.", "문제를 설명해 주세요.")
    districts = list(districts_for_geometry(geom))
    if not districts:
        _fail("geometry", "This place is outside Seoul; report it to the city or county responsible for it.",
              "서울시 밖의 장소입니다. 해당 시·군에 신고해 주세요.")
    today = timezone.localdate()
    report = Report(
        reporter=reporter, category=category, geom=geom, description=description,
        contact_preference=contact_preference, channel=channel, created_on=today,
        acknowledge_due=add_working_days(today, category.acknowledge_days),
        resolve_due=add_working_days(today, category.resolve_days),
    )
    report.coarsen()
    report.full_clean()
    report.save()
    ReportDistrict.objects.bulk_create([ReportDistrict(report=report, district=d) for d in districts])
    names_ko = ", ".join(d.name_ko for d in districts)
    names_en = ", ".join(d.name_en for d in districts)
    ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.CREATED, actor=reporter,
                               to_status=Status.SUBMITTED,
                               message=f"Sent to {names_en}. / {names_ko}에 접수되었습니다.")
    audit_record(actor=reporter, action="report.create", target=report, before=None, after=_report_state(report))
    _notify_reporter(report, kind="report_received",
                     title=f"Report #{report.pk} received / 신고 #{report.pk} 접수",
                     body=f"Your report was sent to {names_en}. / 신고가 {names_ko}에 접수되었습니다.")
    _notify_officers(report, districts, title=f"New report #{report.pk}: {category.name_en} / 새 신고 #{report.pk}: "
                                              f"{category.name_ko}")
    _tiles_changed(report.public_geom)
    return report


@transaction.atomic
def report_photo_add(*, report: Report, actor, upload) -> ReportPhoto:
    """A photo on one's own open report, re-encoded so EXIF (GPS above all) is gone."""
    if not report.can_add_photo(actor):
        raise PermissionDenied("Only the reporter may add photos to an open report. / "
                               "처리 중인 신고에는 신고자만 사진을 올릴 수 있습니다.")
    if report.photos.count() >= MAX_PHOTOS_PER_REPORT:
        _fail("image", f"A report has at most {MAX_PHOTOS_PER_REPORT} photos.",
              f"신고 하나에 사진은 {MAX_PHOTOS_PER_REPORT}장까지입니다.")
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


def _report_status_refresh(report: Report, *, now) -> None:
    statuses = list(report.report_districts.values_list("status", flat=True))
    report.status = overall_status(statuses)
    if report.acknowledged_at is None and any(s != Status.SUBMITTED for s in statuses):
        report.acknowledged_at = now
    report.closed_at = (report.closed_at or now) if report.status in CLOSED_STATUSES else None
    report.full_clean()
    report.save()


def _rows_to_answer(report: Report, actor, district_codes: list[str] | None) -> list[ReportDistrict]:
    mine = report.answering_codes(actor)
    if not mine:
        raise PermissionDenied("Only officers of a district responsible for this report may do this. / "
                               "이 신고를 담당하는 자치구 담당자만 할 수 있습니다.")
    codes = set(district_codes) if district_codes else mine
    if not codes <= mine:
        raise PermissionDenied("You do not answer for that district. / 담당하지 않는 자치구입니다.")
    return [rd for rd in report.report_districts.select_related("district") if rd.district.code in codes]


@transaction.atomic
def report_status_change(*, report: Report, actor, status: str, message: str, district_codes: list[str] | None = None,
                         duplicate_of: Report | None = None, responsible_body: str = "") -> Report:
    """An officer moves their district's part of a report along the workflow, with a public message.

    The report is closed only when every district has answered with a closed state.
    """
    if status not in Status.values:
        _fail("status", f"Unknown status {status!r}; use one of {', '.join(Status.values)}.", "알 수 없는 상태입니다.")
    rows = _rows_to_answer(report, actor, district_codes)
    message = _clean_message(message)
    refused = [rd for rd in rows if not rd.can_transition(status)]
    if refused:
        rd = refused[0]
        _fail("status", f"{rd.district.name_en} cannot go from {rd.status} to {status}.",
              f"{rd.district.name_ko}: {rd.get_status_display()}에서 {status}(으)로 바꿀 수 없습니다.")
    before = _report_state(report)
    if status == Status.DUPLICATE:
        if duplicate_of is None:
            _fail("duplicate_of", "Name the original report.", "원래 신고 번호를 입력해 주세요.")
        if duplicate_of.pk == report.pk or duplicate_of.duplicate_of_id == report.pk:
            _fail("duplicate_of", "A report cannot duplicate itself.", "자기 자신과 중복일 수 없습니다.")
        report.duplicate_of = duplicate_of
    if status == Status.NOT_OUR_RESPONSIBILITY:
        responsible_body = plain_text(responsible_body or "")[:200]
        if not responsible_body:
            _fail("responsible_body", "Say who is responsible.", "담당 기관을 알려 주세요.")
        report.responsible_body = responsible_body
    _transition(report=report, actor=actor, rows=rows, status=status, message=message)
    audit_record(actor=actor, action=f"report.status.{status}", target=report, before=before,
                 after=_report_state(report))
    label = Status(status).label
    _notify_reporter(report, kind="report_status", title=f"Report #{report.pk}: {label} / 신고 #{report.pk}: {label}",
                     body=message)
    _tiles_changed(report.public_geom)
    return report


BULK_ACKNOWLEDGE_MESSAGE = ("Your report has been received and is being reviewed. / "
                            "신고가 접수되어 담당 부서에서 검토하고 있습니다.")


@transaction.atomic
def report_bulk_acknowledge(*, actor, reports: list[Report], message: str = "") -> list[Report]:
    """Acknowledge many reports of the officer's districts at once: all of them, or none if one cannot be.

    Without a message of their own, reporters get the standard acknowledgement text.
    """
    message = _clean_message(message, required=False) or BULK_ACKNOWLEDGE_MESSAGE
    problems = []
    for report in reports:
        try:
            rows = _rows_to_answer(report, actor, None)
        except PermissionDenied:
            problems.append(f"#{report.pk}: not yours / 담당 아님")
            continue
        if not any(rd.status == Status.SUBMITTED for rd in rows):
            problems.append(f"#{report.pk}: already acknowledged / 이미 확인됨")
    if problems:
        _fail("ids", "Nothing was acknowledged: " + "; ".join(problems), "아무것도 확인 처리하지 않았습니다.")
    for report in reports:
        rows = [rd for rd in _rows_to_answer(report, actor, None) if rd.status == Status.SUBMITTED]
        report_status_change(report=report, actor=actor, status=Status.ACKNOWLEDGED, message=message,
                             district_codes=[rd.district.code for rd in rows])
    return reports


@transaction.atomic
def report_transfer(*, report: Report, actor, to_code: str, reason: str, from_code: str | None = None) -> Report:
    """Hand a district's part of a report to another district, with a reason kept in the timeline."""
    rows = _rows_to_answer(report, actor, [from_code] if from_code else None)
    if len(rows) != 1:
        _fail("from_district", "Say which of your districts hands the report over.", "넘기는 자치구를 지정해 주세요.")
    row = rows[0]
    if row.status not in OPEN_STATUSES:
        _fail("from_district", "A closed report cannot be transferred.", "종결된 신고는 이관할 수 없습니다.")
    reason = _clean_message(reason, field="reason")
    target = District.objects.filter(code=to_code).first()
    if target is None:
        _fail("to_district", f"Unknown district code {to_code!r}.", "알 수 없는 자치구 코드입니다.")
    if target.pk == row.district_id:
        _fail("to_district", "The report is already with that district.", "이미 그 자치구에 있는 신고입니다.")
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
    _report_status_refresh(report, now=timezone.now())
    audit_record(actor=actor, action="report.transfer", target=report, before=before, after=_report_state(report))
    _notify_reporter(report, kind="report_transfer",
                     title=f"Report #{report.pk} moved to {target.name_en} / 신고 #{report.pk}이(가) {target.name_ko}로 이관됨",
                     body=reason)
    _notify_officers(report, [target], title=f"Report #{report.pk} transferred to you / 신고 #{report.pk} 이관됨")
    _tiles_changed(report.public_geom)
    return report


@transaction.atomic
def report_note_add(*, report: Report, actor, note: str) -> ReportEvent:
    """An internal note: seen by the report's officers and city staff, never by the public or the reporter."""
    if not report.can_see_internal(actor):
        raise PermissionDenied("Only the report's district officers and city staff may add notes. / "
                               "담당 자치구 직원과 서울시 담당자만 메모를 남길 수 있습니다.")
    note = _clean_message(note, field="note")
    mine = sorted(report.answering_codes(actor))
    district = District.objects.filter(code=mine[0]).first() if mine else None
    event = ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.NOTE, actor=actor, district=district,
                                       message=note)
    # the note's text stays in the timeline; the audit log records only that one was written
    audit_record(actor=actor, action="report.note", target=report, before=None, after={"event": event.pk})
    return event


# --- flags -----------------------------------------------------------------------------------------------
FLAG_TARGETS = {
    Flag.TargetType.REPORT: ("moderation", "Report"),
    Flag.TargetType.MAP: ("maps", "Map"),
    Flag.TargetType.FEATURE: ("maps", "Feature"),
    Flag.TargetType.PHOTO: ("maps", "FeaturePhoto"),
    Flag.TargetType.PROPOSAL: ("campaigns", "Proposal"),
    Flag.TargetType.COMMENT: ("campaigns", "ProposalComment"),
}


def flag_target_model(target_type: str):
    if target_type not in FLAG_TARGETS:
        _fail("target_type", f"Unknown target type {target_type!r}; use one of {', '.join(FLAG_TARGETS)}.",
              "신고할 수 없는 대상입니다.")
    return apps.get_model(*FLAG_TARGETS[target_type])


def flag_target_visible(target, user) -> bool:
    if isinstance(target, Report):
        return target.can_view(user) and not target.is_hidden
    owner = getattr(target, "feature", None)  # a photo is seen through its feature
    if owner is not None and target.is_hidden:
        return False
    return (owner or target).can_view(user)


def _target_changed(target) -> None:
    """Redraw what shows the target: the reports layer, the map's layer, or nothing (photos)."""
    if isinstance(target, Report):
        _tiles_changed(target.public_geom)
    elif target._meta.model_name == "feature":
        tile_cache_invalidate(layer_name=f"map-{target.map_id}", geometries=[target.geom])
    elif target._meta.model_name == "map":
        layer_version_bump(layer_name=f"map-{target.pk}")
    elif target._meta.model_name == "proposal":
        layer_version_bump(layer_name="proposals")


@transaction.atomic
def flag_create(*, user, target_type: str, target_id: int, reason: str, comment: str = "") -> Flag:
    """Flag content; once `MODERATION_FLAGS_TO_HIDE` distinct people flagged it, it is hidden pending review."""
    ensure_not_banned(user)
    model = flag_target_model(target_type)
    target = model.objects.select_for_update().filter(pk=target_id).first()
    if target is None or not flag_target_visible(target, user):
        raise NotFound("No such content. / 해당 콘텐츠가 없습니다.")
    if reason not in Flag.Reason.values:
        _fail("reason", f"Unknown reason {reason!r}; use one of {', '.join(Flag.Reason.values)}.", "알 수 없는 사유입니다.")
    flag = Flag(user=user, target_type=target_type, target_id=target.pk, reason=reason,
                comment=plain_text(comment or "")[:500])
    flag.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            flag.save()
    except IntegrityError:
        _fail("target_id", "You have already flagged this.", "이미 신고한 콘텐츠입니다.")
    audit_record(actor=user, action="flag.create", target=target, before=None,
                 after={"reason": reason, "target_type": target_type})
    flaggers = Flag.objects.open().on(target_type, target.pk).values("user").distinct().count()
    if flaggers >= settings.MODERATION_FLAGS_TO_HIDE and not target.is_hidden:
        target.is_hidden = True
        target.save(update_fields=["is_hidden"])
        audit_record(actor=None, action="flag.hide", target=target, before={"is_hidden": False},
                     after={"is_hidden": True, "flaggers": flaggers})
        _target_changed(target)
        _notify_content_owner_hidden(target, target_type)
    return flag


# Who answers for each kind of flaggable content (the first of these fields the model has).
CONTENT_OWNER_FIELDS = ("reporter", "owner", "author", "proposer", "uploaded_by")


def _notify_content_owner_hidden(target, target_type: str) -> None:
    """Tell the person whose content was hidden why, and that a moderator will review it (no flagger named)."""
    field = next((name for name in CONTENT_OWNER_FIELDS if hasattr(target, f"{name}_id")), None)
    owner = getattr(target, field, None) if field else None
    if owner is None:
        return
    notification_create(
        user=owner, kind="content_hidden", report=target if isinstance(target, Report) else None,
        title="Your content is hidden pending review / 회원님의 콘텐츠가 검토를 위해 숨겨졌습니다",
        body=(f"Several people flagged your {target_type} \"{str(target)[:80]}\". It is hidden until a moderator "
              "reviews it; you will see the decision here.\n"
              f"여러 사람이 회원님의 콘텐츠({target_type})를 신고하여 검토 전까지 숨겨졌습니다. 검토 결과를 이곳에서 알려 드립니다."),
    )


@transaction.atomic
def flag_decide(*, actor, target_type: str, target_id: int, decision: str, note: str = "") -> int:
    """A moderator restores flagged content (shown again) or removes it (stays hidden). Returns flags closed."""
    if not (actor and actor.is_authenticated and actor.is_city_staff):
        raise PermissionDenied("Only city staff moderate flagged content. / 서울시 담당자만 처리할 수 있습니다.")
    decisions = {"restore": Flag.State.RESTORED, "remove": Flag.State.REMOVED}
    if decision not in decisions:
        _fail("decision", "Decide 'restore' or 'remove'.", "'restore'(복원) 또는 'remove'(삭제)를 선택해 주세요.")
    model = flag_target_model(target_type)
    target = model.objects.select_for_update().filter(pk=target_id).first()
    flags = Flag.objects.open().on(target_type, target_id).select_for_update()
    if target is None or not flags.exists():
        raise NotFound("No open flags on that content. / 처리할 신고가 없습니다.")
    before = {"is_hidden": target.is_hidden}
    target.is_hidden = decision == "remove"
    target.save(update_fields=["is_hidden"])
    closed = flags.update(state=decisions[decision], decided_at=timezone.now(), decided_by=actor)
    audit_record(actor=actor, action=f"flag.{decision}", target=target, before=before,
                 after={"is_hidden": target.is_hidden, "flags": closed, "note": plain_text(note or "")[:500]})
    _target_changed(target)
    return closed


@transaction.atomic
def user_ban(*, actor, user, banned: bool, reason: str) -> None:
    """Put a user on (or take them off) the ban list: banned users cannot create content."""
    if not (actor and actor.is_authenticated and actor.is_city_staff):
        raise PermissionDenied("Only city staff may ban users. / 서울시 담당자만 이용을 제한할 수 있습니다.")
    reason = _clean_message(reason, field="reason")
    if user.pk == actor.pk:
        _fail("user", "You cannot ban yourself.", "자기 자신은 제한할 수 없습니다.")
    before = {"is_banned": user.is_banned}
    user.is_banned = banned
    user.save(update_fields=["is_banned"])
    audit_record(actor=actor, action="user.ban" if banned else "user.unban", target=user, before=before,
                 after={"is_banned": banned, "reason": reason})


def reporter_anonymise(*, user) -> None:
    """Account deletion: reports stay (without a name), contact by e-mail stops, notifications go."""
    Report.objects.filter(reporter=user).update(contact_preference=ContactPreference.APP)
    Notification.objects.filter(user=user).delete()
    Flag.objects.filter(user=user).update(comment="")
