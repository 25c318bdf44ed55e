"""Account deletion: published analyses stay (without a name), private drafts go."""
from django.dispatch import receiver

from accounts.signals import account_anonymised

from .models import Analysis
from .services import analysis_delete


@receiver(account_anonymised, dispatch_uid="analysis_account_anonymised")
def analysis_account_anonymised(sender, user, **kwargs):
    # A draft is private working material: it may aggregate layers only its author could see.
    for analysis in Analysis.objects.filter(created_by=user, is_published=False):
        analysis_delete(analysis=analysis)
