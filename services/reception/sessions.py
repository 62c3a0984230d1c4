"""Schedule use cases: recurring rules, generating and publishing sessions, changes after
publication, the rota's stand-in (补位), cancelling; the public schedule and the staff views.
Each takes its dependencies (db, publisher, now) as arguments."""

import uuid
from datetime import date, timedelta

from pymongo.errors import DuplicateKeyError

from lianxin import calendar, outbox
from lianxin.auth import OFFICE_ROLES, UNIT_ROLES
from lianxin.clock import isoformat
from lianxin.errors import Forbidden, NotFound, ValidationFailed, WrongState
from lianxin.events import make_event
from lianxin.reception_schemas import (
    GenerateSchema,
    ReceptionReasonSchema,
    RuleSchema,
    ScheduleQuerySchema,
    SessionChangeSchema,
    SessionSchema,
)
from lianxin.schemas import load_or_raise

from . import schedule

SESSIONS = "reception_sessions"
# Who keeps the schedule: the office (a leader is on it, not its keeper).
SCHEDULERS = ("clerk", "dispatcher", "supervisor", "admin")


def may_keep_schedule(actor):
    if actor.get("role") not in SCHEDULERS:
        raise Forbidden(f"a {actor.get('role')} may not keep the reception schedule", {})


def names(db):
    """id → {name, title} of every leader, unit and topic (for the five public items)."""
    out = {}
    for coll in ("topics", "units", "leaders"):
        for d in db[coll].find({}, {"name": 1, "title": 1}):
            out[d["_id"]] = {"name": d.get("name", d["_id"]), "title": d.get("title", "")}
    return out


def _known(db, fields):
    """{field: [reason]} for leaders, units and topics the county does not have."""
    errors = {}
    checks = (
        ("leader", "leaders", [fields.get("leader")] if fields.get("leader") else []),
        ("rota", "leaders", fields.get("rota") or []),
        ("accompanying_units", "units", fields.get("accompanying_units") or []),
        ("topics", "topics", fields.get("topics") or []),
    )
    for field, coll, ids in checks:
        if not ids:
            continue
        found = {d["_id"] for d in db[coll].find({"_id": {"$in": list(ids)}}, {"_id": 1})}
        unknown = [i for i in ids if i not in found]
        if unknown:
            errors[field] = [f"unknown: {', '.join(unknown)}"]
    return errors


def _invalid(errors):
    if errors:
        raise ValidationFailed("the reception session is not valid", {"fields": errors})


