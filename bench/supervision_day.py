"""Benchmark: one day of supervision over N open cases (not a test; prints figures).

    .venv/bin/python -m bench.supervision_day [N] [DAYS]   # N = 200000, DAYS = 7

Issue 14 asks for "the day's reminders, notices and warnings for 200 000 open cases" in under
a minute. `bench.supervision_sweep` times the harshest form of that: every case assigned at
the same moment, all of them owing two alerts in one sweep. This one times a day as it comes:
- N open cases, assigned evenly over the DAYS before the day starts (local midnight), each due
  DAYS after its assignment, none claimed yet (so each owes the unclaimed notice after one
  working day, a supervision notice every three days, the yellow warning at 80 % of its time
  and the red one at its deadline: more alerts than a real day, where most cases are claimed
  and many answered);
- the state a sweeping system leaves at midnight: each clock's next wake, and the alerts due
  by then recorded and marked published (written straight into the store, not timed);
- the day: one sweep every 15 minutes of business time, as the supervision service runs them
  (`sweep_clocks`, then the daily reminder pass), 96 in all, timed one by one and summed.

Every message reaching a queue bound to the exchange is counted against a recount: for each
case, the alerts `watch.evaluate` gives at the sweeps after each of its wakes that were not
sent before, and one reminder per unit. Prints the sum of the sweeps, the longest, the CPU of
the store and of this process, and the peak RSS; then drops the database and the vhost.
"""

import json
import os
import resource
import sys
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pymongo import UpdateOne

from bench.open_cases import load
from bench.supervision_sweep import UNITS, tapped_bus
from lianxin import settings, store, timers
from lianxin.clock import exact_utcnow
from services.supervision import sweeps, watch

EVERY = timedelta(minutes=15)
PAGE = 5000


