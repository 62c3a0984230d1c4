"""Supervision use cases: the clock of each assignment (its deadline from the policies).
The handling of a case from claim to closing is the handling service's."""

from pymongo.errors import DuplicateKeyError

from lianxin import settings
from lianxin.clock import isoformat, parse_iso

from . import deadlines


def start_clock(db, case_id, seq, facts, started_at, tz="Asia/Shanghai"):
    """Start the clock of assignment number `seq` of a case and return its due time.

    Idempotent: the clock of an assignment is computed once; asking again (a retried routing,
    a redelivered RPC) returns the stored one, so the deadline never drifts.
    """
    key = f"{case_id}:{seq}"
    clock = db.clocks.find_one({"_id": key})
    if clock is None:
        start = parse_iso(started_at)
        policy = deadlines.policy_for(facts, list(db.deadline_policies.find()))
        clock = {
            "_id": key,
            "case_id": case_id,
            "seq": seq,
            "started_at": start,
            "policy": policy["name"],
            "duration": policy["duration"],
            "due_at": deadlines.due_at(start, policy["duration"], tz),
            "stopped_at": None,
            "extended_to": None,
            # a durable timer: the sweep looks at this clock again at `next_at`
            "state": "running",
            "next_at": start,
            "lease_until": None,
        }
        try:
            db.clocks.insert_one(clock)
        except DuplicateKeyError:
            clock = db.clocks.find_one({"_id": key})
    start, due = clock["started_at"], clock["due_at"]
    # 会办: co-handling units answer by their own deadline, by default half the lead's time.
    co_due = start + (due - start) * settings.CO_UNIT_SHARE
    return {
        "due_at": isoformat(due),
        "co_due_at": isoformat(co_due),
        "policy": clock["policy"],
        "duration": clock["duration"],
    }
