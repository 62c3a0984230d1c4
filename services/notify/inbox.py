"""The in-app inbox, stored so that reading it touches only the messages read.

A message is `inbox[<delivery id>]` (so a second send of the same delivery is the same
message). Each user's messages are also numbered 1, 2, 3 …: `inbox_head[<user>]` holds the
last number and the unread count, `inbox_seq["<user>:000000000042"]` points at message 42.
A page is read newest first, one `_id` lookup per number — the lookup the store serves from
its index (STACK.md: any other filter reads the whole collection on FerretDB). A number
whose message never got written (a crash between the two writes) is skipped; the message
keeps the number it was written with, so it is listed once.
"""
from pymongo import ReturnDocument


def _pointer(user, seq):
    return f"{user}:{seq:012d}"


def put(db, user, ref, fields):
    """Deliver message `ref` to `user` once; True when this call delivered it."""
    if db.inbox.find_one({"_id": ref}, {"_id": 1}) is not None:
        return False
    head = db.inbox_head.find_one_and_update({"_id": user}, {"$inc": {"seq": 1}}, upsert=True,
                                             return_document=ReturnDocument.AFTER)
    seq = head["seq"]
    db.inbox_seq.update_one({"_id": _pointer(user, seq)}, {"$setOnInsert": {"ref": ref}},
                            upsert=True)
    result = db.inbox.update_one({"_id": ref}, {"$setOnInsert": {
        **fields, "user": user, "seq": seq, "read": False}}, upsert=True)
    if result.upserted_id is None:
        return False
    db.inbox_head.update_one({"_id": user}, {"$inc": {"unread": 1}})
    return True


def page(db, user, unread_only=False, limit=50, max_scan=None):
    """(messages newest first, unread count)."""
    head = db.inbox_head.find_one({"_id": user}) or {}
    max_scan = max_scan or limit * 20
    found, seq = [], head.get("seq", 0)
    while seq > 0 and len(found) < limit and max_scan > 0:
        pointer = db.inbox_seq.find_one({"_id": _pointer(user, seq)})
        message = pointer and db.inbox.find_one({"_id": pointer["ref"]})
        if message and message.get("seq") == seq and not (unread_only and message["read"]):
            found.append(message)
        seq, max_scan = seq - 1, max_scan - 1
    return found, max(head.get("unread", 0), 0)


def mark_read(db, user, message_id, now):
    """True when `user` has message `message_id` (read now, or before)."""
    result = db.inbox.update_one({"_id": message_id, "user": user, "read": False},
                                 {"$set": {"read": True, "read_at": now}})
    if result.modified_count:
        db.inbox_head.update_one({"_id": user}, {"$inc": {"unread": -1}})
        return True
    return db.inbox.find_one({"_id": message_id, "user": user}, {"_id": 1}) is not None


def upgrade(db):
    """Number the messages of an inbox written before the numbering (once per store)."""
    if db.upgrades.find_one({"_id": "inbox-numbered"}):
        return 0
    old = list(db.inbox.find({"seq": {"$exists": False}}).sort("created_at", 1))
    for m in old:
        head = db.inbox_head.find_one_and_update(
            {"_id": m["user"]}, {"$inc": {"seq": 1, "unread": 0 if m["read"] else 1}},
            upsert=True, return_document=ReturnDocument.AFTER)
        db.inbox_seq.update_one({"_id": _pointer(m["user"], head["seq"])},
                                {"$setOnInsert": {"ref": m["_id"]}}, upsert=True)
        db.inbox.update_one({"_id": m["_id"]}, {"$set": {"seq": head["seq"]}})
    db.upgrades.update_one({"_id": "inbox-numbered"}, {"$set": {"messages": len(old)}},
                           upsert=True)
    return len(old)
