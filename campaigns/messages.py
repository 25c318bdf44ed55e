"""Texts the campaigns app stores for later reading (notifications of a proposal's evaluation): keys and
parameters, rendered in each reader's language when read (geoplatform/messages.py)."""
from django.utils.translation import gettext_lazy as _

from geoplatform.messages import register

EVALUATION_STARTED_TITLE = register("campaigns.evaluation.started.title",
                                    _("Your proposal reached %(votes)d supporters and goes to evaluation"))
EVALUATION_STARTED_BODY = register("campaigns.evaluation.started.body", _(
    "A citizen group of %(size)d drawn at random and the city's committee now evaluate \"%(title)s\". "
    "Citizen scores are due by %(due)s."))
DRAWN_TITLE = register("campaigns.evaluation.drawn.title", _("You were drawn to evaluate a citizen's proposal"))
DRAWN_BODY = register("campaigns.evaluation.drawn.body", _(
    "Give your score and comment on \"%(title)s\" by %(due)s. Your number in the public record is %(number)s; "
    "your name is not shown."))
CITIZEN_DONE_TITLE = register("campaigns.evaluation.citizen_done.title",
                              _("The citizen group has evaluated your proposal"))
CITIZEN_DONE_BODY = register("campaigns.evaluation.citizen_done.body", _(
    "%(scored)d of %(size)d drawn citizens scored \"%(title)s\". The committee decides next."))
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
