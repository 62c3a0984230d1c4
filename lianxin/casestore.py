"""The one door to the `cases` collection for writes: load a case within a caller's scope,
apply a change with compare-and-set and the outbox, insert a new case with its events, link or
unlink a duplicate, flag a case. `CaseStore` runs on MongoDB/FerretDB; `MemoryCaseStore` is
its twin in memory, so that the rules acting on cases are unit-tested in milliseconds.

Both apply the same `Write` (what an action changes: fields to set, counters to bump, lists to
append to or add to) — the twin by hand, the store as one Mongo update."""

import copy
from dataclasses import dataclass, field

from pymongo.errors import DuplicateKeyError

from . import outbox, queues
from .errors import NotFound, WrongState


@dataclass
class Write:
    """What one action writes to a case, besides its new status and version."""

    set: dict = field(default_factory=dict)
    inc: dict = field(default_factory=dict)
    push: dict = field(default_factory=dict)
    add_to_set: dict = field(default_factory=dict)


class CaseStore:
    def __init__(self, db):
        self.db = db
        # the outbox note each write left (lianxin/outbox.py), for the flush that empties it
        self.tokens = {}

    def get(self, case_id, projection=None):
        return (
            self.db.cases.find_one({"_id": case_id}, projection)
            if isinstance(case_id, str)
            else None
        )

    def apply(self, case, write, events, now, status=None):
        """One compare-and-set on the case's version and status: the write, the version bumped,
        the events into the outbox; False if someone changed the case meanwhile."""
        update = {"$set": dict(write.set), "$inc": {"version": 1, **write.inc}}
        if status is not None:
            update["$set"]["status"] = status
        if write.push:
            update["$push"] = dict(write.push)
        if write.add_to_set:
            update["$addToSet"] = dict(write.add_to_set)
        if events:
            update = outbox.with_events(update, events, now)
            self.tokens[case["_id"]] = outbox.mark(self.db, case["_id"], now)
        result = self.db.cases.update_one(
            {"_id": case["_id"], "version": case["version"], "status": case["status"]}, update
        )
        if result.modified_count:
            queues.follow(self.db, case)
        return bool(result.modified_count)

    def insert(self, case, events, now):
        """Store a new case with its events in its outbox. False if it exists already."""
        doc = {**case, "outbox": list(events), "outbox_since": now} if events else case
        if events:
            self.tokens[case["_id"]] = outbox.mark(self.db, case["_id"], now)
        try:
            self.db.cases.insert_one(doc)
        except DuplicateKeyError:
            return False
        queues.sync(self.db, case["_id"], None, case)
        return True

    def flush(self, publisher, case_id, events):
        outbox.flush(self.db, publisher, case_id, events, token=self.tokens.pop(case_id, None))

    def link_duplicate(self, primary_id, duplicate_id, entry):
        """The primary learns of its duplicate, on its timeline too — once, whatever retries."""
        self.db.cases.update_one(
            {"_id": primary_id, "duplicates": {"$ne": duplicate_id}},
            {"$addToSet": {"duplicates": duplicate_id}, "$push": {"timeline": entry}},
        )

    def unlink_duplicate(self, primary_id, duplicate_id, entry):
        self.db.cases.update_one(
            {"_id": primary_id, "duplicates": duplicate_id},
            {"$pull": {"duplicates": duplicate_id}, "$push": {"timeline": entry}},
        )

    def flag(self, case_id, flag):
        result = self.db.cases.update_one({"_id": case_id}, {"$addToSet": {"flags": flag}})
        if result.modified_count:
            queues.follow(self.db, None, case_id)  # the lists filter by flag (decision 0032)


class MemoryCaseStore:
    """The same door over a dict: for unit tests of the rules (no broker, no store)."""

    def __init__(self, cases=()):
        self.cases = {c["_id"]: copy.deepcopy(c) for c in cases}

    def get(self, case_id, projection=None):
        case = self.cases.get(case_id)
        return copy.deepcopy(case) if case is not None else None

    def apply(self, case, write, events, now, status=None):
        stored = self.cases.get(case["_id"])
        if stored is None or (stored["version"], stored["status"]) != (
            case["version"],
            case["status"],
        ):
            return False
        for path, value in write.set.items():
            _put(stored, path, copy.deepcopy(value))
        for path, value in {"version": 1, **write.inc}.items():
            _put(stored, path, (_get(stored, path) or 0) + value)
        for path, value in write.push.items():
            _get_list(stored, path).extend(
                value["$each"]
                if isinstance(value, dict) and "$each" in value
                else [copy.deepcopy(value)]
            )
        for path, value in write.add_to_set.items():
            items = _get_list(stored, path)
            if value not in items:
                items.append(copy.deepcopy(value))
        if status is not None:
            stored["status"] = status
        stored.setdefault("outbox", []).extend(events)
        return True

    def insert(self, case, events, now):
        if case["_id"] in self.cases:
            return False
        self.cases[case["_id"]] = {**copy.deepcopy(case), "outbox": list(events)}
        return True

    def flush(self, publisher, case_id, events):
        for event in events:
            publisher.publish(event)
            self.cases[case_id]["outbox"].remove(event)

    def link_duplicate(self, primary_id, duplicate_id, entry):
        primary = self.cases[primary_id]
        if duplicate_id not in primary.setdefault("duplicates", []):
            primary["duplicates"].append(duplicate_id)
            primary.setdefault("timeline", []).append(entry)

    def unlink_duplicate(self, primary_id, duplicate_id, entry):
        primary = self.cases[primary_id]
        if duplicate_id in primary.get("duplicates", []):
            primary["duplicates"].remove(duplicate_id)
            primary.setdefault("timeline", []).append(entry)

    def flag(self, case_id, flag):
        flags = self.cases[case_id].setdefault("flags", [])
        if flag not in flags:
            flags.append(flag)


def _get(doc, path):
    for key in path.split("."):
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


def _put(doc, path, value):
    *parents, last = path.split(".")
    for key in parents:
        if not isinstance(doc.get(key), dict):
            doc[key] = {}
        doc = doc[key]
    doc[last] = value


def _get_list(doc, path):
    if not isinstance(_get(doc, path), list):
        _put(doc, path, [])
    return _get(doc, path)


def for_db(db):
    """The case store of a database, or the twin itself when a test passes one."""
    return db if isinstance(db, (CaseStore, MemoryCaseStore)) else CaseStore(db)


def not_found(case_id):
    return NotFound(f"no case {case_id}", {"id": case_id})


def changed_meanwhile(case_id):
    return WrongState("the case was changed by someone else meanwhile; reload it", {"id": case_id})
