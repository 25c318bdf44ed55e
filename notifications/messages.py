"""Message keys of notifications themselves (geoplatform/messages.py)."""
from geoplatform.messages import register

# A message followed by a link (the link is not translated): body of report notifications.
WITH_LINK = register("notifications.with_link", "%(text)s\n\n%(url)s")
