"""Reads of the moderation app: the flag queue."""
from django.db.models import Count, Q, QuerySet

from .models import Flag


def flag_queue(*, state: str = Flag.State.OPEN, target_type: str | None = None) -> list[dict]:
    """Flagged content grouped by target, most flagged first: what moderators review."""
    flags = Flag.objects.filter(state=state)
    if target_type:
        flags = flags.filter(target_type=target_type)
    groups = (
        flags.values("target_type", "target_id")
        .annotate(
            flaggers=Count("user", distinct=True),
            spam=Count("id", filter=Q(reason=Flag.Reason.SPAM)),
            abuse=Count("id", filter=Q(reason=Flag.Reason.ABUSE)),
            personal_data=Count("id", filter=Q(reason=Flag.Reason.PERSONAL_DATA)),
            wrong=Count("id", filter=Q(reason=Flag.Reason.WRONG)),
        )
        .order_by("-flaggers", "target_type", "target_id")
    )
    return list(groups)


def flags_of_target(*, target_type: str, target_id: int, state: str = Flag.State.OPEN) -> QuerySet[Flag]:
    return Flag.objects.filter(state=state).on(target_type, target_id).select_related("user")
