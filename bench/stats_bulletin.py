"""Benchmark: statistics and reports over N cases, and intake with duplicate detection at N
existing cases against at 0 (not a test; prints figures).

    .venv/bin/python -m bench.stats_bulletin [N] [M]     # defaults N = 100000, M = 300

Loads N generated cases (tests/county_generator.py, most of them in 2026Q3) into a fresh
database of the store at LX_MONGO_URI (the tests' FerretDB, 127.0.0.1:27018, by default) and
times each query as the supervision service runs it: stats by each grouping, the assessment,
the bulletin (JSON, then CSV and PDF rendering), the digest. Then it submits M cases through
intake's own use case (with a real publisher to RabbitMQ, a vhost of its own) — M/3 citizens
with three cases each, one of them a reworded duplicate — first into an empty database, then
into the one holding the N cases and a citizen index of N/3 citizens, and prints the per-case
time of both. Drops the databases and the vhost at the end.
"""

import os
import random
import resource
import subprocess
import sys
import time
import uuid
from datetime import timedelta

from gateway import render
from lianxin import demo, duplicates, settings, store
from lianxin.bus import EventPublisher, declare_topology
from lianxin.clock import utcnow
from services.intake import handlers as intake
from services.reading import reports, rollup_store
from tests.county_generator import Q3_END, Q3_START, generate

LEADER = {"username": "bench", "role": "leader"}
TEXTS = [
    ("河道污染", "清水镇化工厂夜间向河道排放污水，气味刺鼻。"),
    ("化工厂排污", "清水镇化工厂夜里偷偷向河道排污水，臭味刺鼻"),
    ("路灯不亮", "城关镇解放路路灯坏了一个月没人修。"),
]


def rabbitmqctl(*args):
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True)


def timed(label, fn):
    t = time.perf_counter()
    result = fn()
    print(f"  {label:<34} {time.perf_counter() - t:8.2f} s")
    return result


def submit_many(db, publisher, m, tag):
    per_case = []
    for i in range(m):
        citizen, nth = i // 3, i % 3
        title, content = TEXTS[nth]
        payload = {
            "kind": "complaint",
            "topic": "environment",
            "title": title,
            "content": f"{content}（{tag}{citizen}）",
            "location": {"town": "清水镇"},
            "citizen": {"name": "测试", "phone": f"139{citizen:08d}"},
        }
        t = time.perf_counter()
        intake.submit(db, publisher, utcnow(), payload, f"bench:{tag}:{i}")
        per_case.append(time.perf_counter() - t)
    merged = db.cases.count_documents({"status": "merged", "_id": {"$regex": "^LX-2"}})
    per_case.sort()
    return sum(per_case) / m * 1000, per_case[len(per_case) // 2] * 1000, merged


def index_citizens(db, cases, citizens):
    """A citizen index as large as a county's: N/3 citizens, three generated cases each."""
    rng = random.Random(1)
    docs = {}
    for case in cases:
        key = duplicates.citizen_keys(
            {"phone": f"138{rng.randrange(citizens):08d}"}, settings.CITIZEN_KEY_SECRET
        )[0]
        docs.setdefault(key, []).append({"id": case["_id"], "at": case["received_at"]})
    batch = [{"_id": k, "cases": v} for k, v in docs.items()]
    for i in range(0, len(batch), 5000):
        db.citizen_index.insert_many(batch[i : i + 5000])
    return len(batch)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    uri = os.environ.get("LX_MONGO_URI", "mongodb://127.0.0.1:27018/")
    vhost = f"lianxin_bench_{uuid.uuid4().hex[:6]}"
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    amqp = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    declare_topology(amqp)
    publisher = EventPublisher(amqp)
    empty, full = (store.database(uri, f"bench_{uuid.uuid4().hex[:8]}") for _ in range(2))
    try:
        for db in (empty, full):
            demo.load(db)
        now = utcnow()
        cases, key = generate(n, now)
        t = time.perf_counter()
        for i in range(0, n, 5000):
            full.cases.insert_many(cases[i : i + 5000])
        citizens = index_citizens(full, cases, max(n // 3, 1))
        rollup_store.rebuild(full, out=lambda *_: None)  # the reports read rollups (0021)
        print(
            f"loaded {n} cases and a citizen index of {citizens} citizens in "
            f"{time.perf_counter() - t:.1f} s ({key['all']['all']['total']} counted in 2026Q3)"
        )
        print(f"queries over {n} cases:")
        for group_by in ("unit", "topic", "town", "channel", "kind"):
            timed(
                f"stats group_by={group_by}",
                lambda: reports.stats_report(full, now, LEADER, Q3_START, Q3_END, group_by),
            )
        timed("assessment", lambda: reports.assessment(full, now, LEADER, Q3_START, Q3_END))
        bulletin = timed(
            "bulletin 2026Q3 (JSON)",
            lambda: reports.bulletin(full, now, LEADER, "2026Q3", settings.TIMEZONE),
        )
        timed("  + CSV rendering", lambda: render.bulletin_csv(bulletin))
        pdf = timed("  + PDF rendering", lambda: render.bulletin_pdf(bulletin))
        digest = timed(
            "digest (10 days)",
            lambda: reports.digest(
                full, now, LEADER, Q3_START + timedelta(days=40), Q3_START + timedelta(days=50)
            ),
        )
        timed("  + PDF rendering", lambda: render.digest_pdf(digest))
        print(f"  (bulletin PDF {len(pdf) / 1024:.0f} KiB)")

        print(
            f"intake with duplicate detection, {m} submissions ({m // 3} citizens x 3, "
            f"one reworded duplicate each):"
        )
        for tag, label, db in (
            ("empty", "at 0 existing cases", empty),
            ("full", f"at {n} existing cases", full),
        ):
            mean, median, merged = submit_many(db, publisher, m, tag)
            print(
                f"  {label:<28} mean {mean:6.1f} ms/case, median {median:6.1f} ms, {merged} merged"
            )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS {rss:.0f} MB")
    finally:
        for db in (empty, full):
            store.client(uri).drop_database(db.name)
        rabbitmqctl("delete_vhost", vhost)


if __name__ == "__main__":
    main()
