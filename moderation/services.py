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
from django.utils.translation import gettext_lazy as _

from geoplatform.messages import register, stored

REASON_MAX = 2000
HIDDEN_TITLE = register("moderation.hidden.title", _("Your content is hidden pending review"))
HIDDEN_BODY = register("moderation.hidden.body", _(
    "Several people flagged your content \"%(content)s\". It is hidden until a moderator reviews it; "
    "you will see the decision here."))


def _fail(field: str, message):
    raise ValidationError({field: message})


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
        _fail("target_type", _("Unknown target type %(type)s; use one of %(types)s.")
              % {"type": repr(target_type), "types": ", ".join(FLAG_TARGETS)})
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
        raise NotFound(_("No such content."))
    if reason not in Flag.Reason.values:
        _fail("reason", _("Unknown reason %(reason)s; use one of %(reasons)s.")
              % {"reason": repr(reason), "reasons": ", ".join(Flag.Reason.values)})
    flag = Flag(user=user, target_type=target_type, target_id=target.pk, reason=reason,
                comment=plain_text(comment or "")[:500])
    flag.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            flag.save()
    except IntegrityError:
        _fail("target_id", _("You have already flagged this."))
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
        title=stored(HIDDEN_TITLE),
        body=stored(HIDDEN_BODY, content=str(target)[:80]),
    )


@transaction.atomic
def flag_decide(*, actor, target_type: str, target_id: int, decision: str, note: str = "") -> int:
    """A moderator restores flagged content (shown again) or removes it (stays hidden). Returns flags closed."""
    if not (actor and actor.is_authenticated and actor.is_city_staff):
        raise PermissionDenied(_("Only city staff moderate flagged content."))
    decisions = {"restore": Flag.State.RESTORED, "remove": Flag.State.REMOVED}
    if decision not in decisions:
        _fail("decision", _("Decide 'restore' or 'remove'."))
    model = flag_target_model(target_type)
    target = model.objects.select_for_update().filter(pk=target_id).first()
    flags = Flag.objects.open().on(target_type, target_id).select_for_update()
    if target is None or not flags.exists():
        raise NotFound(_("No open flags on that content."))
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
        raise PermissionDenied(_("Only city staff may ban users."))
    reason = plain_text(reason or "")
    if not reason:
        _fail("reason", _("Give a reason."))
    if len(reason) > REASON_MAX:
        _fail("reason", _("The reason is longer than %(n)s characters.") % {"n": REASON_MAX})
    if user.pk == actor.pk:
        _fail("user", _("You cannot ban yourself."))
    before = {"is_banned": user.is_banned}
    user.is_banned = banned
    user.save(update_fields=["is_banned"])
    audit_record(actor=actor, action="user.ban" if banned else "user.unban", target=user, before=before,
                 after={"is_banned": banned, "reason": reason})


def flags_anonymise(*, user) -> None:
    """Account deletion: the user's flags keep counting, without their words."""
    Flag.objects.filter(user=user).update(comment="")
