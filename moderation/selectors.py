"""Reads of the moderation app: the flag queue."""
from django.db.models import Count, Q, QuerySet

from .flaggable import flaggables
from .models import Flag


def flag_queue(*, state: str = Flag.State.OPEN, target_type: str | None = None) -> QuerySet:
    """Flagged content grouped by target, most flagged first: what moderators review (one dict per target)."""
    flags = Flag.objects.filter(state=state)
    if target_type:
        flags = flags.filter(target_type=target_type)
    return (
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


def flag_groups_with_targets(*, groups: list[dict], state: str = Flag.State.OPEN) -> list[dict]:
    """A page of the queue's groups, each with its target and its flags: a few queries, not two per group."""
    targets, flags = {}, {}
    for kind in {g["target_type"] for g in groups}:
        ids = [g["target_id"] for g in groups if g["target_type"] == kind]
        flaggable = flaggables.get(kind)
        found = flaggable.model.objects.in_bulk(ids) if flaggable else {}
        targets.update({(kind, pk): obj for pk, obj in found.items()})
    for flag in Flag.objects.filter(state=state, target_type__in={g["target_type"] for g in groups},
                                    target_id__in={g["target_id"] for g in groups}).select_related("user"):
        flags.setdefault((flag.target_type, flag.target_id), []).append(flag)
    return [{**g, "target": targets.get((g["target_type"], g["target_id"])),
             "flags": flags.get((g["target_type"], g["target_id"]), [])} for g in groups]
