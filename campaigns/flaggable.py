"""Proposals and their comments people may flag (and city staff hide directly: the same door)."""
from layers.services import tile_cache_invalidate
from moderation.flaggable import Flaggable, flaggables

from .models import Proposal, ProposalComment

flaggables.register(Flaggable(
    target_type="proposal",
    model=Proposal,
    can_view=lambda proposal, user: proposal.can_view(user),
    changed=lambda proposal: tile_cache_invalidate(layer_name="proposals", geometries=[proposal.area]),
    owner=lambda proposal: proposal.proposer,
))
flaggables.register(Flaggable(
    target_type="comment",
    model=ProposalComment,
    can_view=lambda comment, user: comment.can_view(user),
    owner=lambda comment: comment.author,
))
