"""Deliveries: one document per (event, channel, recipient) — or (event, webhook) — in
`deliveries`, created before anything is sent, so that a message is never sent twice however
often its event arrives or however many notify replicas see it, and every attempt and its
outcome is on record (docs/contract.md §8).

    pending ─claim─▶ sending ─ok─▶ sent
                        ├─error─▶ retrying ─(back-off)─▶ sending …  ─last try─▶ dead
                        ├─permanent error─▶ failed
                        └─channel not configured─▶ skipped
    dead ─replay (admin)─▶ pending

`delivery_due` holds the ids of deliveries not yet settled, with when to try next: the poller
reads that small collection, never the whole log (docs/platform.md §4). A sender claims a
delivery with a compare-and-set and a real-time expiry, so a sender that dies lets go and
another one retries.

Once a channel has taken a message, the write of the outcome is retried until the store takes
it (`until_stored`): a store outage after a send must not leave the delivery `sending`, to
be sent again when its claim runs out. What can still send a message twice: the sender dying
(or the store staying away longer than the claim, LX_DELIVERY_CLAIM_SECONDS) between the
channel taking the message and the outcome being written. Each channel is then given the
delivery id so the other side can drop the repeat: the SMS gateway's `ref`, the webhook's
`X-Lianxin-Delivery`, the mail's `Message-ID` (SMTP servers do not drop repeats; some mail
clients hide them). The inbox writes by delivery id and cannot show a message twice.
"""

import logging
import random
import time
from datetime import timedelta

from pymongo import ReturnDocument, UpdateOne
from pymongo.errors import BulkWriteError, ConnectionFailure

from lianxin import settings

from .channels import Permanent, Skipped

log = logging.getLogger(__name__)
UNSETTLED = ("pending", "retrying")


def message_key(event_id, channel, recipient):
    return f"{event_id}:{channel}:{recipient}"


def webhook_key(subscription_id, event_id):
    return f"wh:{subscription_id}:{event_id}"


def backoff(attempts, base=None, factor=None, jitter=None, rng=random.random):
    """Seconds to wait after the `attempts`-th failed try: base·factor^(attempts-1) ± jitter."""
    base = settings.DELIVERY_BACKOFF_BASE if base is None else base
    factor = settings.DELIVERY_BACKOFF_FACTOR if factor is None else factor
    jitter = settings.DELIVERY_JITTER if jitter is None else jitter
    delay = base * factor ** max(attempts - 1, 0)
    return delay * (1 + jitter * (2 * rng() - 1))


def until_stored(write, what, pause=0.5, max_pause=5, sleep=time.sleep):
    """Run `write()` until the store takes it (the store being unreachable is the only
    failure waited out; any other error is raised)."""
    while True:
        try:
            return write()
        except ConnectionFailure as exc:
            log.warning(
                "%s not recorded yet (%s); trying again in %.1f s", what, type(exc).__name__, pause
            )
            sleep(pause)
            pause = min(pause * 2, max_pause)


def create(db, now, doc):
    """Record a delivery (once: the same key again is a no-op) and mark it due now.
    Returns True when this call created it."""
    return doc["_id"] in create_many(db, now, [doc])


# A bulk of upserts goes in pieces: upstream FerretDB 1.24.2 held a SQLite connection per
# statement of an update command until the command ended (decision 0031; our patch 0010
# closes each when its statement is done), and a short command holds the write lock briefly.
BULK_PIECE = 50


def create_many(db, now, docs, claim=False):
    """Record deliveries, each once (a key already recorded is left as it is), with three
    writes for the lot: their due marks, the cases' delivery logs, the deliveries. With
    `claim`, those this call creates are recorded claimed by the caller (`sending`, until
    the claim runs out), so the caller sends them without a claim of its own; should it die
    first, the due mark lets the poller send them once the claim has run out, as after any
    claim. Returns {key: the document stored} of those this call created."""
    base = {"status": "pending", "attempts": 0, "created_at": now, "history": []}
    # One document per key: the first of a key wins, as if each were created in turn.
    first = {}
    for d in docs:
        first.setdefault(d["_id"], {**base, **d})
    docs = list(first.values())
    if not docs:
        return {}
    # Due first: a crash between the writes leaves a due mark without a delivery (the
    # poller drops it), never a pending delivery nobody will send. A delivery recorded
    # settled (no template) needs no mark.
    due_marks = [
        UpdateOne({"_id": d["_id"]}, {"$setOnInsert": {"at": now}}, upsert=True)
        for d in docs
        if d["status"] in UNSETTLED
    ]
    for i in range(0, len(due_marks), BULK_PIECE):
        db.delivery_due.bulk_write(due_marks[i : i + BULK_PIECE], ordered=False)
    by_case = {}
    for d in docs:
        if d.get("case_id"):  # the case's delivery log lists it (readers skip unknown ids)
            by_case.setdefault(d["case_id"], []).append(d["_id"])
    for case_id, keys in by_case.items():
        db.case_deliveries.update_one(
            {"_id": case_id}, {"$addToSet": {"ids": {"$each": keys}}}, upsert=True
        )
    if claim:
        until = now + timedelta(seconds=settings.DELIVERY_CLAIM_SECONDS)
        for d in docs:
            if d["status"] == "pending":
                d.update(status="sending", claimed_until=until)
    refused = set()
    try:
        db.deliveries.insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        for error in exc.details.get("writeErrors", []):
            if error.get("code") != 11000:
                raise
            refused.add(docs[error["index"]]["_id"])
    return {d["_id"]: d for d in docs if d["_id"] not in refused}


