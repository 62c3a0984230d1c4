"""Benchmark: one full supervision sweep over N open cases (not a test; prints figures).

    .venv/bin/python -m bench.supervision_sweep [N] [REPLICAS] [reminders]   # N = 100000, 1

Loads N assigned cases with running clocks into a fresh database of the store at
LX_MONGO_URI (the tests' FerretDB, 127.0.0.1:27018, by default), moves business time to day 3
so that every case owes its first supervision notice, and times, in this process and with a
real publisher to RabbitMQ (a vhost of its own): the clock sweep (every clock claimed,
evaluated, its notice recorded and published) by REPLICAS sweepers at once (threads with
holders of their own, as replicas share the clocks), and the daily reminder pass. Counts the
messages that reach a queue bound to the exchange against the expected (per case: the
unclaimed notice and the first supervision notice; one reminder per unit). Prints cases/s,
wall times and the process's peak RSS, then drops the database and the vhost. With
`reminders`, only the daily reminder pass is timed (the clocks are left unswept).
"""

import json
import os
import resource
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kombu import Connection, Queue

from bench.open_cases import load
from lianxin import settings, store
from lianxin.bus import EventPublisher, events_exchange
from lianxin.clock import exact_utcnow
from services.supervision import sweeps, watch

UNITS = [f"unit_{i:03d}" for i in range(50)]


def rabbitmqctl(*args):
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True)


@contextmanager
def tapped_bus():
    """A vhost of its own on the local broker, for one run: yields a publisher to it and
    `drain()`, which takes every supervision event that reached the exchange so far off a
    queue bound to it and returns (how often each event id came, how many of each type);
    deletes the vhost afterwards."""
    vhost = f"lianxin_bench_{uuid.uuid4().hex[:6]}"
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    try:
        publisher = EventPublisher(f"amqp://guest:guest@127.0.0.1:5672/{vhost}")
        tap = Queue(
            "bench-supervision-tap",
            exchange=events_exchange(),
            routing_key="supervision.#",
            durable=False,
            auto_delete=False,
        )
        with Connection(publisher.amqp_uri) as conn:
            events_exchange()(conn.channel()).declare()
            tap(conn.channel()).declare()

        def drain():
            seen, kinds = Counter(), Counter()
            with Connection(publisher.amqp_uri) as conn:
                bound = tap(conn.channel())
                while (message := bound.get(no_ack=True)) is not None:
                    body = json.loads(message.body)
                    seen[body["event_id"]] += 1
                    kinds[body["type"]] += 1
            return seen, kinds

        yield publisher, drain
    finally:
        rabbitmqctl("delete_vhost", vhost)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    replicas = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    reminders_only = sys.argv[3:] == ["reminders"]
    uri = os.environ.get("LX_MONGO_URI", "mongodb://127.0.0.1:27018/")
    db_name = f"bench_{uuid.uuid4().hex[:8]}"
    db = store.database(uri, db_name)
    with tapped_bus() as (publisher, drain):
        try:
            run(db, n, replicas, reminders_only, publisher, drain)
        finally:
            store.client(uri).drop_database(db_name)


def run(db, n, replicas, reminders_only, publisher, drain):
    """Load, sweep and count; see the module's text."""
    store.ensure_indexes(db)  # as every service does when it starts
    start = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    t = time.perf_counter()
    load(db, n, start, UNITS, batch=5000)
    print(f"loaded {n} open cases in {time.perf_counter() - t:.1f} s")
    now, rules = start + timedelta(days=3), watch.Rules(tz=settings.TIMEZONE)
    t = time.perf_counter()
    results = []

    def sweeper(holder):
        results.append(
            sweeps.sweep_clocks(
                db,
                publisher,
                now,
                exact_utcnow(),
                holder,
                rules,
                settings.SWEEP_BATCH,
                300,
                settings.SWEEP_CHUNK,
                settings.SWEEP_WORKERS,
            )
        )

    threads = [
        threading.Thread(target=sweeper, args=(f"bench-{r}",))
        for r in range(0 if reminders_only else replicas)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = {k: sum(r[k] for r in results) for k in ("clocks", "alerts")}
    sweep_s = time.perf_counter() - t
    t = time.perf_counter()
    reminders = sweeps.daily_reminders(db, publisher, now, rules, "09:00")
    remind_s = time.perf_counter() - t
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if not reminders_only:
        print(
            f"clock sweep: {stats['clocks']} clocks, {stats['alerts']} alerts "
            f"(unclaimed + first notice) in "
            f"{sweep_s:.1f} s = {stats['clocks'] / sweep_s:.0f} cases/s "
            f"(chunks of {settings.SWEEP_CHUNK}, {settings.SWEEP_WORKERS} at once)"
        )
    print(f"daily reminders: {reminders} units in {remind_s:.1f} s = {n / remind_s:.0f} cases/s")
    print(f"peak RSS of this (supervision) process: {rss_mb:.0f} MB")
    seen, _ = drain()
    expected = (0 if reminders_only else 2 * n) + min(n, len(UNITS))
    print(
        f"messages on the exchange: {sum(seen.values())} ({len(seen)} distinct, "
        f"{sum(1 for c in seen.values() if c > 1)} twice or more) — expected {expected} "
        f"({'' if reminders_only else '2 per case + '}1 reminder per unit), "
        f"{0 if reminders_only else replicas} sweeper(s)"
    )


if __name__ == "__main__":
    main()
