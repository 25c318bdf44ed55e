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


@pytest.mark.parametrize("unread,index", [(True, "notification_user_read_idx"), (False, "notification_user_newest_idx")])
def test_a_page_of_the_inbox_is_read_in_order_from_an_index(citizen, unread, index):
    """An officer is told of every report of their district (hundreds of thousands a year): neither the badge's
    page of unread ones nor the whole inbox sorts them."""
    from django.db import connection

    from notifications.selectors import notification_list

    Notification.objects.bulk_create([Notification(user=citizen, kind="test", title=f"n{i}", is_read=i > 1)
                                      for i in range(2000)])  # an inbox mostly read, as an officer's is
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notifications_notification")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")  # without a matching index the plan keeps its Sort node
    plan = notification_list(user=citizen, unread=unread)[:1].explain()
    assert index in plan and "Sort" not in plan


def test_the_unread_count_stops_at_the_cap_and_is_null_above(client_for, citizen, monkeypatch):
    from geoplatform import pagination

    for i in range(3):
        notification_create(user=citizen, kind="test", title=f"n{i}", body="", email=False)
    me = client_for(citizen)
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    assert me.get("/api/notifications/", {"unread": "1", "limit": 1}).json()["unread"] == 3
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)  # one more than the server counts
    page = me.get("/api/notifications/", {"unread": "1", "limit": 1}).json()
    assert page["unread"] is None and len(page["results"]) == 1


def test_the_schema_says_the_unread_count_may_be_null(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    pages = [s for name, s in schema["components"]["schemas"].items() if name.startswith("PaginatedNotification")]
    assert pages and pages[0]["properties"]["unread"]["nullable"] is True
