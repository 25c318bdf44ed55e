"""Flags on content that people find wrong; moderators review what flags hid. Bans live on `User.is_banned`."""
from django.conf import settings
from django.db import models

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

class FlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state="open")

    def on(self, target_type: str, target_id: int):
        return self.filter(target_type=target_type, target_id=target_id)


class Flag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        ABUSE = "abuse", _("Abuse or hate")
        PERSONAL_DATA = "personal_data", _("Personal data")
        WRONG = "wrong", _("Wrong information")

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("flag state", "Waiting for review")
        RESTORED = "restored", pgettext_lazy("flag state", "Restored")  # a moderator kept the content
        REMOVED = "removed", pgettext_lazy("flag state", "Removed")  # a moderator removed the content

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags")
    target_type = models.CharField(max_length=16, help_text="a registered flaggable (moderation.flaggable)")
    target_id = models.BigIntegerField()
    reason = models.CharField(max_length=16, choices=Reason.choices)
    comment = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "target_type", "target_id"], name="flag_one_per_user_target"),
        ]
        indexes = [models.Index(fields=["target_type", "target_id", "state"], name="flag_target_state_idx")]
