"""Queue documents: the cases a unit owes in each state, with what the staff lists filter and
sort them by, kept beside `cases` so that a list of open cases reads what its queues hold,
whatever else the store holds (issue 14; decisions 0020, 0032 and 0046).

A queue (a unit and a state, `key`) is kept in parts: documents `_id` =
"<unit>|<state>|<part>", `q` = the queue's key, `e` = {case id: entry}, `p` = the part's
first moment. A running state's part holds the cases due in two days (`part_of`; `ym` and
`xm` = no later than the yellow mark and no earlier than the latest due time of any entry
it was given); an answered state's, the cases received in 30 days. An entry holds the
case's due time, its extension and yellow mark, received time, topic, town, channel, kind,
flags and lead unit (`entry`), so a staff list whose states are all queue states —
whatever else it filters by, except text — is answered from the parts: filtered and sorted
in memory, then the page's cases read by id. A list of overdue or yellow-marked cases reads
only the parts that can hold them (`Keep.parts`), and a list by the time its parts are kept
by (running cases by due time, answered ones by received time) reads them in windows of
days from one end, until its page is known. The daily reminder counts and lists each unit's
cases from the parts too (`owed_by_lead`, decision 0037).
A case is in the queue of its lead unit and of each co-unit. The one door for case writes
(`lianxin/casestore.py`) calls `follow` after every change it stores, so the parts follow
the cases; they are a projection, never the truth: a page re-reads its cases by id and checks
each against the entry it came from, and one that does not match (a crash between the case's
write and its queue's) is put right and the page is read from `cases` instead. An entry left
wrong that no page shows (one a filter rejects, or one never written) stays wrong until the
case's next write or a rebuild. `rebuild` makes them again from `cases` (after a restore:
`python -m lianxin.queues --rebuild`).

Documents of older shapes (one per queue, `_id` = "<unit>|<state>": with `c` = {case id: due
time} before decision 0032, with `e` before decision 0046) are not read: `upgrade`, at the
reading service's start, moves their cases into parts; until then a list is read from
`cases`.

The same on MongoDB and on the local store: reads by `q` (and `p`, `ym`, `xm`) on one
index, and single-document updates by `_id`.
"""

import argparse
import dataclasses
import heapq
import json
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from operator import itemgetter
from typing import NamedTuple

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


# A running state's queue is kept in parts of this many days of due time, the answered
# cases in parts of this many days of received time (decision 0046): smaller parts make a
# list by those times read less, a list of every case in a queue read more documents.
# Every writer must use the same: a change is a new shape (`upgrade`).
PART_DAYS = 2
ANSWERED_PART_DAYS = 30
_DAY_MS = 86_400_000
RUNNING = STATES[:4]


def part_ms(state):
    """How long a part of a queue of `state` is, in ms."""
    return (PART_DAYS if state in RUNNING else ANSWERED_PART_DAYS) * _DAY_MS


