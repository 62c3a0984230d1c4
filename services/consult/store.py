"""consult's writes: each change and the events reporting it go into the document in one
update (the outbox, `lianxin/outbox.py`), under a compare-and-set on the document's version,
then the events are published; a crash between the two leaves them for the relay."""

import hashlib
import hmac
import logging

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from lianxin import outbox
from lianxin.errors import NotFound, WrongState

log = logging.getLogger(__name__)
SKIP = ("_id", "outbox", "outbox_since", "version")


def derived_id(prefix, *parts, secret=""):
    """An id made from what identifies the thing (a request key, a contact, a token), so the
    same request or the same person lands on the same document: a retry is not a second
    comment, a second answer from one contact is refused by the unique `_id`."""
    key = "\x1f".join(str(p) for p in parts).encode()
    digest = hmac.new(secret.encode(), key, hashlib.sha256).hexdigest()[:24]
    return f"{prefix}-{digest}"


def get(db, collection, doc_id, what="item"):
    doc = db[collection].find_one({"_id": doc_id}) if isinstance(doc_id, str) else None
    if doc is None:
        raise NotFound(f"no {what} {doc_id}", {})
    return doc


def _publish(db, publisher, collection, doc_id, events, token):
    try:
        outbox.flush(db, publisher, doc_id, events, collection, token)
    except Exception:  # stored with the change: the relay publishes them later
        log.warning("events of %s:%s not published yet", collection, doc_id, exc_info=True)


def insert(db, publisher, now, collection, doc, events):
    """Insert `doc` with its events; False (and nothing written) when its `_id` exists."""
    if not events:
        try:
            db[collection].insert_one({**doc, "version": 1})
        except DuplicateKeyError:
            return False
        return True
    token = outbox.mark(db, doc["_id"], now, collection)
    try:
        db[collection].insert_one(
            {**doc, "version": 1, "outbox": list(events), "outbox_since": now}
        )
    except DuplicateKeyError:
        return False
    _publish(db, publisher, collection, doc["_id"], events, token)
    return True


def save(db, publisher, now, collection, before, after, events=()):
    """Write what changed from `before` to `after` if nobody wrote in between (409 if they
    did), with `events`; returns the stored document."""
    changed = {k: v for k, v in after.items() if k not in SKIP and before.get(k) != v}
    update = {"$set": changed, "$inc": {"version": 1}}
    token = None
    if events:
        token = outbox.mark(db, before["_id"], now, collection)
        update = outbox.with_events(update, events, now)
    if not changed and not events:
        return before
    doc = db[collection].find_one_and_update(
        {"_id": before["_id"], "version": before.get("version", 1)},
        update,
        return_document=ReturnDocument.AFTER,
    )
    if doc is None:
        raise WrongState("someone changed this first; reload and try again", {})
    if events:
        _publish(db, publisher, collection, before["_id"], events, token)
    return doc


def flag(db, publisher, now, collection, doc_id, condition, fields, events):
    """Set `fields` where `condition` still holds, with `events`, without touching the
    version: the sweeps' marks (a period noted closed) must not make a person's
    compare-and-set fail. True if this call set them."""
    token = outbox.mark(db, doc_id, now, collection)
    update = outbox.with_events({"$set": fields}, events, now)
    done = db[collection].update_one({"_id": doc_id, **condition}, update).modified_count
    if done:
        _publish(db, publisher, collection, doc_id, events, token)
    else:
        db.outbox_due.delete_one({"_id": f"{collection}:{doc_id}", "token": token})
    return bool(done)


def finish(db, publisher, collection, doc):
    """Publish what a crashed earlier try of this same request left in the outbox."""
    if doc.get("outbox"):
        _publish(db, publisher, collection, doc["_id"], doc["outbox"], None)
