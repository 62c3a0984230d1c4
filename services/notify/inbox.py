"""The in-app inbox, stored so that reading it touches only the messages read.

Each user's messages are numbered 1, 2, 3 …: message 42 of `env_handler` is
`inbox["env_handler:000000000042"]`, and `inbox_head[<user>]` holds the last number and the
unread count. A page is read newest first, one `_id` lookup per message — the cheapest read
on either store (docs/platform.md §4). `inbox_refs[<delivery id>]` names the message a
delivery became, so a second send of the same delivery (a retry, a crash) is the same
message; a number taken by a write that never finished is skipped.
"""

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError


def message_id(user, seq):
    return f"{user}:{seq:012d}"


def put(db, user, ref, fields):
    """Deliver message `ref` to `user` once; True when this call delivered it."""
    known = db.inbox_refs.find_one({"_id": ref})
    if known is None:
        head = db.inbox_head.find_one_and_update(
            {"_id": user}, {"$inc": {"seq": 1}}, upsert=True, return_document=ReturnDocument.AFTER
        )
        key = message_id(user, head["seq"])
        if (
            db.inbox_refs.update_one(
                {"_id": ref}, {"$setOnInsert": {"key": key}}, upsert=True
            ).upserted_id
            is None
        ):
            known = db.inbox_refs.find_one({"_id": ref})  # another sender was first
    key = known["key"] if known else key
    try:
        db.inbox.insert_one(
            {
                **fields,
                "_id": key,
                "ref": ref,
                "user": user,
                "seq": int(key.rsplit(":", 1)[1]),
                "read": False,
            }
        )
    except DuplicateKeyError:
        return False
    db.inbox_head.update_one({"_id": user}, {"$inc": {"unread": 1}})
    return True


def page(db, user, unread_only=False, limit=50, max_scan=None):
    """(messages newest first, unread count)."""
    head = db.inbox_head.find_one({"_id": user}) or {}
    max_scan = max_scan or limit * 20
    found, seq = [], head.get("seq", 0)
    while seq > 0 and len(found) < limit and max_scan > 0:
        message = db.inbox.find_one({"_id": message_id(user, seq)})
        if message and not (unread_only and message["read"]):
            found.append(message)
        seq, max_scan = seq - 1, max_scan - 1
    return found, max(head.get("unread", 0), 0)


def mark_read(db, user, key, now):
    """True when `user` has message `key` (read now, or before)."""
    result = db.inbox.update_one(
        {"_id": key, "user": user, "read": False}, {"$set": {"read": True, "read_at": now}}
    )
    if result.modified_count:
        db.inbox_head.update_one({"_id": user}, {"$inc": {"unread": -1}})
        return True
    return db.inbox.find_one({"_id": key, "user": user}, {"_id": 1}) is not None


def upgrade(db):
    """Number the messages of an inbox written before the numbering (once per store)."""
    if db.upgrades.find_one({"_id": "inbox-numbered"}):
        return 0
    old = list(db.inbox.find({"seq": {"$exists": False}}).sort("created_at", 1))
    for m in old:
        fields = {k: v for k, v in m.items() if k not in ("_id", "user", "read")}
        if put(db, m["user"], m["_id"], fields) and m["read"]:
            mark_read(
                db,
                m["user"],
                db.inbox_refs.find_one({"_id": m["_id"]})["key"],
                m.get("read_at") or m.get("created_at"),
            )
        db.inbox.delete_one({"_id": m["_id"]})
    db.upgrades.update_one({"_id": "inbox-numbered"}, {"$set": {"messages": len(old)}}, upsert=True)
    return len(old)
