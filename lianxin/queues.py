"""Queue documents: the cases a unit owes in each state, with what the staff lists filter and
sort them by, kept beside `cases` so that a list of open cases is a few `_id` lookups whatever
the store holds (issue 14; decisions 0020 and 0032).

One document per unit and state, `_id` = "<unit>|<state>", `e` = {case id: entry}, for the
states whose queues are read by time left (`STATES`). An entry holds the case's due time, its
extension and yellow mark, received time, topic, town, channel, kind, flags and lead unit
(`entry`), so a staff list whose states are all queue states — whatever else it filters by,
except text — is answered from the documents: filtered and sorted in memory, then the page's
cases read by id; and the daily reminder counts and lists each unit's cases from them
(`owed_by_lead`, decision 0037).
A case is in the document of its lead unit and of each co-unit. The one door for case writes
(`lianxin/casestore.py`) calls `follow` after every change it stores, so the documents follow
the cases; they are a projection, never the truth: a page re-reads its cases by id and checks
each against the entry it came from, and one that does not match (a crash between the case's
write and its queue's) is put right and the page is read from `cases` instead. An entry left
wrong that no page shows (one a filter rejects, or one never written) stays wrong until the
case's next write or a rebuild. `rebuild`
makes them again from `cases` (after a restore: `python -m lianxin.queues --rebuild`).

Documents of the first shape (`c` = {case id: due time}, before decision 0032) are not read:
`upgrade`, at the reading service's start, gives each its entries; until then a list is read
from `cases`.

The same on MongoDB and on the local store: `_id` lookups and single-document updates.
"""

import argparse
import heapq
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from operator import itemgetter

from . import cases

# The states staff work through (web/src/staff/queues.ts): the four read by time left, and
# the answered cases the office visits (回访) before closing them (decision 0038).
STATES = ("assigned", "in_progress", "return_requested", "replied", "answered")
# The queue of cases no unit handles: answered on the spot (直办) and never assigned.
NO_UNIT = ""

# An entry's fields: short names, since a busy unit's document holds thousands of entries.
FIELDS = {
    "d": ("assignment", "due_at"),
    "x": ("assignment", "extended_to"),
    "y": ("assignment", "yellow_at"),
    "r": ("received_at",),
    "t": ("topic",),
    "n": ("location", "town"),
    "h": ("channel",),
    "k": ("kind",),
    "f": ("flags",),
    "u": ("assignment", "lead_unit"),  # a co-unit's queue holds the case too: whose answer it is
}
# What `follow` reads back of a case to file it: its state, units and entry.
PROJECTION = {
    "status": 1,
    "assignment.co_units": 1,
    **{".".join(path): 1 for path in FIELDS.values()},
}


def key(unit, state):
    return f"{unit}|{state}"


def entry(case):
    """What a queue keeps of a case: the values of `FIELDS` in order, as one JSON text (dates
    as epoch milliseconds, as the store keeps them; flags as a list). One string per case,
    not a sub-document: the local store decodes a document value by value, and a busy unit's
    queue of 1 469 entries read in 137–218 ms as sub-documents, 33–53 ms as strings."""
    values = []
    for path in FIELDS.values():
        value = case
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        values.append(ms(value) if isinstance(value, datetime) else (value or None))
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def unpack(text):
    """An entry as {field name: value} (the names of `FIELDS`; dates in epoch ms), or None
    when it is not an entry of this shape. An office list unpacks every open entry, so the
    text goes straight to the C scanner `json.loads` ends in (a third of its time per
    entry); a text that scanner does not read whole, as one value from its first character,
    goes through `json.loads` itself."""
    try:
        values, end = _scan(text, 0)
        whole = end == len(text)
    except (StopIteration, TypeError, ValueError):
        whole = False
    if not whole:
        try:
            values = json.loads(text)
        except (TypeError, ValueError):
            return None
    if not isinstance(values, list) or len(values) != len(FIELDS):
        return None
    return {name: value for name, value in zip(FIELDS, values) if value is not None}


_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # (__init__ sets it)


