"""Deadlines (docs/contract.md §5), free of I/O: which policy applies (first match wins) and the due
time. Durations are natural days, hours, or working days (`lianxin.calendar`)."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from lianxin import matching
from lianxin.calendar import add_working_days, is_working_day

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


def preview(policies, facts, start, tz="Asia/Shanghai", draft=None):
    """Which policy a sample case gets and when it would be due (the admin's preview). `draft`,
    an edited policy not yet saved, takes the place of the stored one with its id. Every day
    between start and due that is not a working day is listed, so the admin sees what a
    working-day duration skips (weekends, holidays) and what a natural one does not."""
    if draft is not None:
        policies = [p for p in policies if p.get("_id") != draft.get("_id")] + [draft]
    facts = {k: facts.get(k) for k in MATCH_KEYS}
    policy = policy_for(facts, policies)
    due = due_at(start, policy["duration"], tz)
    local_start, local_due = start.astimezone(ZoneInfo(tz)), due.astimezone(ZoneInfo(tz))
    days = (local_due.date() - local_start.date()).days
    between = [local_start.date() + timedelta(days=i) for i in range(1, days + 1)]
    return {
        "policy": {"id": policy.get("_id"), "name": policy.get("name")},
        "duration": policy["duration"],
        "started_at": start,
        "due_at": due,
        "natural_days": days,
        "days_off": [d.isoformat() for d in between if not is_working_day(d)],
    }
