from .services import account_scrub


def on_account_anonymised(sender, user, **kwargs):
    """Keep a deleted person's features, photos and history steps, attributed to nobody."""
    account_scrub(user=user)
