"""Working days in Seoul: Monday to Friday, except Korean public holidays (the `holidays` package)."""
import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _korean_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.KR(years=year).keys())


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _korean_holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (a report made on a holiday counts from the next working day)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day
