"""The outbox: an event is written into the document (a case, an alert) in the same update as the
change it reports, then published, then removed. A crash between the write and the publish leaves it
in the document, and `relay` publishes it later. Consumers dedupe on event_id, so an event published
twice (a crash after publishing, before removing) does no harm.

So that the relay reads only what may be stranded, not every case (an unpatched FerretDB
reads a whole collection for any filter but an `_id` equality, docs/platform.md §4), a writer
first leaves a note in `outbox_due` under "<collection>:<id>" (`mark`), and the flush that
empties the document's outbox removes the note — the note it wrote itself (its token): a note
a later writer has just renewed stays. The relay reads the notes older than the grace period,
a small collection of what is in flight.
"""

import logging
import uuid
from datetime import timedelta

log = logging.getLogger(__name__)
# The collections whose documents carry an outbox (before the notes, the relay read them all).
COLLECTIONS = ("cases", "alerts", "matters")


def _note(collection, doc_id):
    return f"{collection}:{doc_id}"


def mark(db, doc_id, now, collection="cases"):
    """Before a write that adds events to a document's outbox: note that the document may
    have events to relay. Returns the note's token, for `flush`."""
    token = uuid.uuid4().hex
    db.outbox_due.update_one(
        {"_id": _note(collection, doc_id)},
        {"$set": {"collection": collection, "doc": doc_id, "at": now, "token": token}},
        upsert=True,
    )
    return token


def with_events(update, events, now):
    """Add `events` to a Mongo update document so they are stored atomically with it."""
    update = dict(update)
    update.setdefault("$push", {})["outbox"] = {"$each": list(events)}
    update.setdefault("$set", {})["outbox_since"] = now
    return update


def flush(db, publisher, doc_id, events, collection="cases", token=None):
    """Publish events already stored in a document's outbox, then remove them; once the
    outbox is empty, remove the note `token` (if it is still that one). In the usual case —
    the outbox holds just these events — the removal is one write that also says the outbox
    is empty. A crash after a publish leaves the events in the outbox: the relay publishes
    them again, the same envelopes (consumers dedupe on event_id)."""
    coll = db[collection]
    events = list(events)
    for event in events:
        publisher.publish(event)
    # $pullAll with the whole envelopes: FerretDB ignores a $pull by condition (silently),
    # while both stores remove an exactly equal document.
    emptied = coll.update_one(
        {"_id": doc_id, "outbox": {"$size": len(events)}},
        {"$pullAll": {"outbox": events}, "$unset": {"outbox_since": ""}},
    ).modified_count
    if not emptied:  # others' events are in it too (or already gone): ours only, then look
        coll.update_one({"_id": doc_id}, {"$pullAll": {"outbox": events}})
        emptied = coll.update_one(
            {"_id": doc_id, "outbox": {"$size": 0}}, {"$unset": {"outbox_since": ""}}
        ).matched_count
    if emptied and token:
        db.outbox_due.delete_one({"_id": _note(collection, doc_id), "token": token})


def relay(db, publisher, now, grace_seconds, limit=500):
    """Publish what a crashed writer left behind. Returns how many events were published."""
    cutoff = now - timedelta(seconds=grace_seconds)
    _note_old_outboxes(db, cutoff)
    sent = 0
    for note in db.outbox_due.find({"at": {"$lt": cutoff}}).limit(limit):
        doc = db[note["collection"]].find_one({"_id": note["doc"]}, {"outbox": 1})
        pending = (doc or {}).get("outbox") or []
        if not pending:  # flushed (or the write never happened): the note is done
            db.outbox_due.delete_one({"_id": note["_id"], "token": note["token"]})
            continue
        log.info("relaying %d stranded event(s) of %s", len(pending), note["_id"])
        flush(db, publisher, note["doc"], pending, note["collection"], note["token"])
        sent += len(pending)
    return sent


def _note_old_outboxes(db, cutoff):
    """Once per store: notes for outboxes written before there were notes (one full read)."""
    if db.upgrades.find_one({"_id": "outbox-notes"}):
        return
    for collection in COLLECTIONS:
        for doc in db[collection].find({"outbox_since": {"$lt": cutoff}}, {"outbox_since": 1}):
            db.outbox_due.update_one(
                {"_id": _note(collection, doc["_id"])},
                {
                    "$setOnInsert": {
                        "collection": collection,
                        "doc": doc["_id"],
                        "at": doc["outbox_since"],
                        "token": uuid.uuid4().hex,
                    }
                },
                upsert=True,
            )
    db.upgrades.update_one({"_id": "outbox-notes"}, {"$set": {"at": cutoff}}, upsert=True)
