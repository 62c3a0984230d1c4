"""The reception day itself, at the office's desk (docs/contract.md §13): check-in → waiting
→ received → done, walk-ins, each matter raised registered as a case through intake
(`channel=reception_day`, naming the receiving leader, who answers for it until it closes:
首问负责), closing the session with its figures, and each leader's list of what is still
open from their receptions."""

from lianxin.auth import OFFICE_ROLES
from lianxin.errors import Forbidden, NotFound, ValidationFailed, WrongState
from lianxin.reception_schemas import CloseSchema, VisitMatterSchema, WalkInSchema
from lianxin.schemas import load_or_raise

from . import bookings, visits
from .bookings import BOOKINGS, _event, save_with_events
from .sessions import SCHEDULERS, _events, _write, load, names, staff_view

# Who works the desk: the office. Registering a matter as a case is the clerk's (intake's
# registration asks the workflow table for the role).
DESK = SCHEDULERS
CASE_FIELDS = {"_id": 1, "status": 1, "title": 1, "primary_id": 1}


def _at_the_desk(actor):
    if actor.get("role") not in DESK:
        raise Forbidden(f"a {actor.get('role')} does not work the reception desk", {})


def _open_session(db, session_id):
    session = load(db, session_id)
    if session["status"] != "published":
        raise WrongState(f"the session is {session['status']}", {"id": session_id})
    return session


def _visit(db, session_id, booking_id):
    v = db[BOOKINGS].find_one({"_id": booking_id, "session_id": session_id}, {"outbox": 0})
    if v is None:
        raise NotFound("no such visit at this session", {"id": booking_id})
    return v


def move(db, publisher, now, actor, session_id, booking_id, action):
    """check_in, receive or finish a visit (the desk's buttons), one step of the day."""
    _at_the_desk(actor)
    if action not in visits.DESK_ACTIONS:
        raise NotFound("no such desk action", {"action": action})
    session = _open_session(db, session_id)
    visit = _visit(db, session_id, booking_id)
    status = visits.check(action, visit["status"])
    event = _event("reception.visit", session, {**visit, "status": status}, now, actor["username"])
    moved = save_with_events(
        db,
        publisher,
        visit,
        {"status": visit["status"]},
        {"$set": {"status": status}, "$push": {"history": {"at": now, "status": status}}},
        [event],
        now,
    )
    if not moved:
        raise WrongState("the visit changed meanwhile; reload it", {"id": booking_id})
    if visit["status"] == "waitlisted":  # came on the day from the waiting list
        db.reception_sessions.update_one(
            {"_id": session_id}, {"$inc": {"waitlisted": -1, "waiting_left": 1}}
        )
    return bookings.visit_view(db[BOOKINGS].find_one({"_id": booking_id}))


def walk_in(db, publisher, now, actor, session_id, body, similar=None):
    """Someone came without a booking: a visit straight into the waiting room."""
    _at_the_desk(actor)
    data = load_or_raise(WalkInSchema(), body)
    session = _open_session(db, session_id)
    visit = bookings.new_visit(
        db, now, session, data, visits.check("walk_in", None), True, similar=similar
    )
    bookings._hold_contacts(db, session_id, visit["citizen_keys"], visit["_id"])
    visit["cancel_hash"] = ""
    event = _event("reception.visit", session, visit, now, actor["username"])
    bookings.insert_with_events(db, publisher, visit, [event], now)
    return bookings.visit_view(visit)


