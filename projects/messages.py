"""Texts the projects app stores for later reading (notices to followers): keys and parameters, rendered in
each reader's language when read (geoplatform/messages.py)."""
from django.utils.translation import gettext_lazy as _

from geoplatform.messages import register

UPDATE_TITLE = register("projects.update.title", _("New update on the project you follow: %(title)s"))
# The update itself is the staff's own words (in Korean and, when given, English): no text to translate.
UPDATE_BODY = register("projects.update.body", "%(date)s\n\n%(text)s")
