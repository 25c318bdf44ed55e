"""Texts the reports app stores for later reading (timeline entries, notifications): keys and
parameters, rendered in each reader's language when read (geoplatform/messages.py)."""
from django.utils.translation import gettext_lazy as _

from geoplatform.messages import localised, register, stored

from .models import Status

SENT = register("reports.sent", _("Sent to %(districts)s."))
RECEIVED_TITLE = register("reports.received.title", _("Report #%(id)s received"))
RECEIVED_BODY = register("reports.received.body", _("Your report was sent to %(districts)s."))
NEW_TITLE = register("reports.new.title", _("New report #%(id)s: %(category)s"))
STATUS_TITLE = register("reports.status.title", _("Report #%(id)s: %(status)s"))
MOVED_TITLE = register("reports.moved.title", _("Report #%(id)s moved to %(district)s"))
TRANSFERRED_TITLE = register("reports.transferred.title", _("Report #%(id)s transferred to you"))
STATUS_LABELS = {value: register(f"reports.status.{value}", label) for value, label in Status.choices}


def districts_param(districts) -> dict:
    """The districts' names, joined, in each language."""
    return localised(ko=", ".join(d.name_ko for d in districts), en=", ".join(d.name_en for d in districts))


def status_param(status: str) -> dict:
    return stored(STATUS_LABELS[status])
