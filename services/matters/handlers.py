"""Matters use cases (docs/contract.md §14): the store and the bus at the edge, the rules in
`domain.py` and `watch.py`. Every write is a compare-and-set on the matter's revision with its
event in the matter's outbox (lianxin/outbox.py); every write to a running matter wakes its
clock (`matter_clocks`, swept as in lianxin/timers.py) so the sweep looks at it again."""

import functools
import hashlib
import hmac
import re
from datetime import timezone

from pymongo.errors import DuplicateKeyError

from lianxin import counters, matter_workflow, outbox, timers
from lianxin.errors import NotFound, ValidationFailed, WrongState
from lianxin.events import make_event

from . import domain, public, watch


def _units(db):
    return {u["_id"] for u in db.units.find({}, {"_id": 1})}


def _leaders(db):
    return {u["_id"] for u in db.leaders.find({}, {"_id": 1})}


def next_matter_id(db, now, tz):
    year = now.astimezone(timezone.utc).year
    return f"DB{year}{counters.next_number(db, f'matter-seq:{year}'):04d}"  # 督办 + year + number


def wake(db, matter, now):
    """Have the sweep look at a running matter now (its clock is only ever too early)."""
    if matter["status"] in matter_workflow.RUNNING:
        db.matter_clocks.update_one(
            {"_id": matter["_id"]}, {"$set": {"state": "running", "next_at": now}}, upsert=True
        )
    else:
        db.matter_clocks.update_one(
            {"_id": matter["_id"]}, {"$set": {"state": "stopped", "next_at": None}}
        )


def _event(type_, matter, actor, now, data):
    return make_event(
        type_,
        now=now,
        units=domain.units_of(matter),
        actor=actor["username"] if isinstance(actor, dict) else actor,
        data=data,
    )


def create(db, publisher, now, actor, body, tz):
    matter_workflow.check_role("create", actor["role"])
    matter = domain.new_matter(
        next_matter_id(db, now, tz), body, actor, now, _units(db), _leaders(db)
    )
    event = _event("matter.created", matter, actor, now, domain.event_data(matter))
    token = outbox.mark(db, matter["_id"], now, "matters")
    db.matters.insert_one({**matter, "outbox": [event], "outbox_since": now})
    outbox.flush(db, publisher, matter["_id"], [event], "matters", token)
    return load(db, matter["_id"])


def load(db, matter_id):
    matter = db.matters.find_one({"_id": matter_id})
    if matter is None:
        raise NotFound(f"no matter {matter_id}", {})
    return matter


def write(db, publisher, now, matter, change, actor):
    """Apply `change` if the matter is still the one it was computed from; publish its event."""
    events = []
    if change.event:
        events.append(_event(change.event, {**matter, **change.set}, actor, now, change.data))
    update = {
        "$set": {**change.set, "status": change.status, "updated_at": now},
        "$inc": {"revision": 1},
        "$push": {"timeline": change.timeline},
    }
    token = outbox.mark(db, matter["_id"], now, "matters") if events else None
    if events:
        update = outbox.with_events(update, events, now)
    done = db.matters.update_one(
        {"_id": matter["_id"], "revision": matter["revision"]}, update
    ).matched_count
    if not done:
        raise WrongState(
            "someone acted on this matter first; look again", {"matter": matter["_id"]}
        )
    if events:
        outbox.flush(db, publisher, matter["_id"], events, "matters", token)
    after = load(db, matter["_id"])
    wake(db, after, now)
    return after


def act(db, publisher, now, action, matter_id, actor, body):
    matter = db.matters.find_one({"_id": matter_id})
    domain.check_visible(matter, actor, matter_id)
    if action == "publish":
        change = domain.publish(matter, actor, now)
    elif action == "claim":
        change = domain.claim(matter, actor, now)
    elif action == "progress":
        change = domain.progress(matter, actor, body, now)
    elif action == "done":
        change = domain.report_done(matter, actor, body, now)
    elif action == "confirm":
        change = domain.confirm(matter, actor, body, now)
    elif action == "send_back":
        change = domain.send_back(matter, actor, body, now)
    else:
        raise ValueError(f"unknown matter action {action!r}")
    return write(db, publisher, now, matter, change, actor)


