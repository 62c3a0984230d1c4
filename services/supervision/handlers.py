"""Supervision use cases: the clock of each assignment, and the handling of a case from claim
to closing. Each takes its dependencies (db, publisher, now) as arguments."""

from pymongo.errors import DuplicateKeyError

from lianxin import cases, settings
from lianxin.access import code_matches
from lianxin.auth import CITIZEN
from lianxin.clock import isoformat, parse_iso
from lianxin.errors import NotFound

from . import deadlines, handling


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


def _clock_key(case):
    return f"{case['_id']}:{case.get('assignment_count', 1)}"


def _simple(rule):
    """An action whose domain rule needs only (case, actor, body, now)."""

    def run(deps, action, case_id, actor, body):
        return cases.act(
            deps.db,
            deps.publisher,
            deps.now,
            case_id,
            actor,
            action,
            lambda case: rule(case, actor, body, deps.now),
        )

    return run


def decide_extension(deps, action, case_id, actor, body):
    db, now = deps.db, deps.now
    case = cases.act(
        db,
        deps.publisher,
        now,
        case_id,
        actor,
        action,
        lambda c: handling.decide_extension(c, actor, body, now),
    )
    if body["approve"]:
        db.clocks.update_one(
            {"_id": _clock_key(case)}, {"$set": {"extended_to": case["assignment"]["extended_to"]}}
        )
    return case


def review(deps, action, case_id, actor, body):
    """Approve or reject (the outcome picks the workflow action)."""
    db, now = deps.db, deps.now
    case = cases.act(
        db,
        deps.publisher,
        now,
        case_id,
        actor,
        "approve_reply",
        lambda c: handling.review(c, actor, body, now),
    )
    if body["approve"]:  # the clock stops at the reply the supervisor approves
        db.clocks.update_one({"_id": _clock_key(case)}, {"$set": {"stopped_at": now}})
    return case


def return_visit(deps, action, case_id, actor, body):
    """回访 by a supervisor, or the citizen's own feedback (actor = citizen); the outcome
    picks close or reopen."""
    db, now = deps.db, deps.now

    def decide(case):
        act, change, reopen = handling.return_visit(case, actor, body, now, settings.MAX_REOPENS)
        if reopen:  # a new deadline from now, as a new clock of the same case
            seq = case.get("assignment_count", 1) + 1
            facts = {
                "kind": case["kind"],
                "topic": case["topic"],
                "channel": case["channel"],
                "urgency": case["urgency"],
                "complexity": case["complexity"],
                "collective": "collective" in case.get("flags", []),
            }
            clock = start_clock(db, case["_id"], seq, facts, isoformat(now), settings.TIMEZONE)
            due = parse_iso(clock["due_at"])
            change.set.update(
                {
                    "assignment.due_at": due,
                    "assignment.extended_to": None,
                    "assignment.clock_started_at": now,
                    "assignment.yellow_at": cases.yellow_at(now, due),
                }
            )
            change.inc["assignment_count"] = 1
            change.data["due_at"] = clock["due_at"]
        return act, change

    return cases.act(db, deps.publisher, now, case_id, actor, "close", decide)


def citizen_feedback(db, publisher, now, case_id, code, body):
    """The citizen rates the answer online, with the access code (docs/contract.md §10 feedback)."""
    case = db.cases.find_one({"_id": case_id}) if isinstance(case_id, str) else None
    if case is None or not code_matches(case, code):
        raise NotFound("no case with this tracking number and access code", {})
    return return_visit(
        cases.Deps(db, publisher, now),
        "close",
        case_id,
        CITIZEN,
        {"method": "online", "satisfaction": body["satisfaction"], "note": body.get("note")},
    )


ACTIONS = {
    "claim": _simple(handling.claim),
    "progress": _simple(handling.progress),
    "co_input": _simple(handling.co_input),
    "request_extension": _simple(handling.request_extension),
    "decide_extension": decide_extension,
    "draft_reply": _simple(handling.draft_reply),
    "sign_reply": _simple(handling.sign_reply),
    "review": review,
    "return_visit": return_visit,
    "instruct": _simple(handling.instruct),
    "appeal": _simple(handling.appeal),
    "decide_appeal": _simple(handling.decide_appeal),
}
