"""Writes: platform feedback, "me too", staff triage in public, erasure of private attachments.

Keyword-only arguments, `full_clean()`, one transaction each; errors are `ValidationError`s
(400 in the API), `PermissionDenied` is 403.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.permissions import require_creator
from geoplatform.errors import field_error
from geoplatform.images import image_sanitise
from geoplatform.messages import stored
from geoplatform.text import plain_text, text_clean
from audit.services import audit_record
from notifications.services import notification_create

from . import messages
from .models import Feedback, FeedbackState, FeedbackSupport

FEEDBACK_TRANSITIONS = {
    FeedbackState.NEW: {FeedbackState.PLANNED, FeedbackState.DONE, FeedbackState.DECLINED},
    FeedbackState.PLANNED: {FeedbackState.PLANNED, FeedbackState.DONE, FeedbackState.DECLINED},
    FeedbackState.DECLINED: {FeedbackState.PLANNED, FeedbackState.DECLINED},
    FeedbackState.DONE: {FeedbackState.DONE},
}

def page_path_clean(value: str) -> str:
    """Keep only the path of the page feedback came from: queries carry secret-link keys and tokens."""
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("", "http", "https") or not parts.path.startswith("/"):
        raise field_error("page_url", gettext("Give the address of a page of this site."))
    path = plain_text(parts.path)
    if len(path) > 500:
        raise field_error("page_url", gettext("The page address is too long."))
    return path


@transaction.atomic
def feedback_create(*, author, kind: str, text: str, page_url: str = "", screenshot=None) -> Feedback:
    require_creator(author)
    feedback = Feedback(kind=kind, text=text_clean("text", text, max_length=4000, required=True),
                        page_url=page_path_clean(page_url), author=author)
    if screenshot is not None:
        try:
            clean = image_sanitise(screenshot)
        except ValidationError as exc:
            raise ValidationError({"screenshot": exc.messages})
        feedback.screenshot = clean.image
        feedback.screenshot_thumbnail = clean.thumbnail
    feedback.full_clean()
    feedback.save()
    FeedbackSupport.objects.create(feedback=feedback, user=author)
    return feedback


@transaction.atomic
def feedback_private_parts_erase(*, author) -> int:
    """Remove the screenshots and page addresses a person attached to their feedback (account erasure)."""
    items = list(Feedback.objects.select_for_update().filter(author=author))
    files = []
    for feedback in items:
        files += [f for f in (feedback.screenshot, feedback.screenshot_thumbnail) if f]
        Feedback.objects.filter(pk=feedback.pk).update(screenshot="", screenshot_thumbnail="", page_url="")
    names = [(f.storage, f.name) for f in files]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])
    return len(items)


@transaction.atomic
def feedback_support(*, feedback: Feedback, user) -> bool:
    """Say "me too" (+1). Returns False when this person had already asked. Like a proposal vote, it counts
    once per person: only an account whose e-mail is confirmed may give it."""
    require_creator(user)
    if not user.email_verified:
        raise PermissionDenied(gettext("Confirm your e-mail address before voting."))
    try:
        with transaction.atomic():
            FeedbackSupport.objects.create(feedback=feedback, user=user)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def feedback_unsupport(*, feedback: Feedback, user) -> None:
    if feedback.author_id == user.pk:
        raise field_error("support", gettext("You sent this feedback; you cannot take back asking for it."))
    FeedbackSupport.objects.filter(feedback=feedback, user=user).delete()


@transaction.atomic
def feedback_triage(*, feedback: Feedback, actor, state: str, answer: str = "") -> Feedback:
    """Staff's public decision: planned, done, or declined with a reason. `feedback` comes from
    `feedback_access(..., lock=True)`; the view lets only city staff call it."""
    if state not in FeedbackState.values or state == FeedbackState.NEW:
        raise field_error("state", gettext("Choose 'planned', 'done' or 'declined'."))
    if state not in FEEDBACK_TRANSITIONS[feedback.state]:
        raise field_error("state", gettext("Feedback that is %(state)s cannot become %(new)s.")
                     % {"state": FeedbackState(feedback.state).label, "new": FeedbackState(state).label}, "transition")
    answer = text_clean("answer", answer, max_length=4000, required=state == FeedbackState.DECLINED)
    before = {"state": feedback.state, "answer": feedback.answer}
    feedback.state = state
    feedback.answer = answer
    feedback.answered_at = timezone.now()
    feedback.full_clean()
    feedback.save()
    audit_record(actor=actor, action="feedback.triage", target=feedback, before=before,
                 after={"state": state, "answer": answer})
    askers = FeedbackSupport.objects.filter(feedback=feedback).values_list("user_id", flat=True)
    for user in get_user_model().objects.filter(pk__in=askers):
        notification_create(user=user, kind="feedback_answered",
                            title=stored(messages.ANSWERED_TITLE, state=messages.state_param(state)),
                            body=f"{feedback.text[:300]}\n\n{answer}\n\n/roadmap/")
    return feedback
