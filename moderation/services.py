"""Writes of the moderation app: flags (hide once they weigh enough, moderation/trust.py), moderators' decisions, bans.

Every function takes keyword-only arguments, validates before saving, runs in one transaction
and leaves side effects (tile-cache invalidation, e-mail) to `transaction.on_commit`.
"""
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework.exceptions import NotFound, Throttled

from accounts.permissions import require_not_banned
from audit.services import audit_record
from geoplatform.messages import register, stored
from geoplatform.errors import field_error
from geoplatform.text import plain_text
from notifications.services import notification_create

from .flaggable import Flaggable, flaggables
from .models import Flag
from .trust import author_is_established, flags_weight, target_flag_wait
from django.utils.translation import gettext_lazy as _

REASON_MAX = 2000
HIDDEN_TITLE = register("moderation.hidden.title", _("Your content is hidden pending review"))
HIDDEN_BODY = register("moderation.hidden.body", _(
    "Several people flagged your content \"%(content)s\". It is hidden until a moderator reviews it; "
    "you will see the decision here."))



# --- hiding and restoring flaggable content: the one door -------------------------------------------------
def flaggable_of(target_type: str) -> Flaggable:
    flaggable = flaggables.get(target_type)
    if flaggable is None:
        raise field_error("target_type", _("Unknown target type %(type)s; use one of %(types)s.")
              % {"type": repr(target_type), "types": ", ".join(flaggables.types())})
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
    """Flag content; once the open flags weigh `MODERATION_FLAGS_TO_HIDE` it is hidden pending review.

    Flags weigh by their authors' trust (moderation/trust.py); content of official bodies and established
    accounts is never hidden by flags alone; a target takes at most `MODERATION_FLAGS_PER_TARGET_PER_HOUR`.
    """
    require_not_banned(user)
    flaggable = flaggable_of(target_type)
    target = flaggable.model.objects.select_for_update().filter(pk=target_id).first()
    if target is None or not flaggable.can_view(target, user):
        raise NotFound(_("No such content."))
    if reason not in Flag.Reason.values:
        raise field_error("reason", _("Unknown reason %(reason)s; use one of %(reasons)s.")
              % {"reason": repr(reason), "reasons": ", ".join(Flag.Reason.values)})
    wait = target_flag_wait(target_type, target.pk)
    if wait is not None:
        raise Throttled(wait=wait, detail=gettext("This content has been flagged many times in the last hour; "
                                                  "moderators are reviewing it."))
    flag = Flag(user=user, target_type=target_type, target_id=target.pk, reason=reason,
                comment=plain_text(comment or "")[:500])
    flag.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            flag.save()
    except IntegrityError:
        raise field_error("target_id", _("You have already flagged this."))
    audit_record(actor=user, action="flag.create", target=target, before=None,
                 after={"reason": reason, "target_type": target_type})
    # Weighed, not counted (moderation/trust.py): fresh and unconfirmed accounts weigh little or nothing,
    # and content by official bodies and established accounts waits for a moderator instead of hiding.
    open_flags = Flag.objects.open().on(target_type, target.pk)
    weight = flags_weight(open_flags)
    if (weight >= settings.MODERATION_FLAGS_TO_HIDE and not target.is_hidden
            and not author_is_established(flaggable.owner(target))):
        content_hidden_set(target=target, hidden=True, actor=None, action="flag.hide",
                           details={"flaggers": open_flags.count(), "weight": weight})
        _notify_content_owner_hidden(target, flaggable)
    return flag


def _notify_content_owner_hidden(target, flaggable: Flaggable) -> None:
    """Tell the person whose content was hidden why, and that a moderator will review it (no flagger named)."""
    owner = flaggable.owner(target)
    if owner is None:
        return
    notification_create(
        user=owner, kind="content_hidden", **flaggable.notification_links(target),
        title=stored(HIDDEN_TITLE),
        body=stored(HIDDEN_BODY, content=str(target)[:80]),
    )


@transaction.atomic
def flag_decide(*, actor, target_type: str, target_id: int, decision: str, note: str = "") -> int:
    """A moderator restores flagged content (shown again) or removes it (stays hidden). Returns flags closed.
    The API view lets only city staff call it."""
    decisions = {"restore": Flag.State.RESTORED, "remove": Flag.State.REMOVED}
    if decision not in decisions:
        raise field_error("decision", _("Decide 'restore' or 'remove'."))
    flaggable = flaggable_of(target_type)
    target = flaggable.model.objects.select_for_update().filter(pk=target_id).first()
    flags = Flag.objects.open().on(target_type, target_id).select_for_update()
    if target is None or not flags.exists():
        raise NotFound(_("No open flags on that content."))
    closed = flags.update(state=decisions[decision], decided_at=timezone.now(), decided_by=actor)
    content_hidden_set(target=target, hidden=decision == "remove", actor=actor, action=f"flag.{decision}",
                       details={"flags": closed, "note": plain_text(note or "")[:500]})
    return closed


@transaction.atomic
def user_ban(*, actor, user, banned: bool, reason: str) -> None:
    """Put a user on (or take them off) the ban list: banned users cannot create content. The API view lets
    only city staff call it."""
    reason = plain_text(reason or "")
    if not reason:
        raise field_error("reason", _("Give a reason."))
    if len(reason) > REASON_MAX:
        raise field_error("reason", _("The reason is longer than %(n)s characters.") % {"n": REASON_MAX})
    if user.pk == actor.pk:
        raise field_error("user", _("You cannot ban yourself."))
    before = {"is_banned": user.is_banned}
    user.is_banned = banned
    user.save(update_fields=["is_banned"])
    audit_record(actor=actor, action="user.ban" if banned else "user.unban", target=user, before=before,
                 after={"is_banned": banned, "reason": reason})


def flags_anonymise(*, user) -> None:
    """Account deletion: the user's flags keep counting, without their words."""
    Flag.objects.filter(user=user).update(comment="")
