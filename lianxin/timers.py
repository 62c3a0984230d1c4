"""Durable timers shared by every service that watches deadlines (docs/decisions/0008): a
collection of clocks whose `next_at` is the next moment anything can fall due, swept by every
replica, each wake claimed by one of them (a unique insert with an expiry on real time), and
every alert recorded under its unique key before it is published — so nothing is sent twice
and a replica killed mid-sweep leaves work another finishes. Supervision watches cases with
it (`services/supervision/sweeps.py`), matters watches supervised matters
(`services/matters/handlers.py`); what is due is each one's own pure function.

The sweep works in chunks (docs/decisions/0031): the due clocks are read a page at a time
(the `state, next_at` index), a chunk's wakes claimed with one unordered insert, its alerts'
records read with one `_id $in` (served by the `_id` index on both stores) and the new ones
recorded with one unordered insert (decision 0045), then published `PUBLISH_BATCH` at a
time, each batch with one round of publisher confirms and marked published with one insert,
and its clocks moved by bulk writes of `BULK_UPDATES` — a handful of round trips per chunk
instead of eight per clock."""

import json
import random
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError

from .clock import isoformat
from .events import event_id_for, make_event

DUPLICATE_KEY = 11000
# Clock updates per update command. Upstream FerretDB 1.24.2 kept each statement's SQLite
# connection until the command ended and its pool has 100, so a command of 100 statements
# stalled the store (decision 0031: pieces of 50). Our patch 0010 closes each statement's
# query when it is done, and reads a run of statements by `_id` with one query and writes it
# in one transaction (decision 0044): a chunk's clocks go in one command.
BULK_UPDATES = 250
# Alerts published then marked per round of confirms: what a replica killed between the two
# leaves to be published again (same event ids). Before each round the chunk checks that its
# claims are still its own (renewing them when past half their lease), and a round may take
# at most half the lease, retry included: a claim cannot run out while its alerts go out.
PUBLISH_BATCH = 100


@dataclass
class Alert:
    key: str  # unique to what the alert is about: emitting it twice is impossible
    type: str
    kind: str
    data: dict = field(default_factory=dict)


@dataclass
class Outgoing:
    """An alert with what its event says besides: the case, the units, who raised it."""

    alert: Alert
    case_id: str | None = None
    units: Sequence[str] = ()
    actor: str = "supervision"


@dataclass
class Due:
    """What one claimed clock owes now: the alerts, its next wake (None stops the clock), and
    a write to make once its alerts are published (matters flags a risky matter)."""

    alerts: list[Outgoing]
    next_at: datetime | None
    after: Callable[[], object] | None = None


def insert_new(collection, docs):
    """Insert `docs` with one unordered insert; returns the `_id`s that were already there
    (the unique key held by someone else). Any other write error is raised."""
    if not docs:
        return set()
    try:
        collection.insert_many(docs, ordered=False)
        return set()
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        return {docs[e["index"]]["_id"] for e in errors}


def event_of(now, out):
    """The event an alert is published as (its id derived from the alert's key)."""
    return make_event(
        out.alert.type,
        now=now,
        case_id=out.case_id,
        units=out.units,
        actor=out.actor,
        data={"kind": out.alert.kind, **out.alert.data},
        event_id=event_id_for(out.alert.key),
    )


