from django.dispatch import receiver

from accounts.signals import account_anonymised
from districts.signals import districts_renamed

from .services import reporter_anonymise, routed_names_refresh


@receiver(account_anonymised)
def _scrub_reporter(sender, user, **kwargs):
    reporter_anonymise(user=user)


@receiver(districts_renamed)
def _district_names_copied(sender, district_ids, **kwargs):
    """Reports keep their districts' names (the `reports` layer reads them): renamed ones are written again."""
    routed_names_refresh(district_ids=district_ids)
