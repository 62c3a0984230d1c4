"""The durable event feed (docs/contract.md §9, `GET /api/v1/events?after=<cursor>`) and the webhook
fan-out, fed in bus order by one consumer at a time (see service.JournalConsumer).

The feed is `journal`, one document per event numbered 1, 2, 3 … with no gaps: a writer
inserts at the first free number after `journal_head`, then moves the head. Two writers (a
consumer failing over) both end up with their own numbers, and a crash between the insert and
the head move is repaired by the next write, which finds the number taken. `journal_seen`
maps event_id → number, so an event published twice (the outbox's at-least-once) is recorded
once. A number's document has the string `_id` "000000000001", "000000000002" …: the store
serves an equality on a string `_id` from its index on either store; an unpatched FerretDB
scans for an integer `_id` or a range (docs/platform.md §4). So that a page of the feed is not
a hundred lookups, each event is also copied into its page, `journal_pages["0000000042"]`
(events 4 200 … 4 299, slot "00" … "99"): a page of 100 events is one `_id $in` read of the
one or two documents it is on (served by the `_id` index, decision 0015), at 10 events as at
1 M. A slot a crash left empty is read from `journal`.

A slot holds the event as one JSON text, not as a sub-document: the local store decodes a
document value by value, and a full page of sub-documents took 30–70 ms to read on the 1 M
store against ~7 ms as texts (docs/decisions/0033). A page written before holds
sub-documents; `read` takes either and writes the page's old slots again as text.
"""

import fnmatch
import json

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

HEAD = "journal"
PAGE = 100  # events per journal page
BULK_PIECE = 50  # statements per update command (decisions 0031, 0044)


def key(seq):
    """The `_id` of event number `seq`: zero-padded, so the ids also sort as the numbers."""
    return f"{seq:012d}"


def _page(seq):
    return f"{seq // PAGE:010d}", f"{seq % PAGE:02d}"  # the page's `_id` and the slot


