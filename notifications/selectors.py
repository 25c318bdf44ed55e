"""Reads of notifications."""
from django.db.models import QuerySet

from .models import Notification


def notification_list(*, user, unread: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.of_user(user)
    return notifications.unread() if unread else notifications
