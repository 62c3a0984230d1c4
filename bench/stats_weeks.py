"""Benchmark: the weekly trend as one `group_by=week` read against one statistics read per week
(what the dashboard did before), and the appeals list of a quarter (decision 0029). Not a
test; prints figures.

    .venv/bin/python -m bench.stats_weeks [N] [APPEALED]     # default N = 20000, 1 in 40

Loads N generated cases (tests/county_generator.py, most of them received in 2026Q3) into a
fresh database of the store at LX_MONGO_URI (the tests' FerretDB by default), marks one closed
dissatisfied case in APPEALED as appealed (half of them decided), rebuilds the rollups, then
times each read as the reading service runs it and prints whether the weeks equal the per-week
reads, and how the local store plans the appeals query. Drops the database at the end.
"""

import os
import sys
import uuid
from datetime import timedelta

from bench.stats_rollups import timed
from lianxin import demo, store
from lianxin.clock import utcnow
from services.reading import appeals, reports, rollup_store, rollups
from tests.county_generator import Q3_END, Q3_START, generate

LEADER = {"username": "bench", "role": "leader"}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    every = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    uri = os.environ.get("LX_MONGO_URI", "mongodb://127.0.0.1:27018/")
    db = store.database(uri, f"bench_{uuid.uuid4().hex[:8]}")
    try:
        demo.load(db)
        store.ensure_indexes(db)
        now = utcnow()
        cases, _ = generate(n, now)
        for i, c in enumerate(cases):
            visit = c.get("return_visit") or {}
            if c["status"] == "closed" and visit.get("satisfaction") == "dissatisfied":
                if i % every == 0:
                    at = c.get("closed_at") or c["received_at"] + timedelta(days=9)
                    c["appeal"] = {"reason": "bench", "by": "env_leader", "at": at}
                    c["appeal"]["status"] = "pending" if i % (2 * every) else "upheld"
        for i in range(0, n, 5000):
            db.cases.insert_many(cases[i : i + 5000])
        appealed = sum(1 for c in cases if c.get("appeal"))
        del cases
        rollup_store.rebuild(db, out=lambda *_: None)
        print(f"{n} cases, {appealed} appealed; the quarter 2026Q3, from the rollups:")
        weekly = timed(
            "stats group_by=week (one read)",
            lambda: reports.stats_report(db, now, LEADER, Q3_START, Q3_END, "week"),
        )
        spans = rollups.weeks(Q3_START, Q3_END, "Asia/Shanghai")
        one_by_one = timed(
            f"stats of each week, {len(spans)} reads",
            lambda: [reports.stats_report(db, now, LEADER, s, e, "kind") for _, s, e in spans],
        )
        same = all(
            {k: v for k, v in g.items() if k not in ("key", "name", "from", "to")} == o["totals"]
            for g, o in zip(weekly["groups"], one_by_one, strict=True)
        )
        print(f"  the weeks equal the per-week reads: {same} ({len(spans)} weeks)")
        listed = timed(
            "appeals of the quarter",
            lambda: appeals.appeal_list(db, LEADER, Q3_START, Q3_END),
        )
        print(f"  appeals listed: {len(listed['items'])} {listed['counts']}")
        plan = db.command(
            "explain",
            {
                "find": "cases",
                "filter": appeals.query(Q3_START, Q3_END),
                "sort": dict(appeals.SORT),
                "limit": appeals.LIMIT + 1,
            },
        )
        steps = [s.split("detail=")[-1] for s in plan.get("queryPlanner", {}).get("Plan") or []]
        print(f"  appeals query: filterPushdown={plan.get('filterPushdown')}, plan={steps}")
    finally:
        store.client(uri).drop_database(db.name)


if __name__ == "__main__":
    main()
