"""Writes of the moderation app: flags (hide after enough distinct flaggers), moderators' decisions, bans.

Every function takes keyword-only arguments, validates before saving, runs in one transaction
and leaves side effects (tile-cache invalidation, e-mail) to `transaction.on_commit`.
"""
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import NotFound, PermissionDenied

from audit.services import audit_record
from geoplatform.text import plain_text
from layers.services import layer_version_bump, tile_cache_invalidate
from notifications.services import notification_create

from .models import Flag
from .permissions import ensure_not_banned

REASON_MAX = 2000


def _fail(field: str, en: str, ko: str):
    raise ValidationError({field: f"{en} / {ko}"})


# --- flags -----------------------------------------------------------------------------------------------
FLAG_TARGETS = {
    Flag.TargetType.REPORT: ("reports", "Report"),
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


def _is_report(target) -> bool:
    return target._meta.label == "reports.Report"


def flag_target_visible(target, user) -> bool:
    if _is_report(target):
        return target.can_view(user) and not target.is_hidden
    owner = getattr(target, "feature", None)  # a photo is seen through its feature
    if owner is not None and target.is_hidden:
        return False
    return (owner or target).can_view(user)


def _target_changed(target) -> None:
    """Redraw what shows the target: the reports layer, the map's layer, or nothing (photos)."""
    if _is_report(target):
        tile_cache_invalidate(layer_name="reports", geometries=[target.public_geom])
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
        user=owner, kind="content_hidden", report=target if _is_report(target) else None,
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
    reason = plain_text(reason or "")
    if not reason:
        _fail("reason", "Give a reason.", "사유를 입력해 주세요.")
    if len(reason) > REASON_MAX:
        _fail("reason", f"The reason is longer than {REASON_MAX} characters.", f"사유는 {REASON_MAX}자 이하여야 합니다.")
    if user.pk == actor.pk:
        _fail("user", "You cannot ban yourself.", "자기 자신은 제한할 수 없습니다.")
    before = {"is_banned": user.is_banned}
    user.is_banned = banned
    user.save(update_fields=["is_banned"])
    audit_record(actor=actor, action="user.ban" if banned else "user.unban", target=user, before=before,
                 after={"is_banned": banned, "reason": reason})


def flags_anonymise(*, user) -> None:
    """Account deletion: the user's flags keep counting, without their words."""
    Flag.objects.filter(user=user).update(comment="")