def due(db, now, limit=200):
    """Ids of deliveries whose next try is due."""
    return [
        d["_id"] for d in db.delivery_due.find({"at": {"$lte": now}}).sort("at", 1).limit(limit)
    ]


def claim(db, now, key):
    return db.deliveries.find_one_and_update(
        {
            "_id": key,
            "$or": [
                {"status": {"$in": list(UNSETTLED)}},
                {"status": "sending", "claimed_until": {"$lt": now}},
            ],
        },
        {
            "$set": {
                "status": "sending",
                "claimed_until": now + timedelta(seconds=settings.DELIVERY_CLAIM_SECONDS),
            }
        },
        return_document=ReturnDocument.AFTER,
    )


def attempt(db, now, key, send, max_attempts=None, claimed=None):
    """Claim delivery `key` and run `send(delivery)` once (`claimed`: the delivery as
    `create_many` recorded it claimed by this caller, so no claim is asked for). Returns the
    new status, or None when the delivery is not ours to send (settled, or another sender
    holds it). A citizen's settled message keeps its subject but not its text (it may hold
    what the citizen wrote); a dead one keeps it for the admin's replay."""
    delivery = claimed if claimed is not None else claim(db, now, key)
    if delivery is None:
        current = db.deliveries.find_one({"_id": key})
        if current is None or current["status"] != "sending":
            db.delivery_due.delete_one({"_id": key})  # settled: nothing left to do
        return None
    max_attempts = max_attempts or settings.DELIVERY_MAX_ATTEMPTS
    attempts = delivery["attempts"] + 1
    entry = {"at": now, "attempt": attempts}
    forget = delivery.get("recipient_kind") == "citizen"
    try:
        send(delivery)
    except Skipped as exc:
        return _settle(db, key, "skipped", attempts, {**entry, "error": str(exc)}, forget)
    except Permanent as exc:
        log.warning("delivery %s failed for good: %s", key, exc)
        return _settle(db, key, "failed", attempts, {**entry, "error": str(exc)}, forget)
    except Exception as exc:  # the other side did not take it: try again later
        error = f"{type(exc).__name__}: {exc}"[:500]
        if attempts >= max_attempts:
            log.warning("delivery %s dead after %d tries: %s", key, attempts, error)
            return _settle(db, key, "dead", attempts, {**entry, "error": error})
        next_at = now + timedelta(seconds=backoff(attempts))

        def record_retry():
            db.deliveries.update_one(
                {"_id": key},
                {
                    "$set": {
                        "status": "retrying",
                        "attempts": attempts,
                        "last_error": error,
                        "next_attempt_at": next_at,
                    },
                    "$push": {"history": {**entry, "error": error}},
                },
            )
            db.delivery_due.update_one({"_id": key}, {"$set": {"at": next_at}}, upsert=True)

        until_stored(record_retry, f"retry of delivery {key}")
        return "retrying"
    return _settle(db, key, "sent", attempts, {**entry, "ok": True}, forget, sent_at=now)


def _settle(db, key, status, attempts, entry, forget=False, **extra):
    fields = {"status": status, "attempts": attempts, **extra}
    if entry.get("error"):
        fields["last_error"] = entry["error"]
    unset = {"next_attempt_at": ""}
    if forget:
        unset["content"] = ""

    def record():
        db.deliveries.update_one(
            {"_id": key}, {"$set": fields, "$push": {"history": entry}, "$unset": unset}
        )
        db.delivery_due.delete_one({"_id": key})

    until_stored(record, f"outcome ({status}) of delivery {key}")
    return status


def replay(db, now, key):
    """A dead (or failed) delivery goes back to pending, with its attempts counted afresh."""
    updated = db.deliveries.find_one_and_update(
        {"_id": key, "status": {"$in": ["dead", "failed"]}},
        {"$set": {"status": "pending", "attempts": 0, "replayed_at": now}, "$inc": {"replays": 1}},
        return_document=ReturnDocument.AFTER,
    )
    if updated is not None:
        db.delivery_due.update_one({"_id": key}, {"$set": {"at": now}}, upsert=True)
    return updated