def _plain(loaded):
    """A loaded body with its dates as YYYY-MM-DD (what the store and the wire carry)."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in loaded.items()}


def _events(type_, session, actor, now, nm, **data):
    return make_event(
        type_,
        now=now,
        units=session.get("accompanying_units") or [],
        actor=actor["username"],
        data={**schedule.event_data(session, nm), **data},
    )


def _write(db, publisher, session, update, events, now):
    """One compare-and-set on the session's version, its events in its outbox; 409 to the
    loser of a race. Returns the session after."""
    token = outbox.mark(db, session["_id"], now, SESSIONS)
    update = outbox.with_events(update, events, now)
    update.setdefault("$inc", {})["version"] = 1
    done = db[SESSIONS].update_one({"_id": session["_id"], "version": session["version"]}, update)
    if not done.matched_count:
        raise WrongState("someone changed this session first; reload it", {"id": session["_id"]})
    outbox.flush(db, publisher, session["_id"], events, SESSIONS, token)
    return db[SESSIONS].find_one({"_id": session["_id"]}, {"outbox": 0})


def load(db, session_id):
    session = db[SESSIONS].find_one({"_id": session_id}, {"outbox": 0})
    if session is None:
        raise NotFound("no such reception session", {"id": session_id})
    return session


# -- rules --------------------------------------------------------------------------------


def save_rule(db, now, actor, body, rule_id=None):
    may_keep_schedule(actor)
    if rule_id is not None:
        body = {**body, "id": rule_id}
    rule = load_or_raise(RuleSchema(), body)
    errors = _known(db, rule)
    if rule["end"] <= rule["start"]:  # HH:MM strings order as times do
        errors["end"] = ["the session must end after it starts"]
    _invalid(errors)
    rule["_id"] = rule.pop("id")
    rule["updated_at"] = now
    db.reception_rules.replace_one({"_id": rule["_id"]}, rule, upsert=True)
    return _rule_out(rule)


def _rule_out(rule):
    return {"id": rule["_id"], **{k: v for k, v in rule.items() if k != "_id"}}


def list_rules(db, actor):
    may_keep_schedule(actor)
    return {"items": [_rule_out(r) for r in db.reception_rules.find().sort("_id", 1)]}


def delete_rule(db, actor, rule_id):
    may_keep_schedule(actor)
    if not db.reception_rules.delete_one({"_id": rule_id}).deleted_count:
        raise NotFound("no such reception rule", {"id": rule_id})


# -- sessions -----------------------------------------------------------------------------


def generate(db, publisher, now, actor, body, tz):
    """The sessions the rules give in [from, to]; a session generated before is left as it
    is (its id is the rule and the nominal day). Past days are skipped."""
    may_keep_schedule(actor)
    q = load_or_raise(GenerateSchema(), body)
    first, last = q["date_from"], q["date_to"]
    if last < first:
        _invalid({"to": ["before from"]})
    if (last - first).days > schedule.GENERATE_AT_ONCE_DAYS:
        _invalid({"to": [f"at most {schedule.GENERATE_AT_ONCE_DAYS} days after from"]})
    if last > now.date() + timedelta(days=schedule.HOW_FAR_AHEAD_DAYS):
        _invalid({"to": [f"at most {schedule.HOW_FAR_AHEAD_DAYS} days ahead"]})
    found = {"enabled": True}
    if q.get("rules"):
        found = {"_id": {"$in": q["rules"]}}
    made = []
    for rule in db.reception_rules.find(found):
        for doc in schedule.sessions_from_rule(rule, first, last, now, tz, calendar.is_working_day):
            if doc["starts_at"] <= now:
                continue
            try:
                db[SESSIONS].insert_one(doc)
            except DuplicateKeyError:
                continue
            made.append(doc["_id"])
    if q["publish"]:
        for sid in made:
            publish(db, publisher, now, actor, sid)
    return {"created": made}


def create(db, publisher, now, actor, body, tz):
    """One session put on the schedule by hand (not in the past)."""
    may_keep_schedule(actor)
    fields = _plain(load_or_raise(SessionSchema(), body))
    _invalid({**_known(db, fields), **schedule.timing_errors(fields, now, tz)})
    sid = f"s-{fields['date'].replace('-', '')}-{uuid.uuid4().hex[:6]}"
    doc = schedule.new_session(sid, fields, now, tz)
    db[SESSIONS].insert_one(doc)
    if fields.get("publish"):
        return staff_view(db, publish(db, publisher, now, actor, sid), actor)
    return staff_view(db, doc, actor)


def publish(db, publisher, now, actor, session_id):
    """Put a draft on the public schedule (五公开) and tell the leader and the units."""
    may_keep_schedule(actor)
    session = load(db, session_id)
    if session["status"] != "draft":
        raise WrongState(f"a {session['status']} session cannot be published", {})
    if session["starts_at"] <= now:
        _invalid({"date": ["the session would be in the past"]})
    event = _events(
        "reception.published", {**session, "status": "published"}, actor, now, names(db)
    )
    return _write(
        db, publisher, session, {"$set": {"status": "published", "published_at": now}}, [event], now
    )


def change(db, publisher, now, actor, session_id, body, tz):
    """Change a session. Before publication it is just edited; after, each change is kept
    and shown to the public, and the people who booked are told of a new time or place."""
    may_keep_schedule(actor)
    q = load_or_raise(SessionChangeSchema(), body)
    reason = q.pop("reason", None)
    fields = _plain(q)
    session = load(db, session_id)
    if session["status"] not in ("draft", "published"):
        raise WrongState(f"a {session['status']} session cannot be changed", {})
    new = schedule.diff(session, fields)
    if not new:
        return staff_view(db, session, actor)
    merged = {**session, **new}
    errors = _known(db, new)
    if {"date", "start", "end"} & set(new):
        errors.update(schedule.timing_errors(merged, now, tz))
    if "capacity" in new and new["capacity"] < session.get("booked", 0):
        errors["capacity"] = [f"below the {session['booked']} places already booked"]
    _invalid(errors)
    sets = dict(new)
    if {"date", "start", "end"} & set(new):
        day = date.fromisoformat(merged["date"])
        sets["starts_at"], sets["ends_at"] = schedule.local_span(
            day, merged["start"], merged["end"], tz
        )
    update = {"$set": sets}
    if "capacity" in new:  # the places left grow or shrink with the room
        update["$inc"] = {"places_left": new["capacity"] - session["capacity"]}
    events = []
    if session["status"] == "published":
        changes = [schedule.change(session, f, v, now, actor, reason) for f, v in new.items()]
        update["$push"] = {"changes": {"$each": changes}}
        events.append(
            _events(
                "reception.changed",
                merged,
                actor,
                now,
                names(db),
                kind="changed",
                fields=sorted(new),
                reason=reason,
                tell_bookers=schedule.told_to_bookers(changes),
            )
        )
    after = _write(db, publisher, session, update, events, now)
    if "capacity" in new and new["capacity"] > session.get("booked", 0):
        from . import bookings  # a larger room: the waiting list moves up

        bookings.fill_from_waiting_list(db, publisher, now, session_id)
    return staff_view(db, after, actor)


def replace_leader(db, publisher, now, actor, session_id, body):
    """The receiving leader cannot come: the next on the rota stands in (补位); the public
    schedule shows it and everyone who booked is told."""
    may_keep_schedule(actor)
    reason = load_or_raise(ReceptionReasonSchema(), body)["reason"]
    session = load(db, session_id)
    if session["status"] not in ("draft", "published"):
        raise WrongState(f"a {session['status']} session has no leader to replace", {})
    stand_in = schedule.next_on_rota(session)
    if stand_in is None:
        raise WrongState(
            "nobody on the rota can stand in; add a leader to the rota or cancel the session",
            {"rota": session.get("rota"), "declined": session.get("declined")},
        )
    update = {"$set": {"leader": stand_in}, "$addToSet": {"declined": session["leader"]}}
    events = []
    if session["status"] == "published":
        record = schedule.change(session, "leader", stand_in, now, actor, reason, "stand_in")
        update["$push"] = {"changes": record}
        nm = names(db)
        events.append(
            _events(
                "reception.changed",
                {**session, "leader": stand_in},
                actor,
                now,
                nm,
                kind="stand_in",
                fields=["leader"],
                reason=reason,
                previous_leader=session["leader"],
                previous_leader_name=nm.get(session["leader"], {}).get("name", ""),
                tell_bookers=True,
            )
        )
    return staff_view(db, _write(db, publisher, session, update, events, now), actor)


def cancel(db, publisher, now, actor, session_id, body):
    """Take a session off: it stays on the public schedule as cancelled, with the reason."""
    may_keep_schedule(actor)
    reason = load_or_raise(ReceptionReasonSchema(), body)["reason"]
    session = load(db, session_id)
    if session["status"] not in ("draft", "published"):
        raise WrongState(f"a {session['status']} session cannot be cancelled", {})
    update = {"$set": {"status": "cancelled", "cancel_reason": reason}}
    events = []
    if session["status"] == "published":
        record = schedule.change(session, "status", "cancelled", now, actor, reason, "cancelled")
        update["$push"] = {"changes": record}
        events.append(
            _events(
                "reception.changed",
                {**session, "status": "cancelled"},
                actor,
                now,
                names(db),
                kind="cancelled",
                fields=["status"],
                reason=reason,
                tell_bookers=True,
            )
        )
    return staff_view(db, _write(db, publisher, session, update, events, now), actor)


# -- reading ------------------------------------------------------------------------------


def _range(db, query, statuses=None):
    q = load_or_raise(ScheduleQuerySchema(), query or {})
    found = {}
    if q.get("date_from") or q.get("date_to"):
        found["date"] = {}
        if q.get("date_from"):
            found["date"]["$gte"] = q["date_from"].isoformat()
        if q.get("date_to"):
            found["date"]["$lte"] = q["date_to"].isoformat()
    if q.get("leader"):
        found["leader"] = q["leader"]
    if statuses:
        found["status"] = {"$in": list(statuses)}
    elif q.get("status"):
        found["status"] = q["status"]
    return list(db[SESSIONS].find(found, {"outbox": 0}).sort([("starts_at", 1), ("_id", 1)]))


def public_schedule(db, now, query):
    """What the public sees: published sessions and those cancelled after publication (or
    for a holiday), from today on unless asked otherwise; never a draft."""
    query = dict(query or {})
    query.setdefault("from", (now - timedelta(days=1)).date().isoformat())
    sessions = _range(db, query, statuses=("published", "cancelled", "closed"))
    nm = names(db)
    shown = [
        s
        for s in sessions
        if s["status"] != "cancelled"
        or s.get("published_at")
        or s.get("cancel_reason") == "holiday"
    ]
    return {"items": [schedule.public_view(s, nm) for s in shown]}


def public_session(db, session_id):
    session = db[SESSIONS].find_one({"_id": session_id}, {"outbox": 0})
    if session is None or session["status"] == "draft":
        raise NotFound("no such reception session", {"id": session_id})
    return schedule.public_view(session, names(db))


def in_scope(session, actor):
    """Office roles see every session; a unit's staff those their unit accompanies."""
    if actor.get("role") in OFFICE_ROLES:
        return True
    return actor.get("role") in UNIT_ROLES and actor.get("unit") in (
        session.get("accompanying_units") or []
    )


def list_sessions(db, actor, query):
    nm = names(db)
    items = [s for s in _range(db, query) if in_scope(s, actor)]
    return {"items": [_staff_fields(s, nm) for s in items]}


def _staff_fields(session, nm):
    return {
        **schedule.public_view(session, nm),
        "rule": session.get("rule"),
        "rota": session.get("rota") or [],
        "declined": session.get("declined") or [],
        "closing": _closing_out(session.get("closing")),
        "version": session["version"],
    }


def _closing_out(closing):
    if not closing:
        return None
    return {**closing, "closed_at": isoformat(closing.get("closed_at"))}


def staff_view(db, session, actor):
    """A session for staff: its public items, rota, closing report and (for the office) its
    visits with the citizens' contacts."""
    if not in_scope(session, actor):
        raise NotFound("no such reception session", {"id": session["_id"]})
    out = _staff_fields(session, names(db))
    if actor.get("role") in OFFICE_ROLES:
        from .bookings import visit_view

        visits = db.reception_bookings.find({"session_id": session["_id"]}).sort(
            [("created_at", 1), ("_id", 1)]
        )
        out["visits"] = [visit_view(v) for v in visits]
    return out


def get_session(db, actor, session_id):
    return staff_view(db, load(db, session_id), actor)
