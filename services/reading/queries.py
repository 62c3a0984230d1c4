"""Reading cases: one case and the filtered, sorted, cursor-paginated list for staff, a
petitioner's history for the office, and the citizen's tracking view (with the access code)."""

import base64
import json
import re
from datetime import timedelta
from operator import itemgetter

from lianxin import cases, queues, workflow
from lianxin.access import code_matches
from lianxin.auth import OFFICE_ROLES, UNIT_ROLES
from lianxin.clock import isoformat, parse_iso
from lianxin.errors import BadRequest, Forbidden, NotFound

MAX_PAGE = 200
SORTS = {
    "received_at": ("received_at", 1),
    "-received_at": ("received_at", -1),
    "due_at": ("assignment.due_at", 1),
}
RUNNING = list(workflow.OWING_STATES)


def get_case(db, now, case_id, actor):
    return cases.staff_view(cases.load(db, case_id, actor), actor, now)


def _csv(value):
    return [v for v in (value or "").split(",") if v]


def _overdue(now):
    return {
        "status": {"$in": RUNNING},
        "$or": [
            {"assignment.extended_to": {"$lt": now}},
            {"assignment.extended_to": None, "assignment.due_at": {"$lt": now}},
        ],
    }


def query_for(filters, actor, now):
    """The Mongo filter for docs/contract.md §10's list filters, within the actor's scope."""
    clauses = []
    unit = filters.get("unit")
    if actor["role"] in UNIT_ROLES:
        unit = actor["unit"]  # a unit sees its own cases, whatever it asks for
    if unit:
        clauses.append({"$or": [{"assignment.lead_unit": unit}, {"assignment.co_units": unit}]})
    for name, field in (
        ("status", "status"),
        ("topic", "topic"),
        ("channel", "channel"),
        ("kind", "kind"),
        ("town", "location.town"),
        ("flag", "flags"),
    ):
        values = _csv(filters.get(name))
        if values:
            clauses.append({field: {"$in": values}})
    if filters.get("overdue") is not None:
        clauses.append(_overdue(now) if filters["overdue"] else {"$nor": [_overdue(now)]})
    if filters.get("warning"):
        clauses.append(_warning(filters["warning"], now))
    if filters.get("text"):
        pattern = re.escape(filters["text"])
        clauses.append({"$or": [{"title": {"$regex": pattern}}, {"content": {"$regex": pattern}}]})
    if filters.get("from") or filters.get("to"):
        window = {}
        if filters.get("from"):
            window["$gte"] = parse_iso(filters["from"])
        if filters.get("to"):
            window["$lt"] = parse_iso(filters["to"])
        clauses.append({"received_at": window})
    return {"$and": clauses} if clauses else {}


def _warning(level, now):
    if level == "red":
        return _overdue(now)
    if level == "yellow":
        return {
            "status": {"$in": RUNNING},
            "assignment.yellow_at": {"$lte": now},
            "$nor": [_overdue(now)],
        }
    return {"$nor": [{"status": {"$in": RUNNING}, "assignment.yellow_at": {"$lte": now}}]}


def _encode(value, case_id):
    raw = json.dumps([isoformat(value) if value else None, case_id])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode(cursor):
    try:
        value, case_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return (parse_iso(value) if value else None), case_id
    except Exception:
        raise BadRequest("the cursor is not valid", {"cursor": cursor})


def _after(field, direction, cursor):
    """Keyset pagination: strictly after the last item of the previous page, so a page
    stays correct while cases are added."""
    value, case_id = _decode(cursor)
    op = "$gt" if direction == 1 else "$lt"
    if value is None:  # nulls sort first ascending: the rest of the nulls, then all values
        return {"$or": [{field: None, "_id": {op: case_id}}, {field: {"$ne": None}}]}
    return {"$or": [{field: {op: value}}, {field: value, "_id": {op: case_id}}]}


