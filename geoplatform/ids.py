"""Object ids from URLs and bodies: the database's ids are bigints, larger numbers cannot exist."""
MAX_ID = 2**63 - 1  # the largest bigint: a larger id must answer "not found", never reach SQL


def id_from(value) -> int | None:
    """The id in `value` when it is a whole number that can exist (1 … MAX_ID), else None."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def id_or_404(value, message) -> int:
    """The id in a path, or the same 404 as a missing row (too large, not a number: it cannot exist)."""
    from django.http import Http404

    number = id_from(value)
    if number is None:
        raise Http404(message)
    return number
