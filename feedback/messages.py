"""Texts the feedback app stores for later reading (notifications): keys and parameters, rendered in
each reader's language when read (geoplatform/messages.py)."""
from django.utils.translation import gettext_lazy as _

from geoplatform.messages import register, stored

from .models import FeedbackState

STATE_LABELS = {value: register(f"feedback.state.{value}", label) for value, label in FeedbackState.choices}
ANSWERED_TITLE = register("feedback.answered.title", _("Your feedback was answered: %(state)s"))


def state_param(state: str) -> dict:
    return stored(STATE_LABELS[state])
