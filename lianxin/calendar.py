"""Working days (工作日): China's statutory holidays and adjusted working weekends (调休), from
the `chinesecalendar` package. For a year the package does not know yet, Monday–Friday count,
and the log says so; update the package (requirements.txt) when the State Council publishes
the next year's arrangement (usually in November)."""
import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)


def is_working_day(day):
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        log.warning("no holiday calendar for %s; counting Monday-Friday", day.year)
        return day.weekday() < 5


def add_working_days(start, n, tz):
    """`n` working days after `start`, at the same local time of day."""
    local = start.astimezone(ZoneInfo(tz))
    day, left = local, n
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day.date()):
            left -= 1
    return day.astimezone(start.tzinfo)
