"""Benchmark: statistics, assessment, bulletin and public statistics for a quarter read from the
rollups (docs/decisions/0021), checked against a recount (not a test; prints figures).

    .venv/bin/python -m bench.stats_rollups [N] [--no-recount]     # default N = 100000
    .venv/bin/python -m bench.stats_rollups --existing DB [--no-recount]

Loads N generated cases (tests/county_generator.py, most of them received in 2026Q3: a
quarter far larger than a county's) into a fresh database of the store at LX_MONGO_URI (the
tests' FerretDB, 127.0.0.1:27018, by default), rebuilds the rollups (`rebuild-rollups`,
timed), then times each report as the supervision service runs it, from the rollups, and
once from a recount of the cases; prints whether both gave the same figures. Drops the
database at the end. With `--existing DB` it uses that database of the store as it is (a
`bench.generate` store: 1 M cases over two years hold the whole of 2026Q3), rebuilds its
rollups the same way and keeps it.
"""

import os
import sys
import time
import uuid

from lianxin import demo, settings, store
from lianxin.clock import utcnow
from services.reading import reports, rollup_store
from tests.county_generator import Q3_END, Q3_START, generate

LEADER = {"username": "bench", "role": "leader"}


def timed(label, fn, repeat=3):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    print(f"  {label:<32} best {min(times) * 1000:8.1f} ms, worst {max(times) * 1000:8.1f} ms")
    return result


def all_reports(db, now, repeat):
    tz = settings.TIMEZONE
    out = {}
    for by in ("unit", "topic", "town", "channel", "kind"):
        out[by] = timed(
            f"stats group_by={by}",
            lambda by=by: reports.stats_report(db, now, LEADER, Q3_START, Q3_END, by),
            repeat,
        )
    out["assessment"] = timed(
        "assessment", lambda: reports.assessment(db, now, LEADER, Q3_START, Q3_END), repeat
    )
    out["bulletin"] = timed(
        "bulletin 2026Q3 (JSON)", lambda: reports.bulletin(db, now, LEADER, "2026Q3", tz), repeat
    )
    out["public"] = timed(
        "public statistics 2026Q3", lambda: reports.public_stats(db, now, "2026Q3", tz), repeat
    )
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    uri = os.environ.get("LX_MONGO_URI", "mongodb://127.0.0.1:27018/")
    existing = args[0] if "--existing" in sys.argv else None
    db = store.database(uri, existing or f"bench_{uuid.uuid4().hex[:8]}")
    try:
        now = utcnow()
        if existing:
            print(f"database {existing} as it is")
        else:
            n = int(args[0]) if args else 100_000
            demo.load(db)
            cases, key = generate(n, now)
            t = time.perf_counter()
            for i in range(0, n, 5000):
                db.cases.insert_many(cases[i : i + 5000])
            del cases
            print(
                f"loaded {n} cases in {time.perf_counter() - t:.1f} s "
                f"({key['all']['all']['total']} counted in 2026Q3)"
            )
        t = time.perf_counter()
        count = rollup_store.rebuild(db, out=lambda *_: None)
        print(f"rebuild-rollups: {count} cases in {time.perf_counter() - t:.1f} s", flush=True)
        print("from the rollups:")
        rolled = all_reports(db, now, 3)
        if "--no-recount" not in sys.argv:
            print("from a recount of the cases (the old way):", flush=True)
            reports.PERIOD = reports.Recount
            recount = all_reports(db, now, 1)
            same = [name for name in rolled if rolled[name] == recount[name]]
            print(f"equal to the recount: {len(same)} of {len(rolled)} reports ({', '.join(same)})")
    finally:
        if not existing:
            store.client(uri).drop_database(db.name)


if __name__ == "__main__":
    main()
