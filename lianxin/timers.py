"""Durable timers shared by every service that watches deadlines (docs/decisions/0008): a
collection of clocks whose `next_at` is the next moment anything can fall due, swept by every
replica, each wake claimed by one of them (a unique insert with an expiry on real time), and
every alert recorded under its unique key before it is published — so nothing is sent twice
and a replica killed mid-sweep leaves work another finishes. Supervision watches cases with
it (`services/supervision/sweeps.py`), matters watches supervised matters
(`services/matters/sweeps.py`); what is due is each one's own pure function."""

import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from pymongo.errors import DuplicateKeyError

from .clock import isoformat
from .events import event_id_for, make_event


@dataclass
class Alert:
    key: str  # unique to what the alert is about: emitting it twice is impossible
    type: str
    kind: str
    data: dict = field(default_factory=dict)


def emit(db, publisher, now, alert, case_id=None, units=(), actor="supervision"):
    """Record `alert` under its unique key, publish it, and mark it published. An alert found
    recorded but not marked (its emitter died in between) is published now, with the same
    event id. Returns True if this call published it."""
    event = make_event(
        alert.type,
        now=now,
        case_id=case_id,
        units=units,
        actor=actor,
        data={"kind": alert.kind, **alert.data},
        event_id=event_id_for(alert.key),
    )
    try:
        db.alerts_sent.insert_one(
            {"_id": alert.key, "event": event, "at": now, "case_id": case_id, "type": alert.type}
        )
    except DuplicateKeyError:
        if db.alerts_published.find_one({"_id": alert.key}):
            return False
        event = db.alerts_sent.find_one({"_id": alert.key})["event"]
    publisher.publish(event)
    try:
        db.alerts_published.insert_one({"_id": alert.key, "at": now})
    except DuplicateKeyError:
        return False
    return True


def claim(db, clock_id, wake, holder, real_now, lease):
    """Claim one wake of one clock: a unique insert (cheap on both stores); a claim whose
    holder died is taken over once it expires (a compare-and-set, only then)."""
    key = f"{clock_id}@{isoformat(wake)}"
    try:
        db.clock_claims.insert_one(
            {"_id": key, "holder": holder, "until": real_now + lease, "at": real_now}
        )
        return True
    except DuplicateKeyError:
        doc = db.clock_claims.find_one({"_id": key})
        if doc is None or doc["until"] >= real_now:
            return False
        return (
            db.clock_claims.update_one(
                {"_id": key, "until": doc["until"]},
                {"$set": {"holder": holder, "until": real_now + lease}},
            ).modified_count
            == 1
        )


def sweep(db, clocks, process, now, real_now, holder, batch, lease_seconds, workers=8):
    """Process every running clock of collection `clocks` due by `now`: `process(clock)` emits
    what is due and returns (alerts emitted, next_at or None to stop the clock). Replicas
    share the work: each wake of each clock is claimed by one of them; a dead replica's
    claims expire (real time). Within a replica, `workers` clocks are handled at once.
    A clock whose `next_at` a writer moved meanwhile keeps the writer's (earlier) wake."""
    stats = {"clocks": 0, "alerts": 0}
    lease = timedelta(seconds=lease_seconds)
    seen: set[tuple[str, object]] = set()

    def handle(stub):
        if not claim(db, stub["_id"], stub["next_at"], holder, real_now, lease):
            return None  # another replica has it
        clock = clocks.find_one({"_id": stub["_id"]})
        sent, next_at = process(clock)
        update = {"next_at": next_at} if next_at else {"state": "stopped", "next_at": None}
        clocks.update_one({"_id": clock["_id"], "next_at": stub["next_at"]}, {"$set": update})
        return sent

    with ThreadPoolExecutor(max_workers=workers) as pool:
        while True:
            due = [
                c
                for c in clocks.find(
                    {"state": "running", "next_at": {"$lte": now}}, {"_id": 1, "next_at": 1}
                ).limit(batch)
                if (c["_id"], c["next_at"]) not in seen
            ]
            random.shuffle(due)  # replicas start at different places
            seen.update((c["_id"], c["next_at"]) for c in due)
            for sent in pool.map(handle, due):
                if sent is not None:
                    stats["clocks"] += 1
                    stats["alerts"] += sent
            if len(due) < batch:
                return stats


def forget_old_claims(db, real_now, keep=timedelta(days=1)):
    return db.clock_claims.delete_many({"at": {"$lt": real_now - keep}}).deleted_count
