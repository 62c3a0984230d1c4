"""Booking a place at a reception day: capacity and the waiting list, one booking per contact
and session, cancelling with the code handed out at booking, and the waiting list moving up
(docs/contract.md §13). A booking about the same matter as one of the citizen's open cases
is shown with that case, found by intake's own duplicate screening (no second case for one
matter).

Places are counted in the session (`places_left`), taken by one conditional `$inc`: the
store serialises conditional writes (docs/decisions/0003), so concurrent bookings never take
more places than there are.
"""

import hashlib
import hmac
import logging
import secrets
import uuid

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from lianxin import duplicates, outbox, settings
from lianxin.auth import CITIZEN
from lianxin.clock import isoformat
from lianxin.errors import NotFound, Unavailable, ValidationFailed, WrongState
from lianxin.events import make_event
from lianxin.reception_schemas import BookingSchema, CancelSchema
from lianxin.schemas import load_or_raise

from . import schedule, visits
from .sessions import SESSIONS, load, may_keep_schedule

log = logging.getLogger(__name__)

BOOKINGS = "reception_bookings"


def _hash(code):
    return hashlib.sha256(code.encode()).hexdigest()


def _event(type_, session, booking, now, actor="citizen", **data):
    return make_event(
        type_,
        now=now,
        units=session.get("accompanying_units") or [],
        actor=actor,
        data={
            **schedule.event_data(session),
            "booking_id": booking["_id"],
            "booking_status": booking["status"],
            "position": booking.get("position"),
            **data,
        },
    )


def save_with_events(db, publisher, booking, filter_, update, events, now):
    """One conditional write of a booking with its events in its outbox; False if the
    booking was no longer as `filter_` says."""
    token = outbox.mark(db, booking["_id"], now, BOOKINGS)
    done = db[BOOKINGS].update_one(
        {"_id": booking["_id"], **filter_}, outbox.with_events(update, events, now)
    )
    if done.matched_count:
        outbox.flush(db, publisher, booking["_id"], events, BOOKINGS, token)
    else:
        db.outbox_due.delete_one({"_id": f"{BOOKINGS}:{booking['_id']}", "token": token})
    return bool(done.matched_count)


def insert_with_events(db, publisher, booking, events, now):
    token = outbox.mark(db, booking["_id"], now, BOOKINGS)
    db[BOOKINGS].insert_one({**booking, "outbox": list(events), "outbox_since": now})
    outbox.flush(db, publisher, booking["_id"], events, BOOKINGS, token)


def _open_for_booking(session, now):
    if session["status"] not in schedule.OPEN_FOR_BOOKING:
        reason = f"the session is {session['status']}, not open for booking"
    elif session["starts_at"] <= now:
        reason = "the session has begun or is over"
    else:
        return
    raise ValidationFailed("this session takes no bookings", {"fields": {"session_id": [reason]}})


def _hold_contacts(db, session_id, keys, booking_id):
    """One booking per contact and session: a unique key per (session, contact)."""
    held = []
    for key in keys:
        try:
            db.reception_booking_keys.insert_one(
                {"_id": f"{session_id}:{key}", "booking": booking_id}
            )
            held.append(key)
        except DuplicateKeyError:
            for k in held:
                db.reception_booking_keys.delete_one({"_id": f"{session_id}:{k}"})
            raise ValidationFailed(
                "this contact has a booking for this session already",
                {"fields": {"citizen": ["already booked for this session"]}},
            )


def _release_contacts(db, booking):
    for key in booking.get("citizen_keys") or []:
        db.reception_booking_keys.delete_one(
            {"_id": f"{booking['session_id']}:{key}", "booking": booking["_id"]}
        )


def similar_case(similar, booking):
    """The citizen's open case this booking resembles, as intake's screening finds it
    (`similar` asks intake), or None — also when intake cannot be asked now: the hint is
    for the desk, and a booking must not fail for want of it."""
    probe = {
        "_id": booking["_id"],
        "citizen": booking["citizen"],
        "title": booking["about"][:200],
        "content": booking["about"],
    }
    try:
        return similar(probe) if similar else None
    except Unavailable:
        log.warning("intake unavailable: booking %s kept without its similar case", booking["_id"])
        return None


def _take_place(db, session_id):
    return (
        db[SESSIONS]
        .update_one(
            {"_id": session_id, "status": "published", "places_left": {"$gt": 0}},
            {"$inc": {"places_left": -1, "booked": 1}},
        )
        .matched_count
    )


def new_visit(db, now, session, body, status, walk_in=False, similar=None):
    keys = duplicates.citizen_keys(body["citizen"], settings.CITIZEN_KEY_SECRET)
    visit = {
        "_id": f"b-{uuid.uuid4().hex[:12]}",
        "session_id": session["_id"],
        "status": status,
        "citizen": body["citizen"],
        "citizen_keys": keys,
        "about": body["about"],
        "language": body.get("language", "zh-CN"),
        "walk_in": walk_in,
        "position": None,
        "matters": [],
        "created_at": now,
        "history": [{"at": now, "status": status}],
    }
    visit["similar_case"] = similar_case(similar, visit)
    return visit


