"""The outbox: an event is written into the document (a case, an alert) in the same update as
the change it reports, then published, then removed. A crash between the write and the publish leaves
it in the document, and `relay` publishes it later. Consumers dedupe on event_id, so an event
published twice (a crash after publishing, before removing) does no harm.
"""
import logging
from datetime import timedelta

log = logging.getLogger(__name__)
# The collections whose documents carry an outbox; the relay sweeps them all.
COLLECTIONS = ("cases", "alerts")


def with_events(update, events, now):
    """Add `events` to a Mongo update document so they are stored atomically with it."""
    update = dict(update)
    update.setdefault("$push", {})["outbox"] = {"$each": list(events)}
    update.setdefault("$set", {})["outbox_since"] = now
    return update


def flush(db, publisher, doc_id, events, collection="cases"):
    """Publish events already stored in a document's outbox, and remove each once published."""
    coll = db[collection]
    for event in events:
        publisher.publish(event)
        # The whole envelope, not {"event_id": …}: FerretDB ignores a $pull by condition
        # (silently), while both stores remove an exactly equal document.
        coll.update_one({"_id": doc_id}, {"$pull": {"outbox": event}})
    coll.update_one({"_id": doc_id, "outbox": {"$size": 0}}, {"$unset": {"outbox_since": ""}})


def relay(db, publisher, now, grace_seconds, limit=500):
    """Publish what a crashed writer left behind. Returns how many events were published."""
    cutoff = now - timedelta(seconds=grace_seconds)
    sent = 0
    for collection in COLLECTIONS:
        for doc in db[collection].find({"outbox_since": {"$lt": cutoff}}, {"outbox": 1}) \
                .limit(limit):
            pending = doc.get("outbox") or []
            if pending:
                log.info("relaying %d stranded event(s) of %s", len(pending), doc["_id"])
            flush(db, publisher, doc["_id"], pending, collection)
            sent += len(pending)
    return sent
