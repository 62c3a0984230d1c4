"""Acting on a case, in one place: who may see it, the state check, the compare-and-set
write with its timeline line and event, and the views staff and units get.

Every action of every service goes through `act`: the role may do the action (403), the case
is within the actor's scope (404), the state allows it (409), the domain rule of the action
decides the change, and one conditional write applies it — of two people acting at once,
one wins and the other gets 409.
"""
import logging
from dataclasses import dataclass, field

from . import outbox, workflow
from .auth import UNIT_ROLES
from .clock import isoformat
from .errors import NotFound, WrongState
from .events import make_event

log = logging.getLogger(__name__)

INTERNAL_FIELDS = ("access_salt", "access_hash", "outbox", "outbox_since", "request_key")


@dataclass
class Change:
    """What an action does to a case; built by the action's domain rule."""
    event: str                       # SPEC §9 event type
    note: str = None                 # internal timeline note
    public_note: str = None          # what the citizen's timeline says, if anything
    set: dict = field(default_factory=dict)
    push: dict = field(default_factory=dict)
    add_to_set: dict = field(default_factory=dict)
    inc: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    status: str = None               # overrides the workflow's target (a decision's outcome)


def units_of(case):
    a = case.get("assignment") or {}
    return [u for u in [a.get("lead_unit"), *(a.get("co_units") or [])] if u]


def in_scope(case, actor):
    """Unit staff see only cases where their unit leads or co-handles (SPEC §1)."""
    if actor["role"] in UNIT_ROLES:
        return actor.get("unit") in units_of(case)
    return True


def load(db, case_id, actor):
    case = db.cases.find_one({"_id": case_id}) if isinstance(case_id, str) else None
    if case is None or not in_scope(case, actor):
        raise NotFound(f"no case {case_id}", {"id": case_id})
    return case


def timeline_entry(now, actor, action, note=None, public_note=None):
    return {"at": now, "actor": actor["username"], "role": actor["role"], "action": action,
            "note": note, "public": public_note is not None, "public_note": public_note}


def act(db, publisher, now, case_id, actor, action, decide):
    """Run `action` on a case for `actor`. `decide(case)` returns the Change, or
    (action, Change) when the outcome picks the action (approve/reject, close/reopen: pairs
    that share their roles and starting states); it raises when the action may not happen."""
    workflow.check_role(action, actor["role"])
    case = load(db, case_id, actor)
    workflow.check_state(action, case["status"])
    decided = decide(case)
    if isinstance(decided, tuple):
        action, change = decided
        workflow.check_role(action, actor["role"])
    else:
        change = decided
    target = workflow.check_state(action, case["status"])
    return apply(db, publisher, now, case, actor, action, change, change.status or target)


def apply(db, publisher, now, case, actor, action, change, status):
    event = make_event(change.event, now=now, case_id=case["_id"], actor=actor["username"],
                       units=units_of({**case, **_assignment_after(case, change)}),
                       data={"status": status, **change.data})
    update = {"$set": {**change.set, "status": status, "updated_at": now},
              "$inc": {"version": 1, **change.inc},
              "$push": {"timeline": timeline_entry(now, actor, action, change.note,
                                                   change.public_note), **change.push}}
    if change.add_to_set:
        update["$addToSet"] = change.add_to_set
    update = outbox.with_events(update, [event], now)
    token = outbox.mark(db, case["_id"], now)
    result = db.cases.update_one({"_id": case["_id"], "version": case["version"],
                                  "status": case["status"]}, update)
    if not result.modified_count:
        raise WrongState("the case was changed by someone else meanwhile; reload it",
                         {"id": case["_id"]})
    try:
        outbox.flush(db, publisher, case["_id"], [event], token=token)
    except Exception:  # stored with the change; the relay publishes it
        log.warning("%s for %s not published yet", event["type"], case["_id"], exc_info=True)
    return db.cases.find_one({"_id": case["_id"]})


def _assignment_after(case, change):
    if "assignment" in change.set:
        return {"assignment": change.set["assignment"]}
    return {}


def yellow_at(start, due):
    """The moment 80% of the time is used: a yellow warning from then on (SPEC §5)."""
    return start + (due - start) * 0.8 if start and due else None


def clock_state(case, now):
    """`overdue` and `warning` as the clock says now (SPEC §5): yellow at 80% of the time
    used, red when overdue; only while the unit still owes an answer."""
    a = case.get("assignment") or {}
    due = a.get("extended_to") or a.get("due_at")
    start = a.get("clock_started_at") or a.get("assigned_at")
    running = case["status"] in workflow.OWING_STATES
    if not (due and start and running):
        return False, "none"
    if now > due:
        return True, "red"
    total = (due - start).total_seconds()
    used = (now - start).total_seconds()
    return False, "yellow" if total > 0 and used >= 0.8 * total else "none"


def _iso_all(value):
    if isinstance(value, dict):
        return {k: _iso_all(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso_all(v) for v in value]
    if hasattr(value, "tzinfo") and hasattr(value, "isoformat"):
        return isoformat(value)
    return value


def staff_view(case, actor, now):
    """The full case within the caller's scope. Whistle-blowing (`report`) cases never show
    the citizen's identity or contacts to a unit (SPEC §1)."""
    view = {k: v for k, v in case.items() if k not in INTERNAL_FIELDS and k != "_id"}
    view = {"id": case["_id"], **view}
    view["overdue"], view["warning"] = clock_state(case, now)
    if actor["role"] in UNIT_ROLES and (case.get("kind") == "report"
                                        or "confidential" in case.get("flags", [])):
        view["citizen"] = {"withheld": True}
        view.pop("citizen_keys", None)
    return _iso_all(view)


def due_at(case):
    a = case.get("assignment") or {}
    return a.get("extended_to") or a.get("due_at")


def public_view(case, now):
    """The citizen's view (`GET /cases/{id}?code=`): status, dates, the answer, and only the
    public lines of the timeline — no staff names, no internal notes."""
    reply = case.get("reply") or {}
    answered = case["status"] in ("answered", "closed") and reply.get("delivered_at")
    overdue, _ = clock_state(case, now)
    return {
        "id": case["_id"],
        "status": case["status"],
        "kind": case["kind"],
        "topic": case["topic"],
        "title": case["title"],
        "received_at": isoformat(case["received_at"]),
        "due_at": isoformat(due_at(case)),
        "overdue": overdue,
        "answer": {"outcome": reply.get("outcome"), "opinion": reply.get("opinion"),
                   "delivered_at": isoformat(reply.get("delivered_at"))} if answered else None,
        "timeline": [{"at": isoformat(e["at"]), "action": e["action"],
                      "note": e.get("public_note")}
                     for e in case.get("timeline", []) if e.get("public")],
    }