def ms(when):
    """A date as epoch milliseconds (a naive date is UTC), truncated as the store keeps it."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    since = when - EPOCH
    return since.days * 86_400_000 + since.seconds * 1000 + since.microseconds // 1000


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def entries(case):
    """{queue key: entry} of the queues a case belongs in (none once it is closed)."""
    if not case or case.get("status") not in STATES:
        return {}
    e = entry(case)
    return {key(unit, case["status"]): e for unit in units_of(case)}


def units_of(case):
    """The units whose queues hold a case: its lead and co-units, or `NO_UNIT`."""
    return cases.units_of(case) or [NO_UNIT]


def sync(db, case_id, before, after):
    """Move a case from the queues of `before` to those of `after` (either may be None)."""
    old, new = entries(before), entries(after)
    for k in old.keys() - new.keys():
        db.queues.update_one({"_id": k}, {"$unset": {f"e.{case_id}": ""}})
    for k, e in new.items():
        if old.get(k) != e:
            db.queues.update_one({"_id": k}, {"$set": {f"e.{case_id}": e}}, upsert=True)


def follow(db, before, case_id=None):
    """After a stored change of a case: read its state now and move it between queues."""
    case_id = case_id or before["_id"]
    after = db.cases.find_one({"_id": case_id}, PROJECTION)
    sync(db, case_id, before, after)


def page(db, units, states, keep, sort, after, limit, skip=0):
    """The first `limit` cases (documents) of the queues of `units` × `states` whose entries
    `keep` (a `Keep`) accepts (every one when `keep` is None), by `sort` ("due_at"
    ascending, "received_at" or "-received_at"; ties by id; as MongoDB orders them, nulls
    first ascending and last descending), strictly after the cursor `after` = (value, id),
    `skip` more left out; None when the documents cannot answer: one is of the first shape
    (`upgrade`), or a queue does not match its cases (then put right: read `cases` instead).
    Only the page is sorted (a partial sort of what the documents hold); a list that sorts
    and filters by dates alone reads them from each entry's text (`_head_entry`), and one
    that filters by a text field decodes only the entries whose text holds it (`Keep`). An
    entry of another shape that such a filter leaves out stays until the case's next write
    or a rebuild, as one a filter rejects."""
    if "answered" in states and not answered_ready(db):
        return None
    keys = [key(u, s) for u in units for s in states]
    field, descending = SORT_FIELDS[sort]
    dates_only = keep is None or keep.fields <= set(HEAD)  # field is d or r: a date too
    needles = keep is not None and bool(keep.needles)
    texts: dict[str, str] = {}  # case id: the text of the entry it was selected by
    positions: dict[str, tuple] = {}  # case id: its place in the sort
    for doc in db.queues.find({"_id": {"$in": keys}}):
        if "c" in doc:
            return None
        state = doc["_id"].rsplit("|", 1)[1]
        for case_id, text in (doc.get("e") or {}).items():
            if needles and not (isinstance(text, str) and keep.holds(text)):
                continue
            if keep is None:  # the sort key alone
                value = _head_value(text, HEAD.index(field))
                if value is not _UNREAD:
                    texts[case_id] = text
                    positions[case_id] = _sort_key(value, case_id)
                    continue
            e = _head_entry(text) if dates_only else None
            if e is None:
                e = unpack(text)
            if e is not None and keep is not None and not keep.test(state, e):
                continue
            # an entry of another shape (e None) is kept: found stale if shown, put right
            texts[case_id] = text
            positions[case_id] = _sort_key(e.get(field) if e is not None else None, case_id)
    candidates: Iterable[tuple[str, tuple]] = positions.items()
    if after is not None:  # strictly after the cursor, in the page's direction
        value, after_id = after
        cursor = _sort_key(ms(value) if isinstance(value, datetime) else value, after_id)
        candidates = [(i, p) for i, p in candidates if (p < cursor if descending else p > cursor)]
    select = heapq.nlargest if descending else heapq.nsmallest
    ids = [case_id for case_id, _ in select(skip + limit, candidates, key=itemgetter(1))][skip:]
    read = {c["_id"]: c for c in db.cases.find({"_id": {"$in": ids}})} if ids else {}
    rows, stale = [], []
    for case_id in ids:
        case = read.get(case_id)
        if _belongs(case, units, states, texts[case_id]):
            rows.append(case)
        else:
            stale.append(case_id)
    for case_id in stale:  # a crash between a case's write and its queue's: put it right
        for k in keys:
            db.queues.update_one({"_id": k}, {"$unset": {f"e.{case_id}": ""}})
        sync(db, case_id, None, read.get(case_id))
    return None if stale else rows


def owed_by_lead(db, units, states):
    """{unit: [(due time in epoch ms, case id), ...]} of the cases in the queues of `units` ×
    `states` that each unit leads (a co-unit's queue holds a case too), the due time being the
    extended one if any; None when the documents cannot answer (one of the first shape, or an
    entry of another shape: `upgrade`)."""
    owed: dict[str, list] = {}
    for doc in db.queues.find({"_id": {"$in": [key(u, s) for u in units for s in states]}}):
        if "c" in doc:
            return None
        unit = doc["_id"].rsplit("|", 1)[0]
        for case_id, text in (doc.get("e") or {}).items():
            e = unpack(text)
            if e is None:
                return None
            if e.get("u") == unit:
                owed.setdefault(unit, []).append((e.get("x") or e.get("d"), case_id))
    return owed


SORT_FIELDS = {"due_at": ("d", False), "received_at": ("r", False), "-received_at": ("r", True)}
# An entry's first four values are dates (epoch ms) or null: a list that sorts and filters on
# those alone (the plain queues, the return visits, overdue and yellow) reads them by
# splitting the entry's text and decodes nothing else.
HEAD = tuple(FIELDS)[:4]
assert HEAD == ("d", "x", "y", "r")


_UNREAD = object()


def _head(text):
    """The first four values of an entry's text, unparsed, or None when it does not start
    like an entry."""
    if not isinstance(text, str) or text[:1] != "[":
        return None
    parts = text[1:].split(",", 4)
    return parts if len(parts) == 5 else None


def _date(token):
    """A leading value of an entry's text: a date in epoch ms, None for null, or `_UNREAD`."""
    if token == "null":
        return None
    digits = token[1:] if token[:1] == "-" else token
    return int(token) if digits.isascii() and digits.isdigit() else _UNREAD


def _head_entry(text):
    """An entry's dates {d, x, y, r} (those not null) read by splitting its text, or None when
    the text is not of that form (then it is decoded)."""
    parts = _head(text)
    if parts is None:
        return None
    e = {}
    for name, token in zip(HEAD, parts):
        value = _date(token)
        if value is _UNREAD:
            return None
        if value is not None:
            e[name] = value
    return e


def _head_value(text, index):
    """The date at `index` (< 4) of an entry's text, as `_head_entry` reads it, or `_UNREAD`."""
    parts = _head(text)
    return _UNREAD if parts is None else _date(parts[index])


@dataclass(frozen=True)
class Keep:
    """A list's filter on queue entries: `test(state, entry)`, the entry fields it reads, and
    for each filter on a text field (topic, town, channel, kind, flag) the JSON texts of its
    values. `entry` writes one JSON text whose strings are encoded as `json.dumps` encodes
    each alone, so an entry the test accepts holds one text of each group: one that holds
    none of a group is left without being decoded."""

    test: Callable[[str, dict], bool]
    fields: frozenset = frozenset()
    needles: tuple = ()

    def holds(self, text):
        return all(any(n in text for n in group) for group in self.needles)


def _sort_key(value, case_id):
    # MongoDB's ascending order: null first, then dates; ties by id
    return (value is not None, value if value is not None else 0, case_id)


def _belongs(case, units, states, stored):
    if case is None or case.get("status") not in states:
        return False
    return entry(case) == stored and bool(set(units_of(case)) & set(units))


def upgrade(db):
    """Give each document of the first shape (`c` = {case id: due time}) its entries, read
    from its cases by id, and drop from `c` the ids it read (`c` itself once empty); run at
    the reading service's start, safe to repeat and to run beside writers (an id an older
    writer adds meanwhile stays in `c` for the next start; an entry changed meanwhile is
    found stale by a page that shows it). Returns how many documents were upgraded."""
    done = 0
    for doc in db.queues.find({"c": {"$exists": True}}, {"c": 1}):
        ids = list(doc.get("c") or {})
        now = _entries_now(db, doc["_id"], ids)
        sets = {f"e.{i}": e for i, e in now.items() if e is not None}
        update: dict = {"$unset": {f"c.{case_id}": "" for case_id in ids}}
        if sets:
            update["$set"] = sets
        if ids:
            db.queues.update_one({"_id": doc["_id"]}, update)
        db.queues.update_one({"_id": doc["_id"], "c": {}}, {"$unset": {"c": ""}})
        done += 1
    return done + upgrade_entries(db) + upgrade_answered(db)


def _entries_now(db, queue_key, ids):
    """{case id: its entry in queue `queue_key` now, None if it does not belong there (or is
    gone)}, the cases read by id 500 at a time."""
    now = {}
    for i in range(0, len(ids), 500):
        found = {c["_id"]: c for c in db.cases.find({"_id": {"$in": ids[i : i + 500]}}, PROJECTION)}
        for case_id in ids[i : i + 500]:
            now[case_id] = entries(found.get(case_id)).get(queue_key)
    return now


ANSWERED_UPGRADE = "queue-answered"
_answered_ready: set[str] = set()  # the databases whose answered queues are made


def answered_ready(db):
    """Have the answered cases of a store been queued (`upgrade_answered`, `rebuild`)? Until
    then the lists of answered cases are read from `cases`."""
    if db.name not in _answered_ready:
        if not db.upgrades.find_one({"_id": ANSWERED_UPGRADE}):
            return False
        _answered_ready.add(db.name)
    return True


def upgrade_answered(db):
    """Queue the answered cases of a store written before they were queued (decision 0038),
    once per store (a mark in `upgrades`), at the reading service's start; the writers queue
    them as they change meanwhile (an entry this writes for a case closed meanwhile is found
    stale by a page that shows it). Returns how many documents it wrote."""
    if db.upgrades.find_one({"_id": ANSWERED_UPGRADE}):
        return 0
    queued: dict[str, dict] = {}
    for case in db.cases.find({"status": "answered"}, PROJECTION):
        for k, e in entries(case).items():
            queued.setdefault(k, {})[f"e.{case['_id']}"] = e
    for k, sets in queued.items():
        names = list(sets)
        for i in range(0, len(names), 1000):
            part = {n: sets[n] for n in names[i : i + 1000]}
            db.queues.update_one({"_id": k}, {"$set": part}, upsert=True)
    _mark(db, ANSWERED_UPGRADE, len(queued))
    return len(queued)


def _mark(db, upgrade_id, documents):
    db.upgrades.update_one({"_id": upgrade_id}, {"$set": {"documents": documents}}, upsert=True)


LEAD_UNIT_UPGRADE = "queue-entries-lead-unit"


def upgrade_entries(db):
    """Write again every entry not of the present shape (entries before the lead unit was
    added to them hold one value fewer), from its case read by id; once per store (a mark in
    `upgrades`), at the reading service's start, after the writers run the new shape (an
    older writer's entry is found stale by a page that shows it). Returns how many documents
    held such entries."""
    if db.upgrades.find_one({"_id": LEAD_UNIT_UPGRADE}):
        return 0
    done = 0
    for doc in db.queues.find({}, {"e": 1}):
        ids = [i for i, text in (doc.get("e") or {}).items() if unpack(text) is None]
        if not ids:
            continue
        now = _entries_now(db, doc["_id"], ids)
        sets = {f"e.{i}": e for i, e in now.items() if e is not None}
        unsets = {f"e.{i}": "" for i, e in now.items() if e is None}
        update = {k: v for k, v in (("$set", sets), ("$unset", unsets)) if v}
        db.queues.update_one({"_id": doc["_id"]}, update)
        done += 1
    _mark(db, LEAD_UNIT_UPGRADE, done)
    return done


def rebuild(db, batch=1000):
    """Make every queue document again from `cases`; returns how many cases are queued."""
    queues: dict[str, dict] = {}
    for case in db.cases.find({"status": {"$in": list(STATES)}}, PROJECTION):
        for k, e in entries(case).items():
            queues.setdefault(k, {})[case["_id"]] = e
    db.queues.delete_many({})
    docs = [{"_id": k, "e": e} for k, e in queues.items()]
    for i in range(0, len(docs), batch):
        db.queues.insert_many(docs[i : i + batch])
    for upgrade_id in (LEAD_UNIT_UPGRADE, ANSWERED_UPGRADE):  # made in the present shape
        _mark(db, upgrade_id, len(docs))
    return len({case_id for e in queues.values() for case_id in e})


def main():
    from . import store

    ap = argparse.ArgumentParser(description="Queue documents of the configured store")
    ap.add_argument("--rebuild", action="store_true", help="make them again from the cases")
    args = ap.parse_args()
    if args.rebuild:
        print(f"queues rebuilt: {rebuild(store.database())} cases queued")


if __name__ == "__main__":
    main()