def store_cpu_seconds():
    """The local store's CPU time so far (its pid file), or None when it is not ours."""
    pid_file = os.environ.get("LX_STORE_PID_FILE", "var/test-ferretdb/ferretdb.pid")
    try:
        pid = int(open(pid_file).read())
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except (OSError, ValueError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def midnight_state(db, day_start, rules):
    """Each clock as a sweep at `day_start` leaves it (its next wake), the alerts due by then
    recorded and marked published under one batch; returns {case id: keys sent}."""
    batch = "batch:before-the-day"
    sent = {}
    cases = db.cases.find({}, watch.CASE_FIELDS)
    clocks = {c["_id"]: c for c in db.clocks.find({}, {"seq": 1, "case_id": 1})}
    records, moves = [], []

    def flush():
        if records:
            db.alerts_sent.insert_many(records, ordered=False)
        for first in range(0, len(moves), 250):
            db.clocks.bulk_write(moves[first : first + 250], ordered=False)
        records.clear()
        moves.clear()

    for case in cases:
        clock = clocks[f"{case['_id']}:1"]
        alerts, next_at = watch.evaluate(case, clock, day_start, rules)
        sent[case["_id"]] = {a.key for a in alerts}
        for alert in alerts:
            out = timers.Outgoing(alert, case["_id"], [case["assignment"]["lead_unit"]])
            event = timers.event_of(day_start, out)
            records.append(
                {
                    "_id": alert.key,
                    "event": json.dumps(event, ensure_ascii=False),
                    "at": day_start,
                    "case_id": case["_id"],
                    "type": alert.type,
                    "batch": batch,
                }
            )
        moves.append(
            UpdateOne(
                {"_id": clock["_id"]}, {"$set": {"next_at": next_at or day_start + sweeps.RECHECK}}
            )
        )
        if len(moves) >= PAGE:
            flush()
    flush()
    db.alerts_published.insert_one({"_id": batch, "at": day_start})
    return sent


def recount(db, sweep_times, sent, rules):
    """The alerts the day's sweeps should send: per case, from the midnight state, each wake
    evaluated at the first sweep after it, counting only keys not sent before."""
    expected = Counter()
    clocks = {c["_id"]: c for c in db.clocks.find({}, {"seq": 1, "next_at": 1})}
    for case in db.cases.find({}, watch.CASE_FIELDS):
        clock = clocks[f"{case['_id']}:1"]
        keys, wake = set(sent[case["_id"]]), clock["next_at"]
        for at in sweep_times:
            if wake is None or wake > sweep_times[-1]:
                break
            if at < wake:
                continue
            alerts, wake = watch.evaluate(case, clock, at, rules)
            wake = wake or at + sweeps.RECHECK
            for alert in alerts:
                if alert.key not in keys:
                    keys.add(alert.key)
                    expected[alert.type] += 1
    return expected


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    uri = os.environ.get("LX_MONGO_URI", "mongodb://127.0.0.1:27018/")
    db_name = f"bench_{uuid.uuid4().hex[:8]}"
    db = store.database(uri, db_name)
    with tapped_bus() as (publisher, drain):
        try:
            run(db, n, days, publisher, drain)
        finally:
            store.client(uri).drop_database(db_name)


def run(db, n, days, publisher, drain):
    """Load, make the midnight state, recount, run the day and count; see the module's text."""
    rules = watch.Rules(tz=settings.TIMEZONE)
    store.ensure_indexes(db)  # as every service does when it starts
    day_start = datetime(2026, 12, 8, 0, 0, tzinfo=ZoneInfo(settings.TIMEZONE))  # a Tuesday
    t = time.perf_counter()
    load(db, n, day_start, UNITS, days=days, batch=PAGE, spread=timedelta(days=days))
    sent = midnight_state(db, day_start, rules)
    print(
        f"loaded {n} open cases assigned over {days} days, and their state at midnight "
        f"({sum(len(k) for k in sent.values())} alerts sent before), "
        f"in {time.perf_counter() - t:.1f} s"
    )
    sweep_times = [day_start + EVERY * k for k in range(1, 97)]
    expected = recount(db, sweep_times, sent, rules)
    took, stats = [], Counter()
    store0, own0 = store_cpu_seconds(), time.process_time()
    for now in sweep_times:
        t = time.perf_counter()
        done = sweeps.sweep_clocks(
            db,
            publisher,
            now,
            exact_utcnow(),
            "bench",
            rules,
            settings.SWEEP_BATCH,
            300,
            settings.SWEEP_CHUNK,
            settings.SWEEP_WORKERS,
        )
        stats["reminders"] += sweeps.daily_reminders(
            db, publisher, now, rules, settings.REMINDER_LOCAL_TIME
        )
        took.append(time.perf_counter() - t)
        stats.update(done)
    store1, own1 = store_cpu_seconds(), time.process_time()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    busiest = max(range(len(took)), key=took.__getitem__)
    print(
        f"the day: {len(took)} sweeps in {sum(took):.1f} s in all, "
        f"{stats['clocks']} wakes, {stats['alerts']} alerts + {stats['reminders']} "
        f"reminders; the longest sweep {took[busiest]:.1f} s "
        f"(at {sweep_times[busiest].strftime('%H:%M')} local)"
    )
    store_cpu = f"{store1 - store0:.1f} s" if store0 is not None else "not measured"
    print(f"CPU: the store {store_cpu}, this (supervision) process {own1 - own0:.1f} s")
    print(f"peak RSS of this process (the setup's recount included): {rss_mb:.0f} MB")
    seen, kinds = drain()
    want = sum(expected.values()) + len(UNITS)
    print(
        f"messages on the exchange: {sum(seen.values())} ({len(seen)} distinct, "
        f"{sum(1 for c in seen.values() if c > 1)} twice or more) — expected {want} "
        f"({dict(expected)} + {len(UNITS)} reminders); by type {dict(kinds)}"
    )


if __name__ == "__main__":
    main()
