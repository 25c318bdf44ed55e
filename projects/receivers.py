"""When a person erases their account, what they followed goes with it (it says what interests them)."""
from django.dispatch import receiver

from accounts.signals import account_anonymised

from .models import ProjectFollow


@receiver(account_anonymised)
def forget_follows(sender, user, **kwargs):
    ProjectFollow.objects.filter(user=user).delete()
