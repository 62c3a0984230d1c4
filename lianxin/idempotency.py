"""At-most-once effects for at-least-once delivery (STACK.md: nameko redelivers after a crash
and on shutdown): a consumer records each event_id it has finished with."""
from pymongo.errors import DuplicateKeyError


def already_done(db, consumer, event_id):
    return db.processed.find_one({"_id": f"{consumer}:{event_id}"}, {"_id": 1}) is not None


def mark_done(db, consumer, event_id, now):
    try:
        db.processed.insert_one({"_id": f"{consumer}:{event_id}", "at": now})
    except DuplicateKeyError:
        pass
