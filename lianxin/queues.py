"""Queue documents: the cases a unit owes in each state, with their due times, kept beside
`cases` so that a queue page by time left is a few `_id` lookups whatever the store holds
(issue 14; decision 0020).

One document per unit and state, `_id` = "<unit>|<state>", `c` = {case id: due time}, for
the states whose queues are read by time left (`STATES`). A case is in the document of its
lead unit and of each co-unit. The one door for case writes (`lianxin/casestore.py`) calls
`follow` after every change it stores, so the documents follow the cases; they are a
projection, never the truth: a page re-reads its cases by id and checks each against the
queue it came from, and one that does not match (a crash between the case's write and its
queue's) is put right and the page is read from `cases` instead. `rebuild` makes them again
from `cases` (after a restore: `python -m lianxin.queues --rebuild`).

The same on MongoDB and on the local store: `_id` lookups and single-document updates.
"""

import argparse

from . import cases

# The states whose queues staff read by time left (web/src/staff/queues.ts).
STATES = ("assigned", "in_progress", "return_requested", "replied")


def key(unit, state):
    return f"{unit}|{state}"


def entries(case):
    """{queue key: due time} of the queues a case belongs in (none once it is answered)."""
    if not case or case.get("status") not in STATES:
        return {}
    due = (case.get("assignment") or {}).get("due_at")
    return {key(unit, case["status"]): due for unit in cases.units_of(case)}


def sync(db, case_id, before, after):
    """Move a case from the queues of `before` to those of `after` (either may be None)."""
    old, new = entries(before), entries(after)
    for k in old.keys() - new.keys():
        db.queues.update_one({"_id": k}, {"$unset": {f"c.{case_id}": ""}})
    for k, due in new.items():
        if k not in old or old[k] != due:
            db.queues.update_one({"_id": k}, {"$set": {f"c.{case_id}": due}}, upsert=True)


def follow(db, before, case_id=None):
    """After a stored change of a case: read its state now and move it between queues."""
    case_id = case_id or before["_id"]
    after = db.cases.find_one({"_id": case_id}, {"status": 1, "assignment": 1})
    sync(db, case_id, before, after)


def page(db, units, states, after, limit):
    """The first `limit` cases (documents) of the queues of `units` × `states`, by
    (due time, id) ascending, nulls first, strictly after the cursor `after` = (due, id);
    None when a queue does not match its cases (then put right: read `cases` instead)."""
    keys = [key(u, s) for u in units for s in states]
    due: dict[str, object] = {}
    for doc in db.queues.find({"_id": {"$in": keys}}):
        due.update(doc.get("c") or {})
    order = sorted(due.items(), key=lambda item: _sort_key(item[1], item[0]))
    if after is not None:
        cursor = _sort_key(*after)
        order = [item for item in order if _sort_key(item[1], item[0]) > cursor]
    ids = [case_id for case_id, _ in order[:limit]]
    found = {c["_id"]: c for c in db.cases.find({"_id": {"$in": ids}})} if ids else {}
    rows, stale = [], []
    for case_id in ids:
        case = found.get(case_id)
        if _belongs(case, units, states, due[case_id]):
            rows.append(case)
        else:
            stale.append(case_id)
    for case_id in stale:  # a crash between a case's write and its queue's: put it right
        for k in keys:
            db.queues.update_one({"_id": k}, {"$unset": {f"c.{case_id}": ""}})
        sync(db, case_id, None, found.get(case_id))
    return None if stale else rows


def _sort_key(due, case_id):
    # MongoDB's ascending order: null (no due time) first, then dates; ties by id
    return (due is not None, due or 0, case_id)


def _belongs(case, units, states, due):
    if case is None or case.get("status") not in states:
        return False
    at = (case.get("assignment") or {}).get("due_at")
    same = (at is None and due is None) or (at and due and _sort_key(at, "") == _sort_key(due, ""))
    return bool(same) and bool(set(cases.units_of(case)) & set(units))


def rebuild(db, batch=1000):
    """Make every queue document again from `cases`; returns how many cases are queued."""
    queues: dict[str, dict] = {}
    for case in db.cases.find({"status": {"$in": list(STATES)}}, {"status": 1, "assignment": 1}):
        for k, due in entries(case).items():
            queues.setdefault(k, {})[case["_id"]] = due
    db.queues.delete_many({})
    docs = [{"_id": k, "c": c} for k, c in queues.items()]
    for i in range(0, len(docs), batch):
        db.queues.insert_many(docs[i : i + batch])
    return len({case_id for c in queues.values() for case_id in c})


def main():
    from . import store

    ap = argparse.ArgumentParser(description="Queue documents of the configured store")
    ap.add_argument("--rebuild", action="store_true", help="make them again from the cases")
    args = ap.parse_args()
    if args.rebuild:
        print(f"queues rebuilt: {rebuild(store.database())} cases queued")


if __name__ == "__main__":
    main()