def part_of(case):
    """The part of its queues a case is kept in: (name, first moment) of the days its time
    falls in (`part_ms`, counted from 1970-01-01), the first part when it has none. A running
    case's time is its due time — the earlier of `due_at` and an extension, so that a part
    never begins after its entries' `due_at` (what the lists sort by) nor after the moment
    they are overdue; without `due_at` (it sorts first) the first part. An answered case's
    time is when it was received (the return visits are listed by it)."""
    status = case.get("status")
    if status in RUNNING:
        a = case.get("assignment") or {}
        due = [ms(t) for t in (a.get("due_at"), a.get("extended_to")) if isinstance(t, datetime)]
        at = min(due) if isinstance(a.get("due_at"), datetime) else None
    else:
        received = case.get("received_at")
        at = ms(received) if isinstance(received, datetime) else None
    size = part_ms(status)
    first = EPOCH + timedelta(milliseconds=at // size * size if at is not None else 0)
    return first.strftime("%Y-%m-%d"), first


def part_key(queue_key, name):
    return f"{queue_key}|{name}"


class Placed(NamedTuple):
    """Where a case is kept: its queue, its part's first moment, its yellow mark and, if it is
    running, its latest due time (None: none), and its entry."""

    queue: str
    first: datetime
    yellow: datetime | None
    latest: datetime | None
    entry: str


# `xm` of a running case without a due time: it may be anything.
NO_DUE = datetime(9999, 12, 31, tzinfo=timezone.utc)


def placed(case):
    """{part key: `Placed`} of the parts a case is kept in (none once it is closed)."""
    found = entries(case)
    if not found:
        return {}
    name, first = part_of(case)
    a = case.get("assignment") or {}
    yellow = a.get("yellow_at") if isinstance(a.get("yellow_at"), datetime) else None
    latest = None
    if case["status"] in RUNNING:
        dues = [t for t in (a.get("due_at"), a.get("extended_to")) if isinstance(t, datetime)]
        latest = max(dues) if dues else NO_DUE
    return {part_key(k, name): Placed(k, first, yellow, latest, e) for k, e in found.items()}


def bounds(held):
    """A part's fields besides its entries, for the `Placed` it is given: `q`, `p`, and the
    bounds the lists of overdue and yellow-marked cases select parts by — `ym` no later than
    any of their yellow marks, `xm` no earlier than any of their latest due times — as
    {field: value} to set, to lower (`$min`) and to raise (`$max`)."""
    first = held[0]
    marks = [h.yellow for h in held if h.yellow is not None]
    latest = [h.latest for h in held if h.latest is not None]
    fields = {"q": first.queue, "p": first.first}
    return fields, ({"ym": min(marks)} if marks else {}), ({"xm": max(latest)} if latest else {})


def put(db, part, held):
    """Set the entries of `held` ({case id: `Placed`}) in a part, made if missing. Its `ym`
    is only ever lowered and its `xm` raised: an entry that leaves keeps them, so they stay
    bounds of what it holds."""
    fields, lower, raise_ = bounds(list(held.values()))
    update: dict = {"$set": {**fields, **{f"e.{i}": h.entry for i, h in held.items()}}}
    if lower:
        update["$min"] = lower
    if raise_:
        update["$max"] = raise_
    db.queues.update_one({"_id": part}, update, upsert=True)


def sync(db, case_id, before, after):
    """Move a case from the parts of `before` to those of `after` (either may be None)."""
    old, new = placed(before), placed(after)
    for k in old.keys() - new.keys():
        db.queues.update_one({"_id": k}, {"$unset": {f"e.{case_id}": ""}})
    for k, held in new.items():
        if old.get(k) != held:
            put(db, k, {case_id: held})


def follow(db, before, case_id=None):
    """After a stored change of a case: read its state now and move it between queues."""
    case_id = case_id or before["_id"]
    after = db.cases.find_one({"_id": case_id}, PROJECTION)
    sync(db, case_id, before, after)


def read_parts(db, queue_keys, only=None):
    """The parts of the queues `queue_keys` (those `only` also selects: a filter on `p`, `ym`
    or `xm`), on the index of `q` and `p`. A part found empty is deleted on the way (only if
    still empty: a writer's `put` makes it again), so the days gone by do not pile up."""
    found = db.queues.find({"q": {"$in": list(queue_keys)}, **(only or {})}, batch_size=1000)
    for doc in found:
        if not doc.get("e"):
            db.queues.delete_one({"_id": doc["_id"], "e": {}})
            continue
        yield doc


def page(db, units, states, keep, sort, after, limit, skip=0, now=None):
    """The first `limit` cases (documents) of the queues of `units` × `states` whose entries
    `keep` (a `Keep`) accepts (every one when `keep` is None), by `sort` ("due_at"
    ascending, "received_at" or "-received_at"; ties by id; as MongoDB orders them, nulls
    first ascending and last descending), strictly after the cursor `after` = (value, id),
    `skip` more left out; None when the documents cannot answer: the store's queues are not
    yet in parts (`upgrade`), or a queue does not match its cases (then put right: read
    `cases` instead). Only the parts `keep.parts` selects are read; a list of running cases
    by due time, or of answered cases by received time, reads them in windows of days from
    `now` (`_windows`), from the end its sort begins at, until the page is known (`_known`).
    Only the page is sorted (a partial sort of what the parts read hold); a list that sorts
    and filters by dates alone reads them from each entry's text (`_head_entry`), and one
    that filters by a text field decodes only the entries whose text holds it (`Keep`). An
    entry of another shape that such a filter leaves out stays until the case's next write
    or a rebuild, as one a filter rejects."""
    if not parts_ready(db) or ("answered" in states and not answered_ready(db)):
        return None
    keys = [key(u, s) for u in units for s in states]
    field, descending = SORT_FIELDS[sort]
    dates_only = keep is None or keep.fields <= set(HEAD)  # field is d or r: a date too
    needles = keep is not None and bool(keep.needles)
    texts: dict[str, str] = {}  # case id: the text of the entry it was selected by
    parts: dict[str, str] = {}  # case id: the part it was read from
    positions: dict[str, tuple] = {}  # case id: its place in the sort
    cursor = None
    if after is not None:
        value, after_id = after
        cursor = _sort_key(ms(value) if isinstance(value, datetime) else value, after_id)
    only = keep.parts if keep is not None else {}
    windows = [(only, None)]
    if now is not None and sort == "due_at" and set(states) <= set(RUNNING):
        windows = _windows(only, now, RUNNING[0], False)
    elif now is not None and field == "r" and set(states) == {"answered"}:
        windows = _windows(only, now, "answered", descending)
    for window, edge in windows:
        for doc in read_parts(db, keys, window):
            state = doc["q"].rsplit("|", 1)[1]
            for case_id, text in doc["e"].items():
                if needles and not (isinstance(text, str) and keep.holds(text)):
                    continue
                if keep is None:  # the sort key alone
                    value = _head_value(text, HEAD.index(field))
                    if value is not _UNREAD:
                        texts[case_id], parts[case_id] = text, doc["_id"]
                        positions[case_id] = _sort_key(value, case_id)
                        continue
                e = _head_entry(text) if dates_only else None
                if e is None:
                    e = unpack(text)
                if e is not None and keep is not None and not keep.test(state, e):
                    continue
                # an entry of another shape (e None) is kept: found stale if shown, put right
                texts[case_id], parts[case_id] = text, doc["_id"]
                positions[case_id] = _sort_key(e.get(field) if e is not None else None, case_id)
        if edge is not None and _known(positions.values(), cursor, edge, skip + limit, descending):
            break  # every part not read holds only cases that sort after the page
    candidates: Iterable[tuple[str, tuple]] = positions.items()
    if cursor is not None:  # strictly after the cursor, in the page's direction
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
        db.queues.update_one({"_id": parts[case_id]}, {"$unset": {f"e.{case_id}": ""}})
        sync(db, case_id, None, read.get(case_id))
    return None if stale else rows


# The windows of a list by the time its parts are kept by (`part_of`): the parts that begin
# before each of these days from now (rounded down to a part's first moment), the earliest
# first, then the rest (the latest first for a list newest first). A list bounded below by
# its parts' latest due times (`xm`: the yellow-marked cases, due after now) reads the parts
# before now's in one window: few of them hold such a case.
WINDOW_DAYS = (-14, -7, -4, -2, 0, 2, 4, 8, 16)  # running cases, by due time
ANSWERED_WINDOW_DAYS = (-720, -540, -360, -180, -90, -30)  # answered cases, by received time


def _windows(only, now, state, descending):
    """[(filter of parts, the edge in epoch ms between the parts read so far and those left
    unread, or None after the last)] for reading the parts of queues of `state` that `only`
    selects in windows of their first moment `p`, earliest first (latest first when
    `descending`), none beyond a bound `only` puts on `p` (the overdue cases')."""
    size, at = part_ms(state), ms(now)
    days = WINDOW_DAYS if state in RUNNING else ANSWERED_WINDOW_DAYS
    edges = sorted({(at + d * _DAY_MS) // size * size for d in days})
    if "xm" in only:
        edges = [e for e in edges if e >= at // size * size]
    bounds = [None, *(EPOCH + timedelta(milliseconds=e) for e in edges), None]
    spans = list(zip(bounds[:-1], bounds[1:]))
    limit = (only.get("p") or {}).get("$lt")
    if limit is not None:
        spans = [(lo, limit if hi is None or limit < hi else hi) for lo, hi in spans]
        spans = [(lo, hi) for lo, hi in spans if lo is None or (hi is not None and lo < hi)]
    if descending:
        spans.reverse()
    out = []
    for i, (lower, upper) in enumerate(spans):
        p = {k: v for k, v in (("$gte", lower), ("$lt", upper)) if v is not None}
        edge = lower if descending else upper
        last = i == len(spans) - 1
        out.append(({**only, "p": p} if p else dict(only), None if last else ms(edge)))
    return out


def _known(positions, cursor, edge, need, descending=False):
    """Are the first `need` places after `cursor` among `positions` known? They are when that
    many sort before `edge` (at or after it, descending), where no unread entry sorts."""
    bound = (True, edge, "")
    if descending:
        return sum(1 for p in positions if p >= bound and (cursor is None or p < cursor)) >= need
    return sum(1 for p in positions if p < bound and (cursor is None or p > cursor)) >= need


def owed_by_lead(db, units, states):
    """{unit: [(due time in epoch ms, case id), ...]} of the cases in the queues of `units` ×
    `states` that each unit leads (a co-unit's queue holds a case too), the due time being the
    extended one if any; None when the documents cannot answer (not yet in parts, or an entry
    of another shape: `upgrade`)."""
    if not parts_ready(db):
        return None
    owed: dict[str, list] = {}
    for doc in read_parts(db, [key(u, s) for u in units for s in states]):
        unit = doc["q"].rsplit("|", 1)[0]
        for case_id, text in doc["e"].items():
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


@dataclasses.dataclass(frozen=True)
class Keep:
    """A list's filter on queue entries: `test(state, entry)`, the entry fields it reads, and
    for each filter on a text field (topic, town, channel, kind, flag) the JSON texts of its
    values. `entry` writes one JSON text whose strings are encoded as `json.dumps` encodes
    each alone, so an entry the test accepts holds one text of each group: one that holds
    none of a group is left without being decoded. `parts` narrows which parts are read (a
    filter on their `p`, `ym` and `xm`): every part holding an entry the test accepts must
    match it."""

    test: Callable[[str, dict], bool]
    fields: frozenset = frozenset()
    needles: tuple = ()
    parts: dict = dataclasses.field(default_factory=dict)

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
    """Bring queue documents of older shapes to the present one, each step once per store or
    until none is left, at the reading service's start: the first shape's ids (`c`) given
    their entries, entries without their lead unit written again, the answered cases queued
    (those three as decisions 0032 and 0038 left them), then every queue moved into parts
    (`upgrade_parts`). Returns how many documents were upgraded."""
    done = 0
    for doc in db.queues.find({"c": {"$exists": True}}, {"c": 1}):
        ids = list(doc.get("c") or {})
        now = _cases_now(db, ids)
        sets = {f"e.{i}": entries(now[i]).get(doc["_id"]) for i in ids}
        sets = {name: e for name, e in sets.items() if e is not None}
        update: dict = {"$unset": {f"c.{case_id}": "" for case_id in ids}}
        if sets:
            update["$set"] = sets
        if ids:
            db.queues.update_one({"_id": doc["_id"]}, update)
        db.queues.update_one({"_id": doc["_id"], "c": {}}, {"$unset": {"c": ""}})
        done += 1
    return done + upgrade_entries(db) + upgrade_answered(db) + upgrade_parts(db)


def _cases_now(db, ids):
    """{case id: the case now (`PROJECTION`), None if gone}, read by id 500 at a time."""
    now = dict.fromkeys(ids)
    for i in range(0, len(ids), 500):
        for c in db.cases.find({"_id": {"$in": ids[i : i + 500]}}, PROJECTION):
            now[c["_id"]] = c
    return now


def put_all(db, found, only=None, batch=1000):
    """`put` every case of `found` ({case id: case or None}) in the parts it belongs in (of
    the queue `only` alone, if given), `batch` entries an update. Returns how many parts it
    wrote."""
    grouped: dict[str, dict] = {}
    for case_id, case in found.items():
        for part, held in placed(case).items():
            if only is None or held.queue == only:
                grouped.setdefault(part, {})[case_id] = held
    for part, held in grouped.items():
        ids = list(held)
        for i in range(0, len(ids), batch):
            put(db, part, {case_id: held[case_id] for case_id in ids[i : i + batch]})
    return len(grouped)


ANSWERED_UPGRADE = "queue-answered"
PARTS_UPGRADE = "queue-parts"
_ready: set[tuple[str, str]] = set()  # (database, upgrade) marks found


def _upgraded(db, upgrade_id):
    if (db.name, upgrade_id) not in _ready:
        if not db.upgrades.find_one({"_id": upgrade_id}):
            return False
        _ready.add((db.name, upgrade_id))
    return True


def answered_ready(db):
    """Have the answered cases of a store been queued (`upgrade_answered`, `rebuild`)? Until
    then the lists of answered cases are read from `cases`."""
    return _upgraded(db, ANSWERED_UPGRADE)


def parts_ready(db):
    """Are a store's queues in parts (`upgrade_parts`, `rebuild`)? Until then the lists are
    read from `cases` and the daily reminder from the store's query."""
    return _upgraded(db, PARTS_UPGRADE)


def upgrade_answered(db):
    """Queue the answered cases of a store written before they were queued (decision 0038),
    once per store (a mark in `upgrades`), at the reading service's start; the writers queue
    them as they change meanwhile (an entry this writes for a case closed meanwhile is found
    stale by a page that shows it). Returns how many parts it wrote."""
    if db.upgrades.find_one({"_id": ANSWERED_UPGRADE}):
        return 0
    found = {c["_id"]: c for c in db.cases.find({"status": "answered"}, PROJECTION)}
    done = put_all(db, found)
    _mark(db, ANSWERED_UPGRADE, done)
    return done


def upgrade_parts(db):
    """Move the cases of every queue document of one piece (`_id` = "<unit>|<state>", no
    `q`) into the parts they belong in now (their cases read by id: one closed or moved on
    since is left out), then delete it; once per store (a mark in `upgrades`), after the
    writers keep parts (an entry changed meanwhile is found stale by a page that shows it).
    Returns how many documents it moved. A document still holding ids of the first shape
    (an older writer added them after `upgrade` gave the others their entries) is left, and
    the store not marked: the next start moves it."""
    if db.upgrades.find_one({"_id": PARTS_UPGRADE}):
        return 0
    done, left = 0, 0
    for doc in db.queues.find({"q": {"$exists": False}}):
        if doc.get("c"):
            left += 1
            continue
        put_all(db, _cases_now(db, list(doc.get("e") or {})), only=doc["_id"])
        db.queues.delete_one({"_id": doc["_id"]})
        done += 1
    if not left:
        _mark(db, PARTS_UPGRADE, done)
    return done


def _mark(db, upgrade_id, documents):
    db.upgrades.update_one({"_id": upgrade_id}, {"$set": {"documents": documents}}, upsert=True)


LEAD_UNIT_UPGRADE = "queue-entries-lead-unit"


def upgrade_entries(db):
    """Write again every entry not of the present shape (entries before the lead unit was
    added to them hold one value fewer), from its case read by id; once per store (a mark in
    `upgrades`), at the reading service's start, after the writers run the new shape (an
    older writer's entry is found stale by a page that shows it). Returns how many documents
    held such entries. (Before decision 0046: the documents it finds are of one piece.)"""
    if db.upgrades.find_one({"_id": LEAD_UNIT_UPGRADE}):
        return 0
    done = 0
    for doc in db.queues.find({}, {"e": 1}):
        ids = [i for i, text in (doc.get("e") or {}).items() if unpack(text) is None]
        if not ids:
            continue
        now = _cases_now(db, ids)
        written = {i: entries(now[i]).get(doc["_id"]) for i in ids}
        sets = {f"e.{i}": e for i, e in written.items() if e is not None}
        unsets = {f"e.{i}": "" for i, e in written.items() if e is None}
        update = {k: v for k, v in (("$set", sets), ("$unset", unsets)) if v}
        db.queues.update_one({"_id": doc["_id"]}, update)
        done += 1
    _mark(db, LEAD_UNIT_UPGRADE, done)
    return done


def rebuild(db, batch=200):
    """Make every queue's parts again from `cases`; returns how many cases are queued."""
    grouped: dict[str, dict] = {}
    for case in db.cases.find({"status": {"$in": list(STATES)}}, PROJECTION):
        for part, held in placed(case).items():
            grouped.setdefault(part, {})[case["_id"]] = held
    docs = []
    for part, held in grouped.items():
        fields, lower, raise_ = bounds(list(held.values()))
        entries_ = {case_id: h.entry for case_id, h in held.items()}
        docs.append({"_id": part, **fields, **lower, **raise_, "e": entries_})
    db.queues.delete_many({})
    for i in range(0, len(docs), batch):
        db.queues.insert_many(docs[i : i + batch])
    for upgrade_id in (LEAD_UNIT_UPGRADE, ANSWERED_UPGRADE, PARTS_UPGRADE):  # present shape
        _mark(db, upgrade_id, len(docs))
    return len({case_id for doc in docs for case_id in doc["e"]})


def main():
    from . import store

    ap = argparse.ArgumentParser(description="Queue documents of the configured store")
    ap.add_argument("--rebuild", action="store_true", help="make them again from the cases")
    args = ap.parse_args()
    if args.rebuild:
        print(f"queues rebuilt: {rebuild(store.database())} cases queued")


if __name__ == "__main__":
    main()
