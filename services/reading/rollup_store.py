"""Statistics rollups in the store (docs/decisions/0021): kept from the case events exactly
once under any number of replicas, folded by one sweeper at a time, read by the reports, and
rebuilt from the cases after a restore.

    python -m services.reading.rollup_store rebuild-rollups     # after a restore

Collections:
- `stat_cases` (`_id` = case id): the case version last taken into account and its
  contribution (`rollups.contribution`).
- `stat_deltas` (`_id` = "<case id>@<version it starts from>"): one change of a case's
  contribution, from the version in `stat_cases` to the case's current one. Its id is the
  transition itself, so a redelivered or concurrent event that sees the same `stat_cases`
  version writes the same id and loses the unique insert: each transition is recorded once.
- `stat_rollups` (`_id` = "d:2026-07-01" or "m:2026-07"): the folded sums of a local day and
  month, with the batches of deltas already folded into it (`batches`, the last few).
- `stat_best` (`_id` = day): the day's best-handled cases, at most five.

Recording costs an event two `_id` reads (the case, `stat_cases`) and two writes; the fold
reads only the pending deltas (index `folded`) and the documents they touch; a query reads a
few rollup documents by `_id`, the pending deltas, and the cases of a partial day if asked.
"""

import json
import logging
import sys
import uuid
from datetime import timedelta

from pymongo.errors import DuplicateKeyError

from lianxin import settings, store
from lianxin.clock import exact_utcnow

from . import rollups, stats

log = logging.getLogger(__name__)
PROJECTION = {**stats.PROJECTION, "version": 1}
KEEP_BATCHES = 50
KEEP_FOLDED = timedelta(days=1)  # folded deltas answer late duplicates for this long


