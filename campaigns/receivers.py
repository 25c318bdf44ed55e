"""When a person erases their account they stop being a volunteer evaluator (scores already given stay,
under their volunteer number only, as the published record of an evaluation)."""
from django.dispatch import receiver

from accounts.signals import account_anonymised

from .models import Evaluator


@receiver(account_anonymised)
def leave_evaluators(sender, user, **kwargs):
    Evaluator.objects.filter(user=user).update(is_active=False)
