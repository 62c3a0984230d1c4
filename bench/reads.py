"""Reads through the gateway over HTTP at a store's full size (issue 14: with 1 M cases and
1 M events, a staff list or queue page p95 < 100 ms; a case by id, a citizen's tracking view,
a feed page p95 < 30 ms). Starts the whole system (bench/system.py) on a database filled by
bench/generate.py, signs in as the demo county's staff, and times, each --runs times:
  case by id          GET /api/v1/cases/<id> as the supervisor (random ids of two years)
  tracking view       GET /api/v1/cases/<id>?code=… (no token; a different case each time, of
                      --runs cases a citizen submits first)
  feed page           GET /api/v1/events?after=<random cursor>&limit=100 as the supervisor
  queues and lists    GET /api/v1/cases?… as the web console's queues ask (web/src/staff/queues.ts)
Prints p50/p95/max per read, with the store's size and the machine's load.

Usage: python -m bench.reads --uri mongodb://127.0.0.1:27228/ --db lianxin [--runs 40]
"""

import argparse
import os
import platform
import random
import statistics
import time
from datetime import datetime, timedelta, timezone

import requests

from bench import system
from bench.open_cases import SUBMISSION
from bench.web_console import PASSWORD
from lianxin import store

OPEN = ("assigned", "in_progress", "return_requested", "replied")  # the open cases' queues
QUEUES = (
    ("cg_handler", "handler: to claim", {"status": "assigned", "sort": "due_at"}),
    ("cg_handler", "handler: to answer", {"status": "in_progress", "sort": "due_at"}),
    ("cg_leader", "unit leader: to sign", {"status": "in_progress", "sort": "due_at"}),
    ("env_handler", "small unit: to answer", {"status": "in_progress", "sort": "due_at"}),
    ("supervisor", "supervisor: to review", {"status": "replied", "sort": "due_at"}),
    ("dispatcher", "dispatcher: returns", {"status": "return_requested", "sort": "due_at"}),
    ("clerk", "clerk: received", {"status": "received", "sort": "-received_at"}),
    ("supervisor", "every case, newest first", {"sort": "-received_at"}),
    (
        "cg_handler",
        "unit: owing, 90 days",
        {"status": "assigned,in_progress,return_requested", "sort": "due_at", "from": "90d"},
    ),
    ("supervisor", "overdue", {"overdue": "true", "sort": "due_at"}),
    (
        "supervisor",
        "open: topic and town, newest first",
        {"status": ",".join(OPEN), "topic": "environment", "town": "城关镇"},
    ),
    ("supervisor", "yellow warnings", {"warning": "yellow", "sort": "due_at"}),
    (
        "cg_handler",
        "unit: hotline complaints owing",
        {"status": "assigned,in_progress", "channel": "hotline", "kind": "complaint"},
    ),
    # last: at 1 M these read every case of the topic, the state or the flag and keep the
    # store busy after the gateway has given up, which would slow the lists timed after them
    ("supervisor", "topic and town", {"topic": "environment", "town": "城关镇"}),
    ("supervisor", "supervisor: to visit", {"status": "answered", "sort": "received_at"}),
    ("leader_li", "leader: raised", {"flag": "final_dissatisfied", "sort": "-received_at"}),
)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


CPU = {}  # the processes whose CPU time a read costs: set in main


def cpu_ms():
    """{"store": ms, "system": ms}: CPU time so far of the store and of the system's processes."""
    return {name: sum(system.cpu_seconds(p) for p in pids) * 1000 for name, pids in CPU.items()}


class NotMeasured(Exception):
    """A read that did not answer 200: printed, and the benchmark goes on."""


def timed(fn, runs):
    """(wall ms of each run, CPU ms per run by the store and by the services and gateway).
    On a shared machine the wall time also counts other processes' turns; the CPU time is
    what one read costs."""
    out, before = [], cpu_ms()
    for i in range(runs):
        t = time.perf_counter()
        r = fn(i)
        out.append((time.perf_counter() - t) * 1000)
        if r.status_code != 200:
            raise NotMeasured(f"{r.request.url}: {r.status_code} {r.text[:300]}")
    after = cpu_ms()
    return out, {k: (after[k] - before[k]) / runs for k in after}


