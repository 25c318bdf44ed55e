"""When a person erases their account, their feedback stays (it was answered in public) but the
screenshot and the page address they attached are removed: a screenshot can show who they are."""
from django.dispatch import receiver

from accounts.signals import account_anonymised

from .services import feedback_private_parts_erase


@receiver(account_anonymised)
def erase_feedback_attachments(sender, user, **kwargs):
    feedback_private_parts_erase(author=user)