def raise_matter(db, call, now, actor, session_id, booking_id, body, request_key):
    """Register a matter the citizen raised as a case, naming the receiving leader; solved on
    the spot, it is registered answered (the direct answer). `existing_case` links the visit
    to the citizen's open case instead (no second case for one matter)."""
    _at_the_desk(actor)
    data = load_or_raise(VisitMatterSchema(), body)
    session = _open_session(db, session_id)
    visit = _visit(db, session_id, booking_id)
    if visit["status"] not in ("received", "done"):
        raise WrongState("a matter is registered once the citizen is received", {})
    existing = data.pop("existing_case", None)
    if existing:
        case = db.cases.find_one({"_id": existing}, CASE_FIELDS)
        if case is None or case["status"] in visits.CASE_DONE:
            raise ValidationFailed(
                "the matter is not valid",
                {"fields": {"existing_case": ["no such open case"]}},
            )
        receipt = {"id": existing, "status": case["status"], "linked": True}
    else:
        solved = data.pop("solved_on_the_spot", None)
        payload = {
            **data,
            "channel": "reception_day",
            "citizen": {k: v for k, v in visit["citizen"].items() if v},
            "language": visit.get("language", "zh-CN"),
            "reception": {
                "session_id": session_id,
                "leader": session["leader"],
                "leader_name": names(db).get(session["leader"], {}).get("name", ""),
                "date": session["date"],
            },
        }
        if solved:
            payload["direct_answer"] = solved
        receipt = call("intake", "register", payload, request_key, actor)
        receipt["linked"] = False
        receipt["solved_on_the_spot"] = bool(solved)
    db.reception_matters.update_one(
        {"_id": receipt["id"]},
        {
            "$setOnInsert": {
                "session_id": session_id,
                "booking_id": booking_id,
                "leader": session["leader"],
                "linked": receipt["linked"],
                "solved_on_the_spot": receipt.get("solved_on_the_spot", False),
                "at": now,
            }
        },
        upsert=True,
    )
    db[BOOKINGS].update_one({"_id": booking_id}, {"$addToSet": {"matters": receipt["id"]}})
    return receipt


def close(db, publisher, now, actor, session_id, body):
    """Close a session: people received, cases registered, solved on the spot, notes; the
    receiving leader is sent what is still open from all their receptions."""
    _at_the_desk(actor)
    notes = load_or_raise(CloseSchema(), body)["notes"]
    session = _open_session(db, session_id)
    if session["starts_at"] > now:
        raise WrongState("a session is closed once it has begun", {"starts_at": session["date"]})
    held = list(db[BOOKINGS].find({"session_id": session_id}, {"outbox": 0}))
    matters = list(db.reception_matters.find({"session_id": session_id}))
    report = visits.closing_report(held, matters, notes, now, actor)
    still_open = open_for(db, session["leader"])
    nm = names(db)
    event = _events(
        "reception.closed",
        {**session, "status": "closed"},
        actor,
        now,
        nm,
        leader_name=nm.get(session["leader"], {}).get("name", session["leader"]),
        received=report["received"],
        registered=report["registered"],
        solved_on_the_spot=report["solved_on_the_spot"],
        open_cases=still_open,
    )
    after = _write(
        db,
        publisher,
        session,
        {"$set": {"status": "closed", "closing": report}},
        [event],
        now,
    )
    return staff_view(db, after, actor)


def open_for(db, leader):
    """What is still open from `leader`'s receptions (首问负责 until the case closes)."""
    matters = list(db.reception_matters.find({"leader": leader}))
    cases = {}
    for m in matters:
        case = db.cases.find_one({"_id": m["_id"]}, CASE_FIELDS)
        if case:
            cases[case["_id"]] = case
            if case.get("primary_id") and case["primary_id"] not in cases:
                primary = db.cases.find_one({"_id": case["primary_id"]}, CASE_FIELDS)
                if primary:
                    cases[primary["_id"]] = primary
    return visits.still_open(matters, cases)


def open_matters(db, actor, leader=None):
    """A leader's own list; the office may read any leader's."""
    if actor.get("role") == "leader":
        leader = actor.get("leader")
    elif actor.get("role") not in OFFICE_ROLES:
        raise Forbidden("a leader's reception matters are for the leader and the office", {})
    if not leader:
        raise ValidationFailed("name the leader", {"fields": {"leader": ["required"]}})
    return {"leader": leader, "items": open_for(db, leader)}
