"""Writes of the moderation app: flags (hide after enough distinct flaggers), moderators' decisions, bans.

Every function takes keyword-only arguments, validates before saving, runs in one transaction
and leaves side effects (tile-cache invalidation, e-mail) to `transaction.on_commit`.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import NotFound, PermissionDenied

from audit.services import audit_record
from geoplatform.text import plain_text
from notifications.services import notification_create

from .flaggable import Flaggable, flaggables
from .models import Flag
from .permissions import ensure_not_banned

REASON_MAX = 2000


def _fail(field: str, en: str, ko: str):
    raise ValidationError({field: f"{en} / {ko}"})


# --- hiding and restoring flaggable content: the one door -------------------------------------------------
def flaggable_of(target_type: str) -> Flaggable:
    flaggable = flaggables.get(target_type)
    if flaggable is None:
        _fail("target_type", f"Unknown target type {target_type!r}; use one of {', '.join(flaggables.types())}.",
              "신고할 수 없는 대상입니다.")
    return flaggable


def content_hidden_set(*, target, hidden: bool, actor, action: str, details: dict | None = None) -> bool:
    """Hide or show flaggable content: set `is_hidden`, audit it, and redraw what shows it after commit.

    Flags (automatically, or by a moderator's decision) and apps' own moderation tools all come here.
    Returns whether anything changed.
    """
    flaggable = flaggables.of(target)
    if flaggable is None:
        raise TypeError(f"{target._meta.label} is not registered as flaggable")
    before = target.is_hidden
    type(target).objects.filter(pk=target.pk).update(is_hidden=hidden)
    target.is_hidden = hidden
    audit_record(actor=actor, action=action, target=target, before={"is_hidden": before},
                 after={"is_hidden": hidden, **(details or {})})
    if before != hidden:
        flaggable.changed(target)
    return before != hidden


@transaction.atomic
def flag_create(*, user, target_type: str, target_id: int, reason: str, comment: str = "") -> Flag:
    """Flag content; once `MODERATION_FLAGS_TO_HIDE` distinct people flagged it, it is hidden pending review."""
    ensure_not_banned(user)
    flaggable = flaggable_of(target_type)
    target = flaggable.model.objects.select_for_update().filter(pk=target_id).first()
    if target is None or not flaggable.can_view(target, user):
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
        content_hidden_set(target=target, hidden=True, actor=None, action="flag.hide", details={"flaggers": flaggers})
        _notify_content_owner_hidden(target, flaggable)
    return flag


def _notify_content_owner_hidden(target, flaggable: Flaggable) -> None:
    """Tell the person whose content was hidden why, and that a moderator will review it (no flagger named)."""
    owner = flaggable.owner(target)
    if owner is None:
        return
    target_type = flaggable.target_type
    notification_create(
        user=owner, kind="content_hidden", **flaggable.notification_links(target),
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
    flaggable = flaggable_of(target_type)
    target = flaggable.model.objects.select_for_update().filter(pk=target_id).first()
    flags = Flag.objects.open().on(target_type, target_id).select_for_update()
    if target is None or not flags.exists():
        raise NotFound("No open flags on that content. / 처리할 신고가 없습니다.")
    closed = flags.update(state=decisions[decision], decided_at=timezone.now(), decided_by=actor)
    content_hidden_set(target=target, hidden=decision == "remove", actor=actor, action=f"flag.{decision}",
                       details={"flags": closed, "note": plain_text(note or "")[:500]})
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
