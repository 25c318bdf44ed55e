"""Notifications: stored for the inbox, e-mailed after commit when wanted, read marks, one's own only."""
import pytest
from django.core import mail

from notifications.models import Notification
from notifications.services import notification_create

pytestmark = pytest.mark.django_db


def test_a_notification_is_stored_and_emailed_only_after_commit(citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = notification_create(user=citizen, kind="test", title="Hello\n  there", body="body")
    assert mail.outbox == [] and len(callbacks) == 2  # the e-mail, then the live badge of open pages
    callbacks[0]()
    assert [m.subject for m in mail.outbox] == ["Hello there"]  # one line: it is the subject
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_without_email_or_for_an_inactive_user_nothing_is_sent(citizen, make_user, django_capture_on_commit_callbacks):
    gone = make_user("gone", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_create(user=gone, kind="test", title="t", body="b") is None
        notification_create(user=citizen, kind="test", title="app only", body="b", email=False)
    assert mail.outbox == []
    assert list(Notification.objects.values_list("user__username", "title")) == [(citizen.username, "app only")]


def test_an_unreachable_mail_server_keeps_the_notification(citizen, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1  # discard port: refused
    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_create(user=citizen, kind="test", title="t", body="b")
    notification.refresh_from_db()
    assert notification.emailed_at is None


def test_each_user_lists_and_marks_only_their_own(client_for, citizen, citizen2):
    mine = [notification_create(user=citizen, kind="test", title=f"n{i}", body="", email=False) for i in range(2)]
    theirs = notification_create(user=citizen2, kind="test", title="theirs", body="", email=False)
    me = client_for(citizen)
    listed = me.get("/api/notifications/").json()
    assert (listed["count"], listed["unread"]) == (2, 2)
    assert me.post("/api/notifications/read/", {"ids": [mine[0].pk, theirs.pk]}, format="json").json() == {"marked": 1}
    assert me.get("/api/notifications/", {"unread": "true"}).json()["count"] == 1
    theirs.refresh_from_db()
    assert theirs.is_read is False
    assert me.post("/api/notifications/read/", {}, format="json").status_code == 400


def test_anonymous_visitors_have_no_notifications(api):
    answer = api.get("/api/notifications/")
    assert answer.status_code == 401 and answer["WWW-Authenticate"] == "Token"
