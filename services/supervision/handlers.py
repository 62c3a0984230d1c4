"""Supervision use cases: the clock of each assignment."""
from pymongo.errors import DuplicateKeyError

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
        clock = {"_id": key, "case_id": case_id, "seq": seq, "started_at": start,
                 "policy": policy["name"], "duration": policy["duration"],
                 "due_at": deadlines.due_at(start, policy["duration"], tz), "stopped_at": None}
        try:
            db.clocks.insert_one(clock)
        except DuplicateKeyError:
            clock = db.clocks.find_one({"_id": key})
    return {"due_at": isoformat(clock["due_at"]), "policy": clock["policy"],
            "duration": clock["duration"]}
