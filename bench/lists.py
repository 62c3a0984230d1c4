"""The staff lists of issue 14 read in process (`services/reading/queries.py list_cases`, the
reading service's code without the bus and the gateway), on a store filled by
bench/generate.py: what reading the queues' parts costs, apart from the transport.

The lists are `bench.reads`'s, as its users ask them (read from the store's `users`). Each
is read once (its page kept), then `--runs` times; every run must give the same page. A list
newest first (read from `cases` in slices of received time) is timed on its second page too,
by the first page's cursor. Prints the median and max per list, the store's size, its queue
documents and the machine's load.
`--now` is the moment the lists are read at: the generator's `--now`, so that overdue and
yellow mean what they meant when the store was made.

Usage: python -m bench.lists --uri mongodb://127.0.0.1:27028/ --db lx1m
  --now 2026-11-28T00:00:00Z [--runs 9]
"""

import argparse
import os
import platform
import statistics
import time
from datetime import datetime, timedelta, timezone

from bench.reads import QUEUES
from lianxin import store
from lianxin.clock import parse_iso
from services.reading import queries


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--uri", default=os.environ.get("LX_TEST_MONGO_URI", "mongodb://127.0.0.1:27018/")
    )
    ap.add_argument("--db", default="lianxin_bench")
    ap.add_argument("--now", required=True, help="the moment the lists are read at (ISO 8601)")
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    db = store.database(args.uri, args.db)
    now = parse_iso(args.now)
    print(
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {platform.node()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; db {args.db}: "
        f"{db.cases.estimated_document_count()} cases, "
        f"{db.queues.estimated_document_count()} queue documents; read at {args.now}",
        flush=True,
    )
    for user, name, filters in QUEUES:
        found = db.users.find_one({"_id": user})
        if found is None:
            raise SystemExit(f"{name}: no user {user} in {args.db} (made by bench.generate)")
        actor = {"username": user, "role": found.get("role"), "unit": found.get("unit")}
        asked = {**filters, "limit": 50}
        if asked.get("from") == "90d":
            asked["from"] = (now - timedelta(days=90)).isoformat()
        first = _timed(db, now, asked, actor, name, args.runs)
        newest = asked.get("sort", "-received_at") == "-received_at"
        if newest and first["next_cursor"]:
            asked["cursor"] = first["next_cursor"]
            _timed(db, now, asked, actor, f"{name}, page 2", args.runs)


def _timed(db, now, asked, actor, name, runs):
    """Read a list once, then `runs` times, print the figures; the page."""
    first = queries.list_cases(db, now, asked, actor)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        again = queries.list_cases(db, now, asked, actor)
        times.append((time.perf_counter() - started) * 1000)
        if again != first:
            raise SystemExit(f"{name}: a run gave another page")
    print(
        f"  {name:<44} median {statistics.median(times):7.1f} ms  max {max(times):7.1f} ms"
        f"  ({len(first['items'])} rows)",
        flush=True,
    )
    return first


if __name__ == "__main__":
    main()
