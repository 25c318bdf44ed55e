"""Reactions to other apps' events."""
from django.dispatch import receiver

from accounts.signals import account_anonymised

from .models import IndicatorFeedback


@receiver(account_anonymised, dispatch_uid="dashboards-anonymise")
def feedback_anonymise(sender, user, **kwargs):
    """Feedback stays (it is about the figure), without its author."""
    IndicatorFeedback.objects.filter(author=user).update(author=None)