def summary(case, now):
    overdue, warning = cases.clock_state(case, now)
    a = case.get("assignment") or {}
    return {
        "id": case["_id"],
        "status": case["status"],
        "kind": case["kind"],
        "topic": case["topic"],
        "channel": case["channel"],
        "title": case["title"],
        "town": (case.get("location") or {}).get("town"),
        "received_at": isoformat(case["received_at"]),
        "lead_unit": a.get("lead_unit"),
        "co_units": a.get("co_units") or [],
        "due_at": isoformat(cases.due_at(case)),
        "overdue": overdue,
        "warning": warning,
        "flags": case.get("flags", []),
    }


def _entry_overdue(state, e, now):
    # `_overdue` on a queue entry (lianxin/queues.py FIELDS; dates and `now` in epoch ms)
    if state not in RUNNING:
        return False
    return e["x"] < now if "x" in e else ("d" in e and e["d"] < now)


def _entry_keeps(filters, now):
    """`query_for`'s filters other than unit and state, on a queue entry: a `queues.Keep`
    whose test (state, entry) -> bool gives the same answer the store's query gives for the
    case, with the entry fields it reads, the texts an entry it accepts holds and the parts
    that can hold such an entry (an overdue case is due before now, whatever its extension:
    its part begins before now; a yellow-marked one, past its mark and not yet due, is in a
    part whose `ym` is past and whose `xm` is not); None when there are none."""
    moment, now = now, queues.ms(now)
    tests, fields, needles, parts = [], set(), [], {}

    def texts(values):  # as `queues.entry` writes them
        return tuple(json.dumps(v, ensure_ascii=False) for v in sorted(values))

    for name, field in (("topic", "t"), ("channel", "h"), ("kind", "k"), ("town", "n")):
        values = set(_csv(filters.get(name)))
        if values:
            tests.append(lambda s, e, f=field, v=values: e.get(f) in v)
            fields.add(field)
            needles.append(texts(values))
    flags = set(_csv(filters.get("flag")))
    if flags:
        tests.append(lambda s, e: bool(flags & set(e.get("f") or ())))
        fields.add("f")
        needles.append(texts(flags))
    if filters.get("overdue") is not None:
        wanted = bool(filters["overdue"])
        tests.append(lambda s, e: _entry_overdue(s, e, now) == wanted)
        fields |= {"d", "x"}
        if wanted:
            parts["p"] = {"$lt": moment}
    level = filters.get("warning")

    def marked(s, e):  # running and past its yellow mark
        return s in RUNNING and "y" in e and e["y"] <= now

    if level == "red":
        tests.append(lambda s, e: _entry_overdue(s, e, now))
        parts["p"] = {"$lt": moment}
    elif level == "yellow":
        tests.append(lambda s, e: marked(s, e) and not _entry_overdue(s, e, now))
        parts.update(ym={"$lte": moment}, xm={"$gte": moment})
    elif level:
        tests.append(lambda s, e: not marked(s, e))
    if level:
        fields |= {"d", "x", "y"}
    if filters.get("from"):
        start = queues.ms(parse_iso(filters["from"]))
        tests.append(lambda s, e: "r" in e and e["r"] >= start)
        fields.add("r")
    if filters.get("to"):
        end = queues.ms(parse_iso(filters["to"]))
        tests.append(lambda s, e: "r" in e and e["r"] < end)
        fields.add("r")
    if not tests:
        return None  # every entry
    return queues.Keep(
        lambda state, e: all(test(state, e) for test in tests),
        frozenset(fields),
        tuple(needles),
        parts,
    )


def _queue_states(filters):
    """The states a list selects when they are all queue states (`queues.STATES`), else
    None: its status filter, or the running states that overdue and red or yellow imply."""
    states = _csv(filters.get("status"))
    if not states and (filters.get("overdue") or filters.get("warning") in ("red", "yellow")):
        states = RUNNING
    return states if states and set(states) <= set(queues.STATES) else None


# What `_from_queues` answers (with `_entry_keeps`); a list asking anything else — text, or a
# filter added to `query_for` and not there — is read from `cases`.
QUEUE_PARAMS = {"status", "unit", "topic", "channel", "kind", "town", "flag", "overdue"}
QUEUE_PARAMS |= {"warning", "from", "to", "sort", "cursor", "page", "limit"}


