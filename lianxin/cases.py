"""Acting on a case, in one place: who may see it, the state check, the compare-and-set
write with its timeline line and event, and the views staff and units get.

Every action of every service goes through `act`: the role may do the action (403), the case
is within the actor's scope (404), the state allows it (409), the domain rule of the action
decides the change, and one conditional write applies it — of two people acting at once,
one wins and the other gets 409.
"""

import logging
import re
from dataclasses import dataclass, field

from . import allowed, attachments, casestore, settings, workflow
from .auth import UNIT_ROLES
from .clock import isoformat
from .events import make_event

log = logging.getLogger(__name__)

# A case's tracking number (受理编号), as intake gives it: LX-<local date>-<number of the day>.
TRACKING_NUMBER = re.compile(r"^LX-\d{8}-\d{6}$")

INTERNAL_FIELDS = ("access_salt", "access_hash", "outbox", "outbox_since", "request_key")


def unassigned():
    """A case's assignment while no unit holds it: new, or returned to the dispatch queue."""
    return {
        "lead_unit": None,
        "co_units": [],
        "leader": None,
        "assigned_at": None,
        "claimed_at": None,
        "due_at": None,
        "extended_to": None,
    }


@dataclass
class Change:
    """What an action does to a case; built by the action's domain rule."""

    event: str  # docs/contract.md §9 event type
    note: str | None = None  # internal timeline note
    public_note: str | None = None  # what the citizen's timeline says, if anything
    set: dict = field(default_factory=dict)
    push: dict = field(default_factory=dict)
    add_to_set: dict = field(default_factory=dict)
    inc: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)


@dataclass
class Deps:
    """What a staff action's use case is given, the same in every service: the store, the
    publisher, business time, and the RPC call to another service (routing asks supervision
    for a clock). Every service's ACTIONS table maps an action to `use_case(deps, action,
    case_id, actor, body)`."""

    db: object
    publisher: object
    now: object
    call: object = None


def units_of(case):
    a = case.get("assignment") or {}
    return [u for u in [a.get("lead_unit"), *(a.get("co_units") or [])] if u]


def in_scope(case, actor):
    """Unit staff see only cases where their unit leads or co-handles (docs/contract.md §1)."""
    if actor["role"] in UNIT_ROLES:
        return actor.get("unit") in units_of(case)
    return True


def load(store, case_id, actor):
    """The case, if it exists and is within the actor's scope (404 otherwise: whether a case
    outside one's scope exists is not told)."""
    case = casestore.for_db(store).get(case_id)
    if case is None or not in_scope(case, actor):
        raise casestore.not_found(case_id)
    return case


def timeline_entry(now, actor, action, note=None, public_note=None):
    return {
        "at": now,
        "actor": actor["username"],
        "role": actor["role"],
        "action": action,
        "note": note,
        "public": public_note is not None,
        "public_note": public_note,
    }


def act(store, publisher, now, case_id, actor, action, decide):
    """Run `action` on a case for `actor`. `decide(case)` returns the Change, or
    (action, Change) when the outcome picks the action (approve/reject, close/reopen: pairs
    that share their roles and starting states); it raises when the action may not happen.
    `store` is the database or a case store (its in-memory twin in unit tests)."""
    workflow.check_role(action, actor["role"])
    case = load(store, case_id, actor)
    workflow.check_state(action, case["status"])
    decided = decide(case)
    if isinstance(decided, tuple):
        action, change = decided
        workflow.check_role(action, actor["role"])
    else:
        change = decided
    return apply(store, publisher, now, case, actor, action, change)


def apply(store, publisher, now, case, actor, action, change, reload=True):
    """Write `change` to `case` with the status the workflow gives `action`, as one
    compare-and-set on the case's version, with its timeline line and its event. Returns the
    case as stored then (`reload=False`: None, for a caller that does not look)."""
    store = casestore.for_db(store)
    status = workflow.check_state(action, case["status"])
    event = make_event(
        change.event,
        now=now,
        case_id=case["_id"],
        actor=actor["username"],
        units=units_of({**case, **_assignment_after(case, change)}),
        data={"status": status, **change.data},
    )
    write = casestore.Write(
        set={**change.set, "updated_at": now},
        inc=dict(change.inc),
        push={
            "timeline": timeline_entry(now, actor, action, change.note, change.public_note),
            **change.push,
        },
        add_to_set=dict(change.add_to_set),
    )
    if not store.apply(case, write, [event], now, status=status):
        raise casestore.changed_meanwhile(case["_id"])
    try:
        store.flush(publisher, case["_id"], [event])
    except Exception:  # stored with the change; the relay publishes it
        log.warning("%s for %s not published yet", event["type"], case["_id"], exc_info=True)
    return store.get(case["_id"]) if reload else None


def _assignment_after(case, change):
    if "assignment" in change.set:
        return {"assignment": change.set["assignment"]}
    return {}


def yellow_at(start, due, share=None):
    """The moment the yellow share of the time is used (LX_YELLOW_SHARE, 80 %): a yellow warning
    from then on (docs/contract.md §5). Supervision's warning and the case list both ask here."""
    share = settings.YELLOW_SHARE if share is None else share
    return start + (due - start) * share if start and due else None


def clock_state(case, now):
    """`overdue` and `warning` as the clock says now (docs/contract.md §5): yellow at 80% of the
    time used, red when overdue; only while the unit still owes an answer."""
    due, start = due_at(case), clock_start(case)
    running = case["status"] in workflow.OWING_STATES
    if not (due and start and running):
        return False, "none"
    if now > due:
        return True, "red"
    return False, "yellow" if due > start and now >= yellow_at(start, due) else "none"


def _iso_all(value):
    if isinstance(value, dict):
        return {k: _iso_all(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso_all(v) for v in value]
    if hasattr(value, "tzinfo") and hasattr(value, "isoformat"):
        return isoformat(value)
    return value


def staff_view(case, actor, now):
    """The full case within the caller's scope. Whistle-blowing (`report`) cases never show the
    citizen's identity or contacts to a unit (docs/contract.md §1). `allowed_actions` lists the
    action endpoints this actor may post to now (`lianxin.allowed`)."""
    view = {k: v for k, v in case.items() if k not in INTERNAL_FIELDS and k != "_id"}
    view = {"id": case["_id"], **view}
    view["overdue"], view["warning"] = clock_state(case, now)
    view["allowed_actions"] = allowed.allowed_actions(case, actor, now)
    if actor["role"] in UNIT_ROLES and (
        case.get("kind") == "report" or "confidential" in case.get("flags", [])
    ):
        view["citizen"] = {"withheld": True}
        view.pop("citizen_keys", None)
    return _iso_all(view)


def due_at(case):
    """When the answer is due: the extended date if an extension was granted, else the due
    date of the assignment (the one definition: lists, warnings, statistics, messages)."""
    a = case.get("assignment") or {}
    return a.get("extended_to") or a.get("due_at")


def clock_start(case):
    """When the current clock started (a reopened case starts a new one)."""
    a = case.get("assignment") or {}
    return a.get("clock_started_at") or a.get("assigned_at")


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
        "answer": {
            "outcome": reply.get("outcome"),
            "opinion": reply.get("opinion"),
            "delivered_at": isoformat(reply.get("delivered_at")),
        }
        if answered
        else None,
        "timeline": [
            {"at": isoformat(e["at"]), "action": e["action"], "note": e.get("public_note")}
            for e in case.get("timeline", [])
            if e.get("public")
        ],
        "attachments": _iso_all(attachments.for_citizen(case)),
    }
