"""Feedback on the platform itself, triaged in public; the roadmap counts how many people asked, never who.

These models began in `campaigns/` and keep their tables (`campaigns_feedback`,
`campaigns_feedbacksupport`) so that the move lost no row (see migrations/0001).
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_city_staff

from .managers import FeedbackQuerySet


class FeedbackKind(models.TextChoices):
    BUG = "bug", _("Something is broken")
    WISH = "wish", _("A wish")
    CONFUSING = "confusing", _("A confusing page")


class FeedbackState(models.TextChoices):
    NEW = "new", _("New")
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")


class Feedback(models.Model):
    """Feedback on the platform itself. Public, but its author never is."""

    kind = models.CharField(max_length=16, choices=FeedbackKind.choices)
    text = models.TextField(max_length=4000)
    page_url = models.CharField(max_length=500, blank=True, help_text=_("Path of the page it came from (no query)."))
    screenshot = models.ImageField(upload_to="feedback/%Y/%m/", blank=True)
    screenshot_thumbnail = models.ImageField(upload_to="feedback/%Y/%m/", blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback")
    state = models.CharField(max_length=16, choices=FeedbackState.choices, default=FeedbackState.NEW)
    answer = models.TextField(blank=True, max_length=4000, help_text=_("Staff's public answer or reason."))
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        db_table = "campaigns_feedback"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "answered_at"], name="campaigns_feedback_state_idx"),
            models.Index(fields=["author", "created_at"], name="campaigns_feedback_author_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:40]}"

    def can_see_private_parts(self, user) -> bool:
        """The screenshot and page are for the author and staff: a screenshot can show private things."""
        return bool(user and user.is_authenticated and (user.pk == self.author_id or user.is_city_staff))

    @staticmethod
    def can_triage(user) -> bool:
        return is_city_staff(user)


class FeedbackSupport(models.Model):
    """"Me too": one row per person who asked for this (the author included). Counted, never listed."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "campaigns_feedbacksupport"
        constraints = [models.UniqueConstraint(fields=["feedback", "user"], name="campaigns_feedback_support_once")]
