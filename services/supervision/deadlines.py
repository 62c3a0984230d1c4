"""Deadlines (docs/contract.md §5), free of I/O: which policy applies (first match wins) and the due
time. Durations are natural days, hours, or working days (`lianxin.calendar`)."""

from datetime import timedelta

from lianxin import matching
from lianxin.calendar import add_working_days

MATCH_KEYS = ("kind", "topic", "channel", "urgency", "complexity", "collective", "town")


def policy_for(facts, policies):
    for policy in sorted(policies, key=lambda p: (p.get("order", 0), p.get("name", ""))):
        if policy.get("enabled", True) and matching.matches(policy.get("match"), facts, MATCH_KEYS):
            return policy
    raise LookupError("no deadline policy matches; add a catch-all policy")


def due_at(start, duration, tz="Asia/Shanghai"):
    if "hours" in duration:
        return start + timedelta(hours=duration["hours"])
    if "days" in duration:
        return start + timedelta(days=duration["days"])
    if "working_days" in duration:
        return add_working_days(start, duration["working_days"], tz)
    raise ValueError(f"a duration needs days, hours or working_days: {duration!r}")
