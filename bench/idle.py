"""The idle system's cost as the store grows (issue 14: < 2 % of a core, flat; < 150 MB per
service process). For each size N, fills a database of the store at --uri with N cases
(bench/generate.py, history ending now), starts the whole system on it (bench/system.py),
lets it settle (first sweeps, the day's reminder), then measures for --seconds, with no
request made: the CPU time of every process — each service, the gateway (master and
workers), devmail, the store (FerretDB, found by its port: use a store no one else is
using meanwhile) and the broker (RabbitMQ's Erlang VM: the one of this machine, so nothing
else should use it meanwhile either) — as a share of one core, and each process's memory (RSS).

Usage: python -m bench.idle --uri mongodb://127.0.0.1:27028/ --sizes 0,10000,100000
  [--settle 60] [--seconds 120] [--keep]   or   --existing DB  (a filled database, kept)
"""

import argparse
import os
import platform
import time
import uuid
from datetime import datetime, timezone

from bench import generate, system
from lianxin import store
from lianxin.clock import utcnow


def sample(sys_, store_pid, broker_pid):
    pids = sys_.pids()
    if store_pid:
        pids["store"] = [store_pid]
    if broker_pid:
        pids["broker"] = [broker_pid]
    return {name: sum(system.cpu_seconds(p) for p in ps) for name, ps in pids.items()}, pids


def measure(uri, n, settle, seconds, keep, existing=None):
    if existing:
        db_name, keep = existing, True
        print(f"database {existing} as it is", flush=True)
    else:
        db_name = f"idle_{n}_{uuid.uuid4().hex[:6]}"
        db = store.database(uri, db_name)
        t = time.perf_counter()
        counts = generate.generate(db, n, n, progress=False, now=utcnow())
        print(
            f"N = {n}: {counts['cases']} cases, {counts['clocks']} clocks, {counts['events']} "
            f"events stored in {time.perf_counter() - t:.0f} s",
            flush=True,
        )
    spid, bpid = system.store_pid(uri), system.broker_pid()
    try:
        with system.running(uri, db_name) as sys_:
            time.sleep(settle)
            before, pids = sample(sys_, spid, bpid)
            t0 = time.perf_counter()
            time.sleep(seconds)
            after, pids = sample(sys_, spid, bpid)
            wall = time.perf_counter() - t0
            total = 0.0
            for name in after:
                share = (after[name] - before.get(name, 0)) / wall * 100
                total += share
                rss = ", ".join(f"{system.rss_mb([p]):.0f}" for p in pids[name])
                print(f"  {name:<12} {share:5.2f} % of a core   RSS {rss} MB")
            print(f"  whole system {total:5.2f} % of a core over {wall:.0f} s", flush=True)
    finally:
        if not keep:
            store.client(uri).drop_database(db_name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--uri", default="mongodb://127.0.0.1:27018/")
    ap.add_argument("--sizes", default="0,10000,100000")
    ap.add_argument("--settle", type=int, default=60)
    ap.add_argument("--seconds", type=int, default=120)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--existing", help="measure this database of the store instead (kept)")
    args = ap.parse_args()
    print(
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {platform.node()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; store {args.uri}"
    )
    if args.existing:
        return measure(args.uri, 0, args.settle, args.seconds, True, args.existing)
    for n in (int(s) for s in args.sizes.split(",")):
        measure(args.uri, n, args.settle, args.seconds, args.keep)


if __name__ == "__main__":
    main()
