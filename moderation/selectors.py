"""Reads of the moderation app: the flag queue."""
from django.db.models import Count, Q

from .flaggable import flaggables
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


def flag_queue_page(*, state: str = Flag.State.OPEN, target_type: str | None = None, limit: int = 500) -> dict:
    """The queue's first `limit` groups, each with its target and its flags: a few queries, not two per group."""
    groups = flag_queue(state=state, target_type=target_type)
    page = groups[:limit]
    targets, flags = {}, {}
    for kind in {g["target_type"] for g in page}:
        ids = [g["target_id"] for g in page if g["target_type"] == kind]
        flaggable = flaggables.get(kind)
        found = flaggable.model.objects.in_bulk(ids) if flaggable else {}
        targets.update({(kind, pk): obj for pk, obj in found.items()})
    for flag in Flag.objects.filter(state=state, target_type__in={g["target_type"] for g in page},
                                    target_id__in={g["target_id"] for g in page}).select_related("user"):
        flags.setdefault((flag.target_type, flag.target_id), []).append(flag)
    return {"count": len(groups), "groups": [
        {**g, "target": targets.get((g["target_type"], g["target_id"])),
         "flags": flags.get((g["target_type"], g["target_id"]), [])} for g in page]}