def report(name, measured, extra=""):
    ms, cpu = measured
    print(
        f"  {name:<26} p50 {statistics.median(ms):7.1f} ms  p95 {pct(ms, 95):7.1f} ms  "
        f"max {max(ms):7.1f} ms; CPU per read: store {cpu['store']:5.1f} ms, services and "
        f"gateway {cpu['system']:5.1f} ms{extra}",
        flush=True,
    )


def measure(name, fn, runs, extra=lambda: ""):
    try:
        measured = timed(fn, runs)
    except NotMeasured as failed:
        print(f"  {name:<26} not measured: {failed}", flush=True)
        return
    report(name, measured, extra())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--uri", default="mongodb://127.0.0.1:27228/")
    ap.add_argument("--db", default="lianxin")
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--rpc-timeout", default="60")
    args = ap.parse_args()
    db = store.database(args.uri, args.db)
    head = (db.journal_head.find_one({"_id": "journal"}) or {}).get("seq", 0)
    days = sorted(d["_id"][9:] for d in db.counters.find({"_id": {"$regex": "^case-seq:"}}))
    per_day = {d["_id"][9:]: d["seq"] for d in db.counters.find({"_id": {"$regex": "^case-seq"}})}
    total = sum(per_day.values())
    print(
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {platform.node()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; store {args.uri} "
        f"db {args.db}: {total} cases over {len(days)} days, {head} events in the feed",
        flush=True,
    )
    rnd = random.Random(20)

    def some_case(_=None):
        day = rnd.choice(days)
        return f"LX-{day}-{rnd.randint(1, per_day[day]):06d}"

    with system.running(args.uri, args.db, LX_RPC_TIMEOUT=args.rpc_timeout) as sys_:
        api = f"{sys_.url}/api/v1"
        CPU["store"] = [p for p in [system.store_pid(args.uri)] if p]
        CPU["system"] = [p for name, ps in sys_.pids().items() if name != "mail" for p in ps]
        s = requests.Session()
        tokens = {}
        for user in {q[0] for q in QUEUES} | {"supervisor"}:
            r = s.post(f"{api}/auth/token", json={"username": user, "password": PASSWORD})
            r.raise_for_status()
            tokens[user] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        sup = tokens["supervisor"]
        s.get(f"{api}/cases/{some_case()}", headers=sup)  # the first call opens the pools
        measure(
            "case by id (staff)",
            lambda i: s.get(f"{api}/cases/{some_case()}", headers=sup),
            args.runs,
        )
        # The tracking view of cases a citizen submits now: a store's generated cases share
        # one access code whose hash is keyed with the secret of the system that made them.
        tracked = []
        for i in range(args.runs):
            r = s.post(f"{api}/cases", json={**SUBMISSION, "title": f"tracking view {i}"})
            r.raise_for_status()
            tracked.append((r.json()["id"], r.json()["access_code"]))
        time.sleep(5)  # let routing and supervision take them in before the timing
        measure(
            "tracking view (citizen)",
            lambda i: s.get(f"{api}/cases/{tracked[i][0]}", params={"code": tracked[i][1]}),
            args.runs,
        )
        measure(
            "feed page of 100",
            lambda i: s.get(
                f"{api}/events",
                params={"after": rnd.randint(0, max(0, head - 100)), "limit": 100},
                headers=sup,
            ),
            args.runs,
        )
        since = (datetime.now(timezone.utc) - timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ")
        for user, name, params in QUEUES:
            params = {**params, "limit": 50}
            if params.get("from") == "90d":
                params["from"] = since
            rows = []

            def page(i, user=user, params=params, rows=rows):
                r = s.get(f"{api}/cases", params=params, headers=tokens[user])
                rows.append(len(r.json().get("items", [])))
                return r

            measure(
                f"list: {name}",
                page,
                max(5, args.runs // 4),
                lambda rows=rows: f" ({rows[0]} rows)",
            )


if __name__ == "__main__":
    main()