def _from_queues(db, now, filters, actor, sort, limit, skip):
    """A list of open cases from the queue documents — its states all queue states, any
    other filter but text, any sort — or None when they do not serve it (decision 0032)."""
    states = _queue_states(filters)
    asked = {name for name, value in filters.items() if value not in (None, "")}
    if states is None or asked - QUEUE_PARAMS:
        return None
    unit = actor["unit"] if actor["role"] in UNIT_ROLES else filters.get("unit")
    if unit:
        units = [unit]
    else:  # the office: every unit's queues, and the answered cases no unit handled
        units = [u["_id"] for u in db.units.find({}, {"_id": 1})] + [queues.NO_UNIT]
    after = _decode(filters["cursor"]) if filters.get("cursor") else None
    keep = _entry_keeps(filters, now)
    return queues.page(db, units, states, keep, sort, after, limit, skip, now)


def _sliced(filters, actor):
    """Do slices of received time serve this list? The store's planner reads a slice by
    `received_at` (`lianxin/hot_queries.py`; a flag's by the index of flags and received
    time, decision 0039), except when the list is a unit's over every state: then it picks the
    index of the lead unit, which a slice does not narrow, and each slice would read the
    unit's every case again."""
    unit_wide = actor["role"] in UNIT_ROLES or filters.get("unit")
    return not (unit_wide and not filters.get("status"))


# How a newest-first list reads back in time (decision 0047): a first slice of an hour, each
# next one as long as the cases found so far say it must be, up to 64 days back, then the rest;
# a slice holding more than the page wants is shortened, to no less than a minute.
FIRST_SPAN = timedelta(hours=1)
LAST_SPAN = timedelta(days=64)
SHORTEST = timedelta(minutes=1)
NEWEST = [("received_at", -1), ("_id", -1)]


def _next_length(length, held, wanted):
    """How long the next, older slice is after one `length` long that held `held` cases,
    when the page still wants `wanted`: as long as that rate says holds them and a quarter
    again, but at most twice as long (a rate from few cases is unsure); twice as long when
    it held none."""
    if not held:
        return length * 2
    return length * min(wanted * 1.25 / held, 2)


def _newest_first(db, query, top, after_id, limit, skip):
    """The cases of `query`, newest received first (ties by id), after the cursor (`top`, its
    time, and `after_id`, its case's id) if there is one, `skip` of them left out, `limit`
    kept: the store's page, read in slices of received time going back from `top` (now, or
    the cursor's time) until the page is full. After a cursor, first the cases received at
    its time with a lower id; then every case received since `top` minus an hour (before
    `top`, after a cursor), each next slice an older stretch as long as `_next_length` says,
    and once 64 days are behind, the rest (received earlier, or never when there is no
    cursor). Every case of a slice comes before every case of an older one (received_at is a
    date whenever it is set; a case without one, or of another type, sorts after every date).

    The local store's sorted read checks the type of the sort keys of every case its filter
    selects (decision 0015, "sort pushdown"); an unsorted read with a limit stops at it. So a
    slice is first read unsorted, for one case more than the page still wants: if that is
    all it holds, its cases are sorted here (by received_at and id, newest first: case ids
    are texts) and the next slice read; if it holds more, it is shortened to its newer half
    (or the stretch its cases read span, if shorter) and read again, down to a minute, and
    then read sorted — a page costs about the cases received since its oldest row and a few
    reads more, however busy the day behind a quiet night. The cursor is read as bounds,
    never as the `$or` of `_after`: the store's planner would walk every case received
    before the cursor for its first branch. None when `top` is unknown (the caller reads
    without slices)."""
    if top is None:
        return None
    rows, left = [], skip

    def where(bound):
        return {"$and": [query, bound]} if query else bound

    def sorted_read(bound):  # the rest of the page from one stretch, sorted by the store
        found = db.cases.find(where(bound)).sort(NEWEST)
        rows.extend((found.skip(left) if left else found).limit(limit - len(rows)))

    def take(found):  # every case of a slice, in the page's order
        nonlocal left
        out = min(left, len(found))
        left -= out
        rows.extend(found[out : out + limit - len(rows)])

    if after_id is not None:  # the cursor's ties: a few at most
        ties = db.cases.find(where({"received_at": top, "_id": {"$lt": after_id}}))
        take(sorted(ties, key=itemgetter("_id"), reverse=True))
    end, length = top, FIRST_SPAN
    while len(rows) < limit:
        start = end - length
        if start <= top - LAST_SPAN:
            sorted_read({"received_at": {"$lt": end} if after_id else {"$not": {"$gte": end}}})
            return rows
        upper = {"$lt": end} if end != top or after_id is not None else {}
        bound = {"received_at": {"$gte": start, **upper}}
        wanted = left + limit - len(rows)
        found = list(db.cases.find(where(bound)).limit(wanted + 1))
        if len(found) <= wanted:  # the whole slice
            take(sorted(found, key=itemgetter("received_at", "_id"), reverse=True))
            end, length = start, _next_length(length, len(found), left + limit - len(rows))
        elif length > SHORTEST:  # more than the page wants: a shorter slice
            times = [c["received_at"] for c in found]
            length = max(min(length / 2, max(times) - min(times)), SHORTEST)
        else:
            sorted_read(bound)  # it holds more than the page still wants: the page is full
    return rows


