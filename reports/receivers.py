from django.dispatch import receiver

from accounts.signals import account_anonymised

from .services import reporter_anonymise


@receiver(account_anonymised)
def _scrub_reporter(sender, user, **kwargs):
    reporter_anonymise(user=user)
