"""Texts the campaigns app stores for later reading (notifications): keys and parameters, rendered in
each reader's language when read (geoplatform/messages.py)."""
from django.utils.translation import gettext_lazy as _

from geoplatform.messages import register, stored

from .models import ProposalState

STATE_LABELS = {value: register(f"campaigns.proposal_state.{value}", label) for value, label in ProposalState.choices}
ANSWERED_TITLE = register("campaigns.answered.title", _("The city answered your proposal: %(state)s"))
CAMPAIGN_STARTED_TITLE = register("campaigns.started.title", _("The map you chose is open: %(title)s"))
EVALUATION_STARTED_TITLE = register("campaigns.evaluation.started.title",
                                    _("Your proposal reached %(votes)d supporters and goes to evaluation"))
EVALUATION_STARTED_BODY = register("campaigns.evaluation.started.body", _(
    "A citizen group of %(size)d drawn at random and the city's committee now evaluate \"%(title)s\". "
    "Citizen scores are due by %(due)s."))
CITIZENS_DONE_TITLE = register("campaigns.evaluation.citizens_done.title",
                               _("The citizen group has evaluated your proposal"))
CITIZENS_DONE_BODY = register("campaigns.evaluation.citizens_done.body",
                              _("%(scored)d of %(size)d drawn citizens scored \"%(title)s\". The committee decides next."))
DRAWN_TITLE = register("campaigns.evaluation.drawn.title", _("You were drawn to evaluate a citizen's proposal"))
DRAWN_BODY = register("campaigns.evaluation.drawn.body", _(
    "Give your score and comment on \"%(title)s\" by %(due)s. Your number in the public record is %(number)s; "
    "your name is not shown."))
SUPPORT_CLOSED_TITLE = register("campaigns.support.closed.title", _("Support collection for your proposal has closed"))
SUPPORT_CLOSED_BODY = register("campaigns.support.closed.body", _(
    "\"%(title)s\" had %(votes)d of the %(threshold)d supporters it needed by %(date)s, so it does not go to "
    "evaluation. You can propose it again in a later round."))
DECIDED_TITLES = {
    "accepted": register("campaigns.decided.accepted", _("Your proposal was accepted")),
    "merged": register("campaigns.decided.merged", _("Your proposal was merged with another")),
    "declined": register("campaigns.decided.declined", _("Your proposal was declined")),
}
DECIDED_BODY = register("campaigns.decided.body", _("\"%(title)s\": %(feedback)s %(link)s"))


def state_param(state: str) -> dict:
    return stored(STATE_LABELS[state])
