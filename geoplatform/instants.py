"""Instants written in a query (OGC API `datetime`, Open311 `start_date`/`end_date`): one parser, one range.

An instant is accepted only between INSTANT_MIN and INSTANT_MAX (UTC), a day inside the years Python and
PostgreSQL share, so that every time zone can hold it: `9999-12-31`, `9999-12-31T23:00:00+14:00` or
`0001-01-01T00:00:00+14:00` are a 400 naming the range, never a 500 and never a silently moved bound
(an open end is written `..` in the OGC API, or left out in Open311).
"""
import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

INSTANT_MIN = dt.datetime(1, 1, 2, tzinfo=dt.timezone.utc)
INSTANT_MAX = dt.datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=dt.timezone.utc)


def instant_parse(text: str, *, name: str, end: bool = False) -> dt.datetime:
    """An RFC 3339 date-time, or a whole day (its first moment, or with `end` its last), in UTC.

    A date-time without an offset (RFC 3339 requires one) is read as UTC. ValidationError (code `invalid` or
    `out_of_range`) with a message in the reader's language otherwise.
    """
    try:
        day = parse_date(text) if len(text) == 10 else None
        if day is not None:
            moment = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
        else:
            moment = parse_datetime(text)
    except ValueError:  # well-formed but impossible, such as 2026-02-30
        moment = None
    if moment is None:
        raise ValidationError(_("%(name)s is a date (2026-11-01) or an RFC 3339 date-time (2026-11-01T09:00:00+09:00).")
                              % {"name": name}, code="invalid")
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, dt.timezone.utc)
        moment = moment.astimezone(dt.timezone.utc)
    except (OverflowError, ValueError):
        moment = None
    if moment is None or not INSTANT_MIN <= moment <= INSTANT_MAX:
        raise ValidationError(_("%(name)s must lie between 0001-01-02 and 9999-12-30 (UTC).") % {"name": name},
                              code="out_of_range")
    return moment