def text(event):
    """A page slot's value: the event as compact JSON (an envelope is JSON by contract §9)."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


def _slots(db, pages):
    """{page: its slots as stored, {slot: text}} for the pages named (one `_id $in` read; a
    page not written yet is {}). Slots of the older shape (sub-documents) are written again
    as text, so such a page is decoded slowly once."""
    found = {page: {} for page in pages}
    for doc in db.journal_pages.find({"_id": {"$in": list(pages)}}):
        found[doc["_id"]] = stored = doc.get("e", {})
        old = {slot: event for slot, event in stored.items() if isinstance(event, dict)}
        if old:
            db.journal_pages.update_one(
                {"_id": doc["_id"]},
                {"$set": {f"e.{slot}": text(event) for slot, event in old.items()}},
            )
    return found


def _seen(db, event_id, seq):
    db.journal_seen.update_one({"_id": event_id}, {"$setOnInsert": {"seq": seq}}, upsert=True)


def _advance(db, seq):
    db.journal_head.update_one({"_id": HEAD}, {"$max": {"seq": seq}}, upsert=True)


def append(db, now, event):
    """Record `event`; returns its number (the existing one when it was recorded before)."""
    seen = db.journal_seen.find_one({"_id": event["event_id"]})
    if seen is not None:
        return seen["seq"]
    head = db.journal_head.find_one({"_id": HEAD}) or {"seq": 0}
    seq = head["seq"] + 1
    while True:
        try:
            db.journal.insert_one(
                {
                    "_id": key(seq),
                    "seq": seq,
                    "event_id": event["event_id"],
                    "recorded_at": now,
                    "event": event,
                }
            )
            break
        except DuplicateKeyError:
            taken = db.journal.find_one({"_id": key(seq)})
            _seen(db, taken["event_id"], seq)
            if taken["event_id"] == event["event_id"]:  # we wrote it, then crashed
                break
            seq += 1
    page, slot = _page(seq)
    db.journal_pages.update_one({"_id": page}, {"$set": {f"e.{slot}": text(event)}}, upsert=True)
    _seen(db, event["event_id"], seq)
    _advance(db, seq)
    return seq


def append_many(db, now, events):
    """Record `events` in their order, as `append` does one by one, with six commands for
    the lot when nothing is in the way: the events seen before, the head, the numbers (one
    ordered insert), the pages, the seen marks, the head moved. From the first number found
    taken (a consumer that took over, a crash's leftover) the rest go one by one through
    `append`, which steps over taken numbers. Returns {event_id: number}."""
    ids = list(dict.fromkeys(e["event_id"] for e in events))
    numbers = {d["_id"]: d["seq"] for d in db.journal_seen.find({"_id": {"$in": ids}})}
    fresh, taken_ids = [], set(numbers)
    for event in events:
        if event["event_id"] not in taken_ids:
            taken_ids.add(event["event_id"])
            fresh.append(event)
    if not fresh:
        return numbers
    head = (db.journal_head.find_one({"_id": HEAD}) or {"seq": 0})["seq"]
    docs = [
        {
            "_id": key(head + 1 + i),
            "seq": head + 1 + i,
            "event_id": event["event_id"],
            "recorded_at": now,
            "event": event,
        }
        for i, event in enumerate(fresh)
    ]
    try:
        db.journal.insert_many(docs, ordered=True)
        stored = len(docs)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != 11000 for e in errors):
            raise
        stored = min((e["index"] for e in errors), default=len(docs))
    done = docs[:stored]
    if done:
        pages = {}
        for doc in done:
            page, slot = _page(doc["seq"])
            pages.setdefault(page, {})[f"e.{slot}"] = text(doc["event"])
        for page, slots in pages.items():
            db.journal_pages.update_one({"_id": page}, {"$set": slots}, upsert=True)
        marks = [
            UpdateOne({"_id": d["event_id"]}, {"$setOnInsert": {"seq": d["seq"]}}, upsert=True)
            for d in done
        ]
        for i in range(0, len(marks), BULK_PIECE):
            db.journal_seen.bulk_write(marks[i : i + BULK_PIECE], ordered=False)
        _advance(db, done[-1]["seq"])
        numbers.update((d["event_id"], d["seq"]) for d in done)
    for event in fresh[stored:]:
        numbers[event["event_id"]] = append(db, now, event)
    return numbers


def read(db, after, limit, visible=lambda event: True, max_scan=None):
    """(events, next_cursor): up to `limit` events numbered after `after` that `visible`
    lets through, in order; at most `max_scan` numbers are looked at per call, so a reader
    who may see few events still gets a cursor that moves on."""
    max_scan = max_scan or limit * 20
    # the pages of the next `limit` numbers in one read: all a page of the office's needs
    events, seq = [], after
    first, last = (after + 1) // PAGE, (after + limit) // PAGE
    pages = _slots(db, [f"{page:010d}" for page in range(first, last + 1)])
    for _ in range(max_scan):
        page, slot = _page(seq + 1)
        if page not in pages:
            pages = _slots(db, [page])
        event = pages[page].get(slot)
        if isinstance(event, str):
            event = json.loads(event)
        elif event is None:
            doc = db.journal.find_one({"_id": key(seq + 1)})
            if doc is None:
                break
            event = doc["event"]
        seq += 1
        if visible(event):
            events.append(event)
            if len(events) >= limit:
                break
    return events, seq


def upgrade(db):
    """Renumber a feed written with integer `_id`s (before the string ids) in place; the
    numbers, and so every cursor a client holds, stay the same. Returns how many moved."""
    if db.upgrades.find_one({"_id": "journal-string-ids"}):
        return 0
    moved = 0
    for doc in db.journal.find({"_id": {"$type": "number"}}):
        seq = int(doc["_id"])
        try:
            db.journal.insert_one({**doc, "_id": key(seq), "seq": seq})
        except DuplicateKeyError:
            pass  # moved before, the old one not yet removed
        db.journal.delete_one({"_id": doc["_id"]})
        moved += 1
    db.upgrades.update_one({"_id": "journal-string-ids"}, {"$set": {"moved": moved}}, upsert=True)
    return moved


def matches(subscription, event):
    """Whether a webhook subscription wants `event`: a type pattern (`case.*`, `*`, an exact
    type) and, when it names units, one of the event's units."""
    if not subscription.get("active", True):
        return False
    patterns = subscription.get("event_types") or ["*"]
    if not any(fnmatch.fnmatchcase(event["type"], p) for p in patterns):
        return False
    units = subscription.get("units") or []
    return not units or bool(set(units) & set(event.get("units") or []))
