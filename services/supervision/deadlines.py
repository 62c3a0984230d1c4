"""Deadlines (SPEC §5), free of I/O: which policy applies (first match wins) and the due time.

Durations are natural days, hours, or working days; working days follow China's statutory
holidays and adjusted working weekends (调休) from the `chinesecalendar` package. For a year
the package does not know yet, working days fall back to Monday–Friday (and the log says so).
"""
import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

from lianxin import matching

log = logging.getLogger(__name__)
MATCH_KEYS = ("kind", "topic", "channel", "urgency", "complexity", "collective", "town")


def policy_for(facts, policies):
    for policy in sorted(policies, key=lambda p: (p.get("order", 0), p.get("name", ""))):
        if policy.get("enabled", True) and matching.matches(policy.get("match"), facts,
                                                            MATCH_KEYS):
            return policy
    raise LookupError("no deadline policy matches; add a catch-all policy")


def is_working_day(day):
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the calendar package does not know yet
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


def due_at(start, duration, tz="Asia/Shanghai"):
    if "hours" in duration:
        return start + timedelta(hours=duration["hours"])
    if "days" in duration:
        return start + timedelta(days=duration["days"])
    if "working_days" in duration:
        return add_working_days(start, duration["working_days"], tz)
    raise ValueError(f"a duration needs days, hours or working_days: {duration!r}")
