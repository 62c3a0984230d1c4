"""Benchmark: a page of the event feed (`GET /events`, 100 events) and of a user's inbox
(50 messages) as the journal and the inbox grow, on the tests' FerretDB.

    .venv/bin/python -m bench.feed [N ...]       (default: 10000 100000 1000000)

Inserts N events into `journal` and its pages (and N messages into `inbox`, spread over 100 users)
the way notify numbers them, straight into the store, then times pages read by the code the service
runs (`handlers.feed`, `handlers.inbox`) at the start, the middle and the end. Prints one line per
size; the figures are the median of 20 reads."""

import os
import statistics
import sys
import time
import uuid
from datetime import datetime, timezone

from lianxin import store
from services.notify import handlers, inbox, journal

URI = os.environ.get(
    "LX_BENCH_MONGO_URI", os.environ.get("LX_TEST_MONGO_URI", "mongodb://127.0.0.1:27018/")
)
USERS = 100
OFFICE = {"role": "supervisor", "username": "supervisor"}


def grow(db, start, end, batch=2000):
    now = datetime.now(timezone.utc)

    def event(seq):
        return {
            "event_id": f"e{seq}",
            "type": "case.received",
            "case_id": f"C{seq}",
            "units": ["hbj"],
            "occurred_at": now.isoformat(),
            "data": {},
        }

    for lo in range(start + 1, end + 1, batch):
        hi = min(lo + batch, end + 1)
        db.journal.insert_many(
            [
                {
                    "_id": journal.key(seq),
                    "seq": seq,
                    "event_id": f"e{seq}",
                    "recorded_at": now,
                    "event": event(seq),
                }
                for seq in range(lo, hi)
            ],
            ordered=False,
        )
        pages = {}
        for seq in range(lo, hi):
            page, slot = journal._page(seq)
            pages.setdefault(page, {})[f"e.{slot}"] = journal.text(event(seq))
        for page, fields in pages.items():
            db.journal_pages.update_one({"_id": page}, {"$set": fields}, upsert=True)
        # the seq-th event's message goes to user seq % USERS, as its (seq // USERS + 1)-th
        db.inbox.insert_many(
            [
                {
                    "_id": inbox.message_id(f"u{seq % USERS}", seq // USERS + 1),
                    "ref": f"m{seq}",
                    "user": f"u{seq % USERS}",
                    "seq": seq // USERS + 1,
                    "title": "t",
                    "body": "b",
                    "case_id": f"C{seq}",
                    "template": "x",
                    "created_at": now,
                    "read": False,
                }
                for seq in range(lo, hi)
            ],
            ordered=False,
        )
    db.journal_head.update_one({"_id": journal.HEAD}, {"$set": {"seq": end}}, upsert=True)
    for u in range(USERS):
        db.inbox_head.update_one(
            {"_id": f"u{u}"},
            {"$set": {"seq": end // USERS + 1, "unread": end // USERS}},
            upsert=True,
        )


def median_ms(fn, times=20):
    out = []
    for _ in range(times):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return statistics.median(out)


def main(sizes):
    db = store.database(URI, f"bench_feed_{uuid.uuid4().hex[:6]}")
    have = 0
    try:
        for n in sizes:
            t = time.time()
            grow(db, have, n)
            have = n
            inserted = time.time() - t
            first = median_ms(lambda: handlers.feed(db, OFFICE, 0, 100))
            middle = median_ms(lambda: handlers.feed(db, OFFICE, n // 2, 100))
            last = median_ms(lambda: handlers.feed(db, OFFICE, n - 100, 100))
            end = median_ms(lambda: handlers.feed(db, OFFICE, n, 100))
            inbox = median_ms(lambda: handlers.inbox(db, {"username": "u7"}, False, 50))
            print(
                f"{n:>9} events: feed page of 100 at the start {first:6.1f} ms, "
                f"middle {middle:6.1f} ms, end {last:6.1f} ms, past the end {end:5.1f} ms; "
                f"inbox page of 50 {inbox:6.1f} ms (inserted in {inserted:.0f} s)",
                flush=True,
            )
    finally:
        store.client(URI).drop_database(db.name)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000, 1_000_000])
