"""Texts the projects app stores for later reading (followers' notifications): keys and parameters,
rendered in each reader's language when read (geoplatform/messages.py)."""
from django.utils.translation import gettext_lazy as _

from geoplatform.messages import register

UPDATE_TITLE = register("projects.update.title", _("New update on the project you follow: %(title)s"))
# The update's date, its text (in the reader's language when the city wrote one) and the project's page.
UPDATE_BODY = register("projects.update.body", "%(date)s\n\n%(text)s\n\n%(url)s")
