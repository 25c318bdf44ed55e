"""What the platform tells a person: stored for the app's inbox, e-mailed when they want it."""
from django.conf import settings
from django.db import models


class NotificationQuerySet(models.QuerySet):
    def of_user(self, user):
        return self.filter(user=user)

    def unread(self):
        return self.filter(is_read=False)


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    report = models.ForeignKey("reports.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    # The title and body as stored messages ({"title": {"key", "params"}, "body": …}; geoplatform/messages.py),
    # rendered in the reader's language when read; `title`/`body` keep the text in the recipient's language.
    content = models.JSONField(default=dict, blank=True)
    is_read = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        # One index per list the inbox reads, in its order: a user's unread ones (the header badge, on every page)
        # and all of them, newest first, so neither sorts the inbox (an officer is told of every report routed
        # to their district: hundreds of thousands of rows a year).
        indexes = [
            models.Index(fields=["user", "is_read", "-created_at", "-id"], name="notification_user_read_idx"),
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_newest_idx"),
        ]