def _enc(value):
    """Contributions and rollup bodies are stored as one JSON string each: the local store
    reads a document with thousands of keys at a few µs a byte, a string at a fraction."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _dec(text):
    return json.loads(text) if text is not None else None


def _load_delta(d):
    if d is not None:
        d["old"], d["new"] = _dec(d["old"]), _dec(d["new"])
    return d


def _load_rollup(doc):
    if doc is None:
        return None
    return {**{k: v for k, v in doc.items() if k != "body"}, **_dec(doc["body"])}


def _store_rollup(doc):
    body = {k: doc[k] for k in ("n", "ids", "open")}
    return {**{k: v for k, v in doc.items() if k not in body}, "body": _enc(body)}


def _delta_id(case_id, version):
    return f"{case_id}@{version:08d}"


def record(db, case_id, tz=None):
    """Take the case's current state into its rollups (idempotent; any order, any replica).
    Returns True if a new transition was recorded."""
    tz = tz or settings.TIMEZONE
    case = db.cases.find_one({"_id": case_id}, PROJECTION) if isinstance(case_id, str) else None
    if case is None:
        return False
    version = case.get("version", 1)
    for _ in range(10):
        seen = db.stat_cases.find_one({"_id": case_id}) or {"v": 0, "c": None}
        if seen["v"] >= version:
            return False
        day, month = rollups.day_and_month(case["received_at"], tz)
        delta = {
            "_id": _delta_id(case_id, seen["v"]),
            "case_id": case_id,
            "day": day,
            "month": month,
            "from": seen["v"],
            "v": version,
            "old": seen["c"],
            "new": _enc(rollups.contribution(case)),
            "folded": False,
            "batch": None,
        }
        try:
            db.stat_deltas.insert_one(delta)
            mine = True
        except DuplicateKeyError:  # someone recorded this transition: catch up with it
            delta, mine = db.stat_deltas.find_one({"_id": delta["_id"]}), False
            if delta is None:
                continue
        _advance(db, delta)  # contributions still encoded: stat_cases keeps them so
        if mine:
            return True
    return False


def _advance(db, delta):
    """`stat_cases` moves on to the delta's version (a compare-and-set; also done by the fold,
    so a recorder that died between the insert and this leaves nothing behind)."""
    doc = {"v": delta["v"], "c": delta["new"]}
    if delta["from"] == 0:
        try:
            db.stat_cases.insert_one({"_id": delta["case_id"], **doc})
        except DuplicateKeyError:
            pass
    else:
        db.stat_cases.update_one({"_id": delta["case_id"], "v": delta["from"]}, {"$set": doc})


def fold(db, tz=None, limit=2000, real_now=None):
    """Fold pending deltas into the rollups (one folder at a time: run under a lease). A
    batch is named in the deltas before it is folded and in each rollup document it changes,
    so a fold that died midway is finished by the next without counting anything twice.
    Returns how many deltas were folded."""
    tz = tz or settings.TIMEZONE
    real_now = real_now or exact_utcnow()
    pending = [
        _load_delta(d) for d in db.stat_deltas.find({"folded": False}).sort("_id", 1).limit(limit)
    ]
    if not pending:
        return 0
    fresh = [d["_id"] for d in pending if d.get("batch") is None]
    if fresh:
        batch = uuid.uuid4().hex
        db.stat_deltas.update_many(
            {"_id": {"$in": fresh}, "batch": None}, {"$set": {"batch": batch}}
        )
        for d in pending:
            if d.get("batch") is None:
                d["batch"] = batch
    batches = {}
    for d in pending:
        batches.setdefault(d["batch"], []).append(d)
    for batch, deltas in batches.items():
        _fold_batch(db, batch, deltas, tz)
        for d in deltas:
            _advance(db, {**d, "new": _enc(d["new"])})
        db.stat_deltas.update_many(
            {"_id": {"$in": [d["_id"] for d in deltas]}},
            {"$set": {"folded": True, "folded_at": real_now}},
        )
    db.stat_deltas.delete_many({"folded_at": {"$lt": real_now - KEEP_FOLDED}})
    return len(pending)


def _fold_batch(db, batch, deltas, tz):
    targets = {}
    for d in deltas:
        targets.setdefault(f"d:{d['day']}", []).append(d)
        targets.setdefault(f"m:{d['month']}", []).append(d)
    for key, mine in targets.items():
        for _ in range(10):
            doc = _load_rollup(db.stat_rollups.find_one({"_id": key}))
            if doc and batch in doc.get("batches", []):
                break  # folded before the last fold died
            new = doc or {"_id": key, **rollups.empty(), "rev": 0, "batches": []}
            for d in mine:
                rollups.fold(new, d["case_id"], d["old"], d["new"])
            new["batches"] = [*new.get("batches", []), batch][-KEEP_BATCHES:]
            rev, new["rev"] = new["rev"], new["rev"] + 1
            if doc is None:
                try:
                    db.stat_rollups.insert_one(_store_rollup(new))
                    break
                except DuplicateKeyError:
                    continue
            stored = _store_rollup(new)
            if db.stat_rollups.replace_one({"_id": key, "rev": rev}, stored).modified_count:
                break
    days = {}
    for d in deltas:
        if (d["old"] or {}).get("best") is not None or (d["new"] or {}).get("best") is not None:
            days.setdefault(d["day"], []).append(d)
    for day, mine in days.items():
        doc = db.stat_best.find_one({"_id": day}) or {"_id": day, "best": [], "batches": []}
        if batch in doc["batches"]:
            continue
        best, complete = doc["best"], True
        for d in mine:
            best, ok = rollups.best_update(best, d["case_id"], d["old"], d["new"])
            complete = complete and ok
        if not complete:
            best = _best_of_day(db, day, tz)
        doc.update(best=best, batches=[*doc["batches"], batch][-KEEP_BATCHES:])
        db.stat_best.replace_one({"_id": day}, doc, upsert=True)


def _best_of_day(db, day, tz):
    """The day's best-handled cases recounted from its closed cases (when one of the five
    left and the sixth is not kept)."""
    start, end = rollups.day_bounds(day, tz)
    best = []
    for case in db.cases.find(
        {"status": "closed", "received_at": {"$gte": start, "$lt": end}}, PROJECTION
    ):
        c = rollups.contribution(case)
        if c and c["best"] is not None:
            best.append(rollups.best_entry(c["best"], case["_id"]))
    return sorted(best)[: rollups.BEST_KEEP]


def read(db, start, end, tz=None):
    """The rollup of cases received in [start, end) — whole months and days from their
    documents with the deltas not folded yet, partial days from the cases — and the best-
    handled cases of the period ([(handling ms, case id)], fastest first)."""
    return read_spans(db, [(start, end)], tz)[0]


def read_spans(db, spans, tz=None):
    """`read` of each of several disjoint periods [(start, end)] (the weeks of a period), in one
    read of their rollup documents, of the pending deltas and of the best cases."""
    tz = tz or settings.TIMEZONE
    parts = [rollups.pieces(start, end, tz) for start, end in spans]
    keys_of = [[f"{kind}:{name}" for kind, name, *_ in p if kind in ("m", "d")] for p in parts]
    keys = sorted({k for ks in keys_of for k in ks})
    found = db.stat_rollups.find({"_id": {"$in": keys}}) if keys else []
    docs = {d["_id"]: _load_rollup(d) for d in found}
    # deltas recorded but not folded yet (a fold runs every few seconds)
    pending = (
        [_load_delta(d) for d in db.stat_deltas.find({"folded": False}).sort("_id", 1)]
        if keys
        else []
    )
    days_of = [_days_of(p) for p in parts]
    every_day = sorted({day for days in days_of for day in days})
    kept = (
        {doc["_id"]: doc["best"] for doc in db.stat_best.find({"_id": {"$in": every_day}})}
        if every_day
        else {}
    )
    out = []
    for span_parts, span_keys, days in zip(parts, keys_of, days_of, strict=True):
        doc = rollups.empty()
        for key in span_keys:
            if key in docs:
                rollups.merge(doc, docs[key])
        late = []
        for d in pending:
            for key in (f"d:{d['day']}", f"m:{d['month']}"):
                if key in span_keys and d.get("batch") not in docs.get(key, {}).get("batches", []):
                    late.append(d)
        for d in late:
            rollups.fold(doc, d["case_id"], d["old"], d["new"])
        best = []
        if days:
            for day in days:
                best += kept.get(day, [])
            for d in late:
                best = [b for b in best if rollups.best_parse(b)[1] != d["case_id"]]
                if d["new"] and d["new"]["best"] is not None:
                    best.append(rollups.best_entry(d["new"]["best"], d["case_id"]))
        for kind, *span in span_parts:
            if kind == "cases":
                cases = db.cases.find(
                    {"received_at": {"$gte": span[0], "$lt": span[1]}}, PROJECTION
                )
                for case in cases:
                    c = rollups.contribution(case)
                    rollups.fold(doc, case["_id"], None, c)
                    if c and c["best"] is not None:
                        best.append(rollups.best_entry(c["best"], case["_id"]))
        out.append((doc, [rollups.best_parse(b) for b in sorted(best)[: rollups.BEST_KEEP]]))
    return out


def _days_of(parts):
    days = []
    for kind, name, *_ in parts:
        if kind == "d":
            days.append(name)
        elif kind == "m":
            days += rollups.days_of_month(name)
    return days


def rebuild(db, tz=None, batch=5000, out=print):
    """Rebuild every rollup from the cases (after a restore, or to check): the cases are read
    once; `stat_cases`, the rollups and the best cases are written anew."""
    tz = tz or settings.TIMEZONE
    for name in ("stat_cases", "stat_deltas", "stat_rollups", "stat_best"):
        db[name].drop()
    store.ensure_indexes(db)
    docs, best, seen = {}, {}, []
    count = 0
    for case in db.cases.find({}, PROJECTION):
        c = rollups.contribution(case)
        seen.append({"_id": case["_id"], "v": case.get("version", 1), "c": _enc(c)})
        day, month = rollups.day_and_month(case["received_at"], tz)
        for key in (f"d:{day}", f"m:{month}"):
            rollups.fold(docs.setdefault(key, rollups.empty()), case["_id"], None, c)
        if c and c["best"] is not None:
            kept = best.setdefault(day, [])
            kept.append(rollups.best_entry(c["best"], case["_id"]))
            if len(kept) > 4 * rollups.BEST_KEEP:
                kept.sort()
                del kept[rollups.BEST_KEEP :]
        count += 1
        if len(seen) >= batch:
            db.stat_cases.insert_many(seen, ordered=False)
            seen = []
    if seen:
        db.stat_cases.insert_many(seen, ordered=False)
    if docs:
        db.stat_rollups.insert_many(
            [_store_rollup({"_id": k, **v, "rev": 0, "batches": []}) for k, v in docs.items()]
        )
    if best:
        db.stat_best.insert_many(
            [
                {"_id": day, "best": sorted(b)[: rollups.BEST_KEEP], "batches": []}
                for day, b in best.items()
            ]
        )
    out(f"rebuilt the rollups of {count} cases: {len(docs)} day and month documents")
    return count


def main(argv):
    if argv[1:] != ["rebuild-rollups"]:
        raise SystemExit("usage: python -m services.reading.rollup_store rebuild-rollups")
    rebuild(store.database())


if __name__ == "__main__":
    main(sys.argv)
