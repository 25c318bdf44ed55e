from django.dispatch import receiver

from accounts.signals import account_anonymised

from .services import flags_anonymise


@receiver(account_anonymised)
def _scrub_flags(sender, user, **kwargs):
    flags_anonymise(user=user)
