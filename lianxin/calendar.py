"""Working days (工作日): China's statutory holidays and adjusted working weekends (调休), from
the maintained `holidays` package (its China calendar; pinned in requirements.txt).

A year whose arrangement the State Council has published (each November for the next year)
is exact once the package has it: holidays, bridge days off, and the weekend days worked
instead (e.g. Saturday 2026-10-10). For a year not yet published, the package still knows the
statutory holidays (computed from the law and the lunar calendar) but no 调休: weekends count
as days off and the bridge days as working days until the package is updated — update the pin
when a new arrangement is out.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

_CHINA = holidays.China()  # fills in each year on first use


def is_working_day(day: date) -> bool:
    return _CHINA.is_working_day(day)


def add_working_days(start: datetime, n: int, tz: str) -> datetime:
    """`n` working days after `start`, at the same local time of day."""
    local = start.astimezone(ZoneInfo(tz))
    day, left = local, n
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day.date()):
            left -= 1
    return day.astimezone(start.tzinfo)
