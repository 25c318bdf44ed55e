from django.dispatch import receiver

from accounts.signals import account_anonymised

from .services import notifications_forget


@receiver(account_anonymised)
def _forget_notifications(sender, user, **kwargs):
    notifications_forget(user=user)