def emit_many(db, publisher, now, outgoing, still_mine=lambda: True, publish_timeout=30.0):
    """Record every alert under its unique key, publish those not yet published and mark them
    published, `PUBLISH_BATCH` at a time (one round of confirms and one small insert each).
    The keys already recorded are read first (one `_id $in`) and only the others inserted
    (one unordered insert): a sweep meets the alerts it sent before at every wake (the latest
    supervision notice stays due), and a refused duplicate costs the local store five times
    a new record (decision 0045). An alert found recorded but not marked (its emitter died in
    between) is published now, with the event it was recorded with (same event id).
    `still_mine()` is asked before each batch: False leaves the recorded alerts not yet
    published to whoever holds the work now (and returns None); a batch not confirmed within
    `publish_timeout` seconds raises, leaving them the same way. Returns how many this call
    published.

    The mark of a batch this call recorded is one document for the batch (`alerts_published`,
    `_id` the batch id that each alert's record carries, decision 0043); an alert another
    emitter recorded is marked under its own key, as every alert was before."""
    by_key: dict[str, Outgoing] = {}
    for out in outgoing:
        by_key.setdefault(out.alert.key, out)
    if not by_key:
        return 0
    keys = list(by_key)
    recorded = _records(db, keys)
    new = [k for k in keys if k not in recorded]
    events = {k: event_of(now, by_key[k]) for k in new}
    # An alert's record keeps its event as the JSON text it is published as (decision 0043):
    # a text costs the store far less to write and read than the same event as a document.
    texts = {k: json.dumps(events[k], ensure_ascii=False) for k in new}
    batch_of: dict[str, str] = {}
    for first in range(0, len(new), PUBLISH_BATCH):
        batch = f"batch:{uuid.uuid4().hex}"
        batch_of.update((k, batch) for k in new[first : first + PUBLISH_BATCH])
    taken = insert_new(
        db.alerts_sent,
        [
            {
                "_id": k,
                "event": texts[k],
                "at": now,
                "case_id": by_key[k].case_id,
                "type": events[k]["type"],
                "batch": batch_of[k],
            }
            for k in new
        ],
    )
    if taken:  # recorded by another emitter since the read
        recorded.update(_records(db, list(taken)))
    rounds = []  # (keys, the marks once they are published)
    fresh: dict[str, list[str]] = {}
    for k in new:
        if k not in taken:
            fresh.setdefault(batch_of[k], []).append(k)
    rounds += [(part, [{"_id": batch, "at": now}]) for batch, part in fresh.items()]
    before = [k for k in keys if k in recorded or k in taken]
    if before:
        unmarked = _unmarked(db, {k: recorded.get(k, {}).get("batch") for k in before})
        left = [k for k in before if k in unmarked]
        with_events = _records(db, [k for k in left if k in recorded], {"event": 1})
        for k in left:
            events[k] = (
                recorded_event(with_events[k]) if k in with_events else event_of(now, by_key[k])
            )
            texts[k] = json.dumps(events[k], ensure_ascii=False)
        rounds += [
            (part, [{"_id": k, "at": now} for k in part])
            for part in (left[i : i + PUBLISH_BATCH] for i in range(0, len(left), PUBLISH_BATCH))
        ]
    if not still_mine():
        return None
    sent = 0
    for i, (part, marks) in enumerate(rounds):
        if i and not still_mine():
            return None  # the rest stays recorded, for whoever holds the work now
        publisher.publish_many(
            [events[k] for k in part], timeout=publish_timeout, texts=[texts[k] for k in part]
        )
        # (an alert another emitter marked meanwhile under its key is not counted twice)
        sent += len(part) - len(insert_new(db.alerts_published, marks) & set(part))
    return sent


def _records(db, keys, fields=None):
    """{key: its record, `fields` of it (its batch id)} of the alerts of `keys` already
    recorded. The event is read only for what is published again, rarely: an alert met again
    was nearly always published and marked."""
    found = {}
    for i in range(0, len(keys), 1000):
        part = keys[i : i + 1000]
        query = db.alerts_sent.find({"_id": {"$in": part}}, fields or {"batch": 1})
        for d in query.batch_size(len(part)):
            found[d["_id"]] = d
    return found


def recorded_event(record):
    """The event of an alert's record (`alerts_sent`): a JSON text, or a document in records
    written before decision 0043."""
    event = record["event"]
    return json.loads(event) if isinstance(event, str) else event


def unpublished(db, keys=None):
    """The keys of the alerts recorded but not marked published (all, or of `keys`): what a
    replica that died between the two left to be sent. For tests and for an operator; it
    reads every record when `keys` is None."""
    query = {} if keys is None else {"_id": {"$in": list(keys)}}
    records = db.alerts_sent.find(query, {"batch": 1})
    return _unmarked(db, {d["_id"]: d.get("batch") for d in records})


def _unmarked(db, batch_of):
    """The keys of `batch_of` ({alert key: its record's batch id or None}) marked published
    neither under the key nor under the batch id."""
    ids = list(set(batch_of) | {b for b in batch_of.values() if b})
    marked = set()
    for i in range(0, len(ids), 1000):
        part = ids[i : i + 1000]
        found = db.alerts_published.find({"_id": {"$in": part}}, {"_id": 1}).batch_size(len(part))
        marked |= {d["_id"] for d in found}
    return {k for k, b in batch_of.items() if k not in marked and b not in marked}


