"""How a unit's filtered case list and its count scale with the cases stored, on the store at
--uri (the local FerretDB build; decision 0015). Inserts N cases shaped like real ones (unit,
status, topic, town, received over a year, due 7–30 days later) with the project's indexes
(`lianxin.store.ensure_indexes`), then times, for a few units:
  list:  {assignment.lead_unit: U, status: {$in: owing}, received_at: {$gte: 90 days ago}}
         sorted by assignment.due_at, _id, first 50
  count: the same filter, counted
Usage: python -m bench.store_pushdown --uri mongodb://127.0.0.1:27038/ --sizes 10000,100000
  [--pid FERRETDB_PID]  also print the store's CPU time per query (wall time on a shared
                        machine also counts the other processes' turns)
The database is dropped at the end unless --keep."""

import argparse
import os
import platform
import random
import statistics
import time
import uuid
from datetime import datetime, timedelta, timezone

import bson

from lianxin import store, workflow
from services.intake import domain

UNITS = [f"unit-{i:02d}" for i in range(40)]
TOPICS = [
    "environment",
    "traffic",
    "housing",
    "labour",
    "health",
    "education",
    "water",
    "noise",
    "safety",
    "other",
]
TOWNS = [f"town-{i:02d}" for i in range(25)]
STATUSES = list(workflow.STATES)
OWING = list(workflow.OWING_STATES)
NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)
SUBMISSION = {
    "channel": "hotline",
    "kind": "complaint",
    "topic": "noise",
    "title": "噪音扰民",
    "content": "夜间施工噪音，影响休息。" * 8,
    "location": {},
    "citizen": {"name": "测试", "phone": "13800000000"},
    "public_consent": False,
    "people_involved": 1,
    "urgency": "normal",
}


def cases(first, n, rnd, template):
    for i in range(first, first + n):
        received = NOW - timedelta(seconds=rnd.randrange(365 * 86400))
        due = received + timedelta(days=rnd.choice((7, 15, 30)))
        co = [rnd.choice(UNITS)] if rnd.random() < 0.1 else []
        yield {
            **template,
            "_id": f"LX-PD-{i:08d}",
            "status": rnd.choice(STATUSES),
            "topic": rnd.choice(TOPICS),
            "channel": rnd.choice(("hotline", "web", "mail")),
            "location": {"town": rnd.choice(TOWNS)},
            "received_at": received,
            "assignment": {
                "lead_unit": rnd.choice(UNITS),
                "co_units": co,
                "leader": None,
                "assigned_at": received,
                "claimed_at": None,
                "due_at": due,
                "extended_to": None,
            },
        }


def stored(db):
    """How many bench cases are stored (ids are consecutive): a count would read them all."""
    lo, hi = 0, 1
    while db.cases.find_one({"_id": f"LX-PD-{hi - 1:08d}"}, {"_id": 1}):
        lo, hi = hi, hi * 2
    while lo < hi:  # the first missing id is in [lo, hi)
        mid = (lo + hi) // 2
        if db.cases.find_one({"_id": f"LX-PD-{mid:08d}"}, {"_id": 1}):
            lo = mid + 1
        else:
            hi = mid
    return lo


def fill(db, upto, rnd, template, batch):
    have = stored(db)
    t = time.perf_counter()
    for first in range(have, upto, batch):
        db.cases.insert_many(
            list(cases(first, min(batch, upto - first), rnd, template)), ordered=False
        )
    added = upto - have
    took = time.perf_counter() - t
    print(f"  inserted {added} cases in {took:.1f} s ({added / took:.0f}/s)" if added else "")


def cpu_ms(pid):
    """User + system CPU time of a process so far, in ms (0 without a pid)."""
    if not pid:
        return 0.0
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def timed(fn, runs, pid=None):
    out, cpu = [], cpu_ms(pid)
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        out.append((time.perf_counter() - t) * 1000)
    return out, result, (cpu_ms(pid) - cpu) / runs


def measure(db, runs, pid):
    since = NOW - timedelta(days=90)
    rows = []
    for unit in UNITS[:3]:
        flt = {
            "assignment.lead_unit": unit,
            "status": {"$in": OWING},
            "received_at": {"$gte": since},
        }
        lst, page, lst_cpu = timed(
            lambda: list(db.cases.find(flt).sort([("assignment.due_at", 1), ("_id", 1)]).limit(50)),
            runs,
            pid,
        )
        cnt, n, cnt_cpu = timed(lambda: db.cases.count_documents(flt), runs, pid)
        rows.append((lst, cnt, len(page), n, lst_cpu, cnt_cpu))
    plan = db.command(
        "explain", {"find": "cases", "filter": flt, "sort": {"assignment.due_at": 1, "_id": 1}}
    )
    lists = [x for r in rows for x in r[0]]
    counts = [x for r in rows for x in r[1]]
    cpu = (
        f"; store CPU per list {statistics.mean(r[4] for r in rows):.0f} ms, per count "
        f"{statistics.mean(r[5] for r in rows):.0f} ms"
        if pid
        else ""
    )
    print(
        f"  list (page of {rows[0][2]}): median {statistics.median(lists):.1f} ms, "
        f"max {max(lists):.1f} ms; count ({rows[0][3]} matching): median "
        f"{statistics.median(counts):.1f} ms, max {max(counts):.1f} ms{cpu}"
    )
    print(
        f"  filterPushdown={plan.get('filterPushdown')}, "
        f"sortPushdown={plan.get('sortPushdown')}; plan: "
        + " | ".join(s.split("detail=")[-1] for s in plan.get("queryPlanner", {}).get("Plan", []))
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--uri", default=os.environ.get("LX_TEST_MONGO_URI", "mongodb://127.0.0.1:27018/")
    )
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--db", default=f"bench_pd_{uuid.uuid4().hex[:6]}")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--pid", type=int, help="the store's process id, for its CPU time")
    args = ap.parse_args()
    db = store.database(args.uri, args.db)
    info = db.command("buildInfo")
    print(
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {platform.node()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; store {args.uri} "
        f"(FerretDB {info.get('ferretdbVersion', info.get('version'))}); db {args.db}"
    )
    store.ensure_indexes(db)
    rnd = random.Random(14)
    template = domain.new_case("LX-PD-0", SUBMISSION, "ABCD2345", NOW)
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            print(f"N = {n}")
            fill(db, n, rnd, template, args.batch)
            # collStats reads every page of the SQLite file (minutes at 1 M): estimate instead
            one = len(bson.encode(db.cases.find_one({"_id": "LX-PD-00000000"})))
            count = stored(db)
            print(
                f"  store: {count} cases of ~{one / 1024:.1f} KB (BSON), "
                f"~{count * one / 2**30:.2f} GB of documents"
            )
            measure(db, args.runs, args.pid)
    finally:
        if not args.keep:
            store.client(args.uri).drop_database(args.db)


if __name__ == "__main__":
    main()
