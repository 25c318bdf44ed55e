from django.dispatch import Signal

# Sent before a user's personal data is erased; receivers scrub what they stored about the user.
account_anonymised = Signal()