def claim_key(clock_id, wake):
    return f"{clock_id}@{isoformat(wake)}"


def claim_many(db, stubs, holder, real_now, lease):
    """Claim the wakes `stubs` (`_id`, `next_at`) with one unordered insert; a wake already
    claimed is another replica's unless its claim expired (real time), which is taken over
    by a compare-and-set, only then. Returns the stubs this call holds."""
    keys = {claim_key(s["_id"], s["next_at"]): s for s in stubs}
    until = real_now + lease
    taken = insert_new(
        db.clock_claims,
        [{"_id": k, "holder": holder, "until": until, "at": real_now} for k in keys],
    )
    held = [s for k, s in keys.items() if k not in taken]
    if taken:
        for doc in db.clock_claims.find({"_id": {"$in": list(taken)}}):
            if doc["until"] < real_now:
                moved = db.clock_claims.update_one(
                    {"_id": doc["_id"], "until": doc["until"]},
                    {"$set": {"holder": holder, "until": until}},
                ).modified_count
                if moved == 1:
                    held.append(keys[doc["_id"]])
    return held


def sweep(
    db, clocks, publisher, plan, now, real_now, holder, batch, lease_seconds, chunk=250, workers=2
):
    """Process every running clock of collection `clocks` due by `now`, `chunk` clocks at a
    time, `workers` chunks at once: `plan(clocks)` reads what it needs for a chunk of claimed
    clocks at once and returns {clock id: Due}. Replicas share the work: each wake of each
    clock is claimed by one of them; a dead replica's claims expire (real time). A chunk past
    half its lease renews its claims before publishing; one whose claims another replica took
    over meanwhile is left alone (its recorded alerts are published by whoever holds the wakes
    now). A clock whose `next_at` a writer moved meanwhile keeps the writer's (earlier) wake.
    Returns {"clocks": handled, "alerts": published}."""
    lease = timedelta(seconds=lease_seconds)
    seen: set[tuple[str, object]] = set()
    started = time.monotonic()

    def real():  # real_now, moved on by the time this sweep has taken
        return real_now + timedelta(seconds=time.monotonic() - started)

    def one_chunk(stubs):
        renewed = [real()]  # the claims made now run until renewed[0] + lease
        held = claim_many(db, stubs, holder, renewed[0], lease)
        if not held:
            return 0, 0
        keys = [claim_key(s["_id"], s["next_at"]) for s in held]

        def still_mine():
            if real() < renewed[0] + lease / 2:
                return True
            renewed[0] = real()
            kept = db.clock_claims.update_many(
                {"_id": {"$in": keys}, "holder": holder}, {"$set": {"until": renewed[0] + lease}}
            ).matched_count
            return kept == len(keys)

        owed = plan(held)
        sent = emit_many(
            db,
            publisher,
            now,
            [o for d in owed.values() for o in d.alerts],
            still_mine,
            publish_timeout=max(lease_seconds / 2, 1.0),  # (a second at least: tests' leases)
        )
        if sent is None:
            return 0, 0  # another replica holds some of these wakes now
        for due in owed.values():
            if due.after is not None:
                due.after()
        ops = []
        for clock in held:
            next_at = owed[clock["_id"]].next_at
            update = {"next_at": next_at} if next_at else {"state": "stopped", "next_at": None}
            ops.append(
                UpdateOne({"_id": clock["_id"], "next_at": clock["next_at"]}, {"$set": update})
            )
        for first in range(0, len(ops), BULK_UPDATES):
            clocks.bulk_write(ops[first : first + BULK_UPDATES], ordered=False)
        return len(held), sent

    stats = {"clocks": 0, "alerts": 0}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while True:
            due = [
                c
                for c in clocks.find({"state": "running", "next_at": {"$lte": now}})
                .limit(batch)
                .batch_size(batch)
                if (c["_id"], c["next_at"]) not in seen
            ]
            random.shuffle(due)  # replicas start at different places
            seen.update((c["_id"], c["next_at"]) for c in due)
            parts = [due[first : first + chunk] for first in range(0, len(due), chunk)]
            for handled, sent in pool.map(one_chunk, parts):
                stats["clocks"] += handled
                stats["alerts"] += sent
            if len(due) < batch:
                return stats


def forget_old_claims(db, real_now, keep=timedelta(days=1)):
    return db.clock_claims.delete_many({"at": {"$lt": real_now - keep}}).deleted_count
