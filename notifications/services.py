"""Writes of notifications: store one (and e-mail it after commit), mark read, forget a user's."""
import logging

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from geoplatform.i18n import language_of
from geoplatform.messages import render

from .models import Notification

logger = logging.getLogger(__name__)


def notification_create(*, user, kind: str, title: dict | str, body: dict | str, report=None,
                        email: bool = True) -> Notification | None:
    """Store a notification for the user and, after commit, e-mail it when they have an address.

    `title` and `body` are stored messages (`geoplatform.messages.stored(KEY, …)`), rendered in each
    reader's language; a plain string is a person's own words (an officer's answer), kept as written.
    """
    if user is None or not user.is_active:
        return None
    content = {part: value for part, value in (("title", title), ("body", body)) if isinstance(value, dict)}
    with language_of(user):
        title, body = (render(value) if isinstance(value, dict) else value for value in (title, body))
    title = " ".join(title.split())[:200]  # one line: it is also the e-mail subject
    notification = Notification(user=user, report=report, kind=kind, title=title, body=body, content=content)
    notification.full_clean()
    notification.save()
    if email and user.email:
        transaction.on_commit(lambda: _notification_email(notification.pk))
    _live_badge(user.pk, notification.pk, kind)
    return notification


def _live_badge(user_id: int, notification_id: int, kind: str) -> None:
    """After commit, the person's open pages update their unread badge (they fetch the text themselves)."""
    from live.services import user_send

    transaction.on_commit(lambda: user_send(user_id=user_id, message={"type": "notification", "id": notification_id,
                                                                      "kind": kind}))


def _notification_email(notification_id: int) -> None:
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    with language_of(notification.user):  # the recipient's language, whatever the sender's
        subject, body = notification_text(notification)
    try:
        send_mail(subject, body, None, [notification.user.email])
    except OSError:  # an unreachable mail server must not undo or fail the change; the app still shows it
        logger.exception("could not e-mail notification %s", notification_id)
        return
    Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())


def notification_text(notification: Notification) -> tuple[str, str]:
    """(title, body) in the active language: stored messages rendered, a person's words as written."""
    content = notification.content or {}
    title = render(content["title"]) if content.get("title") else notification.title
    body = render(content["body"]) if content.get("body") else notification.body
    return " ".join(title.split())[:200], body


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read: the given ones, or all of them."""
    notifications = Notification.objects.of_user(user).unread()
    if ids is not None:
        notifications = notifications.filter(pk__in=ids)
    return notifications.update(is_read=True)


def notifications_forget(*, user) -> int:
    """Account deletion: the user's notifications go."""
    deleted, _ = Notification.objects.filter(user=user).delete()
    return deleted