def list_cases(db, now, filters, actor):
    sort = filters.get("sort") or "-received_at"
    if sort not in SORTS:
        raise BadRequest("unknown sort", {"sort": sort, "allowed": list(SORTS)})
    field, direction = SORTS[sort]
    limit = min(int(filters.get("limit") or 50), MAX_PAGE)
    query = chosen = query_for(filters, actor, now)  # `chosen`: without the cursor
    if filters.get("cursor"):
        query = (
            {"$and": [query, _after(field, direction, filters["cursor"])]}
            if query
            else _after(field, direction, filters["cursor"])
        )
    skip = (int(filters["page"]) - 1) * limit if filters.get("page") else 0
    rows = _from_queues(db, now, filters, actor, sort, limit + 1, skip)
    if rows is None and sort == "-received_at" and _sliced(filters, actor):
        top, after_id = _decode(filters["cursor"]) if filters.get("cursor") else (now, None)
        rows = _newest_first(db, chosen, top, after_id, limit + 1, skip)
    if rows is None:
        found = db.cases.find(query).sort([(field, direction), ("_id", direction)])
        if skip:
            found = found.skip(skip)
        rows = list(found.limit(limit + 1))
    more, rows = len(rows) > limit, rows[:limit]
    items = [summary(c, now) for c in rows]
    last = rows[-1] if rows else None
    nxt = None
    if more and last is not None:
        value = (
            last.get("received_at")
            if field == "received_at"
            else (last.get("assignment") or {}).get("due_at")
        )
        nxt = _encode(value, last["_id"])
    return {"items": items, "next_cursor": nxt}


def public_case(db, now, case_id, code):
    """The citizen's view; a wrong or missing code is indistinguishable from no such case."""
    case = (
        db.cases.find_one({"_id": case_id}) if cases.TRACKING_NUMBER.match(case_id or "") else None
    )
    if case is None or not code_matches(case, code):
        raise NotFound("no case with this tracking number and access code", {})
    return cases.public_view(case, now)


def citizen_cases(db, now, key, actor):
    """A petitioner's history (office staff), newest first."""
    if actor.get("role") not in OFFICE_ROLES:
        raise Forbidden("a petitioner's history is for the office", {})
    entries = (db.citizen_index.find_one({"_id": key}) or {}).get("cases", [])
    if not entries:
        raise NotFound("no cases under this citizen key", {"key": key})
    found = [
        db.cases.find_one({"_id": e["id"]})
        for e in sorted(entries, key=lambda e: (e["at"], e["id"]), reverse=True)
    ]
    return {
        "key": key,
        "count": len([c for c in found if c]),
        "items": [cases.staff_view(c, actor, now) for c in found if c],
    }
