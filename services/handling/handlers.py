"""Handling use cases (docs/contract.md §3, §5): the unit's work on a case from claim to reply,
the office's review, extensions, the return visit and reopening, instructions and appeals.
Each takes its dependencies (db, publisher, now, call) as arguments; the rules themselves are
in `rules.py`, free of I/O."""

from lianxin import cases, clocks, settings
from lianxin.access import code_matches
from lianxin.auth import CITIZEN
from lianxin.clock import isoformat, parse_iso
from lianxin.errors import NotFound

from . import rules as handling


def _simple(rule, check_as=None, after=None):
    """An action whose domain rule needs only (case, actor, body, now). `check_as`: the
    workflow action checked, when it is not the endpoint's own; `after(deps, case, body)`:
    what follows once the case is written."""

    def run(deps, action, case_id, actor, body):
        case = cases.act(
            deps.db,
            deps.publisher,
            deps.now,
            case_id,
            actor,
            check_as or action,
            lambda c: rule(c, actor, body, deps.now),
        )
        if after is not None:
            after(deps, case, body)
        return case

    return run


def _extended(deps, case, body):
    if body["approve"]:
        clocks.mark_extended(deps.db, case)


def _stopped(deps, case, body):
    if body["approve"]:  # the clock stops at the reply the supervisor approves
        clocks.mark_stopped(deps.db, case, deps.now)


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
            # supervision owns deadlines: it starts the new clock (idempotent per case and seq)
            clock = deps.call("supervision", "start_clock", case["_id"], seq, facts, isoformat(now))
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


def citizen_feedback(deps, case_id, code, body):
    """The citizen rates the answer online, with the access code (docs/contract.md §10 feedback)."""
    case = deps.db.cases.find_one({"_id": case_id}) if isinstance(case_id, str) else None
    if case is None or not code_matches(case, code):
        raise NotFound("no case with this tracking number and access code", {})
    return return_visit(
        deps,
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
    "decide_extension": _simple(handling.decide_extension, after=_extended),
    "draft_reply": _simple(handling.draft_reply),
    "sign_reply": _simple(handling.sign_reply),
    # approve or reject: the outcome picks the workflow action
    "review": _simple(handling.review, check_as="approve_reply", after=_stopped),
    "return_visit": return_visit,
    "instruct": _simple(handling.instruct),
    "appeal": _simple(handling.appeal),
    "decide_appeal": _simple(handling.decide_appeal),
}