def get(db, now, matter_id, actor):
    matter = db.matters.find_one({"_id": matter_id})
    domain.check_visible(matter, actor, matter_id)
    return domain.staff_view(matter, actor, now)


def listing(db, now, actor, query):
    found = [
        m
        for m in db.matters.find({}, {"timeline": 0, "progress": 0, "outbox": 0})
        if domain.matches(m, query, actor)
    ]
    found.sort(key=lambda m: (m["ends_at"], m["_id"]))
    page, limit = query.get("page", 1), query.get("limit", 50)
    return {
        "total": len(found),
        "page": page,
        "limit": limit,
        "items": [domain.list_item(m, now) for m in found[(page - 1) * limit : page * limit]],
    }


# --- the sweep ---------------------------------------------------------------------------


def plan_clocks(db, publisher, now, clocks, rules):
    """What each claimed matter clock of a chunk owes (its matter read with the chunk's, one
    `_id $in`); {clock id: timers.Due}. A matter turning risky is flagged once its alerts are
    published."""
    ids = [c["_id"] for c in clocks]
    matters = {m["_id"]: m for m in db.matters.find({"_id": {"$in": ids}})} if ids else {}
    owed = {}
    for clock in clocks:
        matter = matters.get(clock["_id"])
        if matter is None or matter["status"] not in matter_workflow.RUNNING:
            owed[clock["_id"]] = timers.Due([], None)
            continue
        alerts, next_at = watch.evaluate(matter, now, rules)
        units = domain.units_of(matter)
        after = None
        if domain.risky(matter, now) and matter["status"] != "at_risk":
            after = functools.partial(_flag_risk, db, publisher, now, matter)
        owed[clock["_id"]] = timers.Due(
            [timers.Outgoing(a, None, units, actor="matters") for a in alerts], next_at, after
        )
    return owed


def _flag_risk(db, publisher, now, matter):
    try:  # a compare-and-set: a report written meanwhile wins, and wakes the clock again
        write(db, publisher, now, matter, domain.flag_risk(matter, now), matter_workflow.SYSTEM)
    except WrongState:
        pass


def sweep(db, publisher, now, real_now, holder, rules, batch, lease_seconds, chunk=250, workers=2):
    return timers.sweep(
        db,
        db.matter_clocks,
        publisher,
        lambda clocks: plan_clocks(db, publisher, now, clocks, rules),
        now,
        real_now,
        holder,
        batch,
        lease_seconds,
        chunk,
        workers,
    )


# --- the public ----------------------------------------------------------------------------

PHONE = re.compile(r"^\+?\d[\d\s-]{6,20}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def contact_key(contact, secret):
    """A citizen's contact as a keyed hash: one answer per contact, no contact kept."""
    value = contact.strip().lower()
    if PHONE.match(value):
        value = re.sub(r"\D", "", value)[-11:]
    elif not EMAIL.match(value):
        raise ValidationFailed(
            "the answer is not valid", {"fields": {"contact": ["a phone number or an e-mail"]}}
        )
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def seen_done(db, publisher, now, matter_id, body, secret):
    """A citizen says whether they see the project done: one answer per contact."""
    matter = db.matters.find_one({"_id": matter_id})
    if not public.visible(matter):
        raise NotFound(f"no public project {matter_id}", {})
    key = contact_key(body["contact"], secret)
    try:
        db.matter_votes.insert_one(
            {"_id": f"{matter_id}:{key}", "matter_id": matter_id, "done": body["done"], "at": now}
        )
    except DuplicateKeyError:
        raise WrongState("this contact has already answered for this project", {}) from None
    publisher.publish(
        _event(
            "matter.seen_done",
            matter,
            "citizen",
            now,
            {"matter_id": matter_id, "title": matter["title"], "done": body["done"]},
        )
    )
    return public.votes(db, matter_id)