def book(db, publisher, now, session_id, body, similar=None):
    """A citizen books a place: booked while there is one, else on the waiting list."""
    data = load_or_raise(BookingSchema(), body)
    session = load(db, session_id)
    if session["status"] == "draft":
        raise NotFound("no such reception session", {"id": session_id})
    _open_for_booking(session, now)
    booking = new_visit(db, now, session, data, "booked", similar=similar)
    _hold_contacts(db, session_id, booking["citizen_keys"], booking["_id"])
    code = secrets.token_urlsafe(9)
    booking["cancel_hash"] = _hash(code)
    if _take_place(db, session_id):
        booking["status"] = visits.check("book", None)
    else:
        booking["status"] = visits.check("waitlist", None)
        seq = db[SESSIONS].find_one_and_update(
            {"_id": session_id, "waiting_left": {"$gt": 0}},
            {"$inc": {"waiting_seq": 1, "waitlisted": 1, "waiting_left": -1}},
            return_document=ReturnDocument.AFTER,
        )
        if seq is None:
            _release_contacts(db, booking)
            raise ValidationFailed(
                "this session is fully booked",
                {"fields": {"session_id": ["the session and its waiting list are full"]}},
            )
        booking["position"] = seq["waiting_seq"]
    booking["history"] = [{"at": now, "status": booking["status"]}]
    insert_with_events(
        db, publisher, booking, [_event("reception.booked", session, booking, now)], now
    )
    return {
        "id": booking["_id"],
        "session_id": session_id,
        "status": booking["status"],
        "position": booking["position"],
        "cancel_code": code,
    }


def cancel(db, publisher, now, session_id, booking_id, body, actor=None):
    """Cancel a booking (the citizen with the code given at booking, or the office); a place
    it held goes to the first on the waiting list."""
    booking = db[BOOKINGS].find_one({"_id": booking_id, "session_id": session_id}, {"outbox": 0})
    if actor is None:
        code = load_or_raise(CancelSchema(), body)["code"]
        if booking is None or not hmac.compare_digest(booking["cancel_hash"], _hash(code)):
            raise NotFound("no booking with this number and code", {})
    else:
        may_keep_schedule(actor)  # the office cancels for a citizen at the desk
        if booking is None:
            raise NotFound("no such booking", {"id": booking_id})
    status = visits.check("cancel", booking["status"])
    session = load(db, session_id)
    event = _event(
        "reception.booking_cancelled",
        session,
        {**booking, "status": status},
        now,
        actor=(actor or CITIZEN)["username"],
    )
    moved = save_with_events(
        db,
        publisher,
        booking,
        {"status": booking["status"]},
        {"$set": {"status": status}, "$push": {"history": {"at": now, "status": status}}},
        [event],
        now,
    )
    if not moved:
        raise WrongState("the booking changed meanwhile; reload it", {"id": booking_id})
    _release_contacts(db, booking)
    if booking["status"] == "booked":
        db[SESSIONS].update_one({"_id": session_id}, {"$inc": {"places_left": 1, "booked": -1}})
    else:
        db[SESSIONS].update_one(
            {"_id": session_id}, {"$inc": {"waitlisted": -1, "waiting_left": 1}}
        )
    fill_from_waiting_list(db, publisher, now, session_id)
    return {"id": booking_id, "status": status}


def fill_from_waiting_list(db, publisher, now, session_id):
    """Give free places to the waiting list, first come first served; each one moved up is
    told. Returns the booking ids moved up."""
    moved = []
    waiting = list(
        db[BOOKINGS]
        .find({"session_id": session_id, "status": "waitlisted"}, {"outbox": 0})
        .sort([("position", 1), ("_id", 1)])
    )
    for booking in waiting:
        if not _take_place(db, session_id):
            break
        status = visits.check("promote", booking["status"])
        session = load(db, session_id)
        event = _event("reception.promoted", session, {**booking, "status": status}, now)
        if save_with_events(
            db,
            publisher,
            booking,
            {"status": "waitlisted"},
            {
                "$set": {"status": status, "position": None},
                "$push": {"history": {"at": now, "status": status}},
            },
            [event],
            now,
        ):
            db[SESSIONS].update_one(
                {"_id": session_id}, {"$inc": {"waitlisted": -1, "waiting_left": 1}}
            )
            moved.append(booking["_id"])
        else:  # cancelled meanwhile: give the place back
            db[SESSIONS].update_one({"_id": session_id}, {"$inc": {"places_left": 1, "booked": -1}})
    return moved


def visit_view(v):
    """A visit for the office's desk (the citizen's contacts included)."""
    return {
        "id": v["_id"],
        "session_id": v["session_id"],
        "status": v["status"],
        "citizen": {k: v["citizen"].get(k) for k in ("name", "phone", "email")},
        "about": v["about"],
        "walk_in": v.get("walk_in", False),
        "position": v.get("position"),
        "similar_case": v.get("similar_case"),
        "matters": v.get("matters") or [],
        "created_at": isoformat(v.get("created_at")),
    }
