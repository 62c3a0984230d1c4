"""Fill a store with N realistic cases and their events, for the benchmarks of issue 14.

The documents are made by the project's own code, as the services write them: `new_case`
(intake), routing's rules and `assignment_change`, supervision's `start_clock` and the
handling rules (claim, draft, sign, approve, return visit), all applied through `cases.apply`
on an in-memory case store, so each case carries the timeline lines, counters and outbox the
real writes leave. Around the cases: the clocks (state and next wake as a sweep leaves them at
`--now`), the feed (`journal`, `journal_pages`, `journal_seen`, `journal_head`: the last
`--events` events, numbered in order), `citizen_index`, `case_numbers` and the day counters.

Cases are spread over two years before `--now` (more on weekdays), over the demo county's
topics, towns, channels and kinds, and so over its units by its routing rules; how far a case
got depends on its age (old ones are closed, a few not accepted or merged; recent ones are
assigned, in progress, returned, replied, answered). The demo county itself (units, users,
rules) is loaded too, so the staff accounts of `lianxin.demo` see these cases.

Usage: python -m bench.generate --uri mongodb://127.0.0.1:27028/ --db lianxin_1m [-n 1000000]
  [--events N] [--drop]
Prints the rate. Not done: alerts already sent, notify's deliveries and inbox, reopened cases
(every case has one assignment).
"""

import argparse
import os
import platform
import queue
import random
import threading
import time
from datetime import datetime, timedelta, timezone

from lianxin import cases, demo, duplicates, queues, store
from lianxin.auth import CITIZEN
from lianxin.casestore import MemoryCaseStore, _get, _get_list, _put
from lianxin.clock import parse_iso
from services.handling import rules as handling
from services.intake import dispatch
from services.intake import domain as intake
from services.notify import journal
from services.routing import domain as routing
from services.routing import handlers as route_handlers
from services.routing.handlers import ROUTER
from services.supervision import watch
from services.supervision.handlers import start_clock

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
# The key of the citizens' hashes: the system run on the generated store must use the same one
# (bench/system.py does) for its duplicate detection to know these citizens.
SECRET = os.environ.get("LX_CITIZEN_KEY_SECRET") or "bench-citizen-key-" + "0" * 32
DAYS = 730
CHANNELS = (
    ("hotline", 55),
    ("web", 25),
    ("mobile", 10),
    ("mailbox", 5),
    ("visit", 3),
    ("open311", 2),
)
KINDS = (("complaint", 45), ("request", 25), ("consultation", 20), ("suggestion", 7), ("report", 3))
TITLES = ("噪音扰民", "道路破损", "垃圾清运不及时", "小区停水", "拖欠工资", "违章建筑", "占道经营")
BODY = "夜间施工噪音，影响周边居民休息，请相关部门尽快处理。"


def pick(rnd, weighted):
    return rnd.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


class Publisher:
    """Collects what a write publishes: the events for the feed."""

    def __init__(self):
        self.events = []

    def publish(self, event):
        self.events.append(event)


class OneCase(MemoryCaseStore):
    """The in-memory case store without its defensive copies: one generator owns the case."""

    def get(self, case_id, projection=None):
        return self.cases.get(case_id)

    def apply(self, case, write, events, now, status=None):
        """`MemoryCaseStore.apply` without copying the written values (each is new)."""
        stored = self.cases[case["_id"]]
        for path, value in write.set.items():
            _put(stored, path, value)
        for path, value in {"version": 1, **write.inc}.items():
            _put(stored, path, (_get(stored, path) or 0) + value)
        for path, value in write.push.items():
            _get_list(stored, path).append(value)
        for path, value in write.add_to_set.items():
            if value not in _get_list(stored, path):
                _get_list(stored, path).append(value)
        if status is not None:
            stored["status"] = status
        stored["outbox"].extend(events)
        return True


class ClockShim:
    """Just enough of a database for supervision's `start_clock`: no clock yet, the county's
    deadline policies, and the clock it inserts kept aside."""

    def __init__(self, policies):
        self.policies, self.inserted = policies, None
        self.clocks, self.deadline_policies = self, self

    def find_one(self, _):
        return None

    def find(self):
        return self.policies

    def insert_one(self, doc):
        self.inserted = doc


class NoUnits:
    """`assignment_change` looks up the unit's name for the citizen's timeline line."""

    def __init__(self, units):
        self.units = self
        self.by_id = {u["_id"]: u for u in units}

    def find_one(self, flt):
        return self.by_id.get(flt["_id"])


class County:
    def __init__(self, db, secret):
        demo.load(db)  # units, users, rules, policies, templates; and the indexes
        # Inserting into indexed collections costs the store an index entry per document and
        # key; building the indexes once at the end is cheaper (`ensure_indexes` below).
        for name in ("cases", "clocks"):
            db[name].drop_indexes()
        self.units = list(db.units.find())
        self.rules = list(db.routing_rules.find())
        self.policies = list(db.deadline_policies.find())
        self.directory = routing.Directory(self.units, list(db.leaders.find()))
        self.topics = [t["_id"] for t in db.topics.find()]
        self.towns = sorted({t for u in self.units for t in u.get("towns", [])})
        self.secret = secret


def _step(mem, pub, now, case, actor, action, change):
    cases.apply(mem, pub, now, case, actor, action, change)


def make_case(county, rnd, case_id, received, citizen_no):
    """One case and its clock, written as the services would, up to a status its age gives."""
    age = (NOW - received).total_seconds() / 86400
    submission = {
        "channel": pick(rnd, CHANNELS),
        "kind": pick(rnd, KINDS),
        "topic": rnd.choice(county.topics),
        "title": rnd.choice(TITLES),
        "content": BODY * rnd.randint(1, 6),
        "location": {"town": rnd.choice(county.towns), "address": f"{rnd.randint(1, 300)}号"},
        "citizen": {"name": "张三", "phone": f"139{citizen_no:08d}"},
        "public_consent": rnd.random() < 0.3,
        "people_involved": 6 if rnd.random() < 0.02 else 1,
        "urgency": "urgent" if rnd.random() < 0.03 else "normal",
    }
    actor = CITIZEN if submission["channel"] in ("web", "mobile", "open311") else None
    actor = actor or CLERK
    doc = intake.new_case(case_id, submission, "ABCD2345", received, actor)
    doc["citizen_keys"] = duplicates.citizen_keys(doc["citizen"], county.secret)
    doc["request_key"] = None
    pub = Publisher()
    received_event = cases.make_event(
        "case.received",
        now=received,
        case_id=case_id,
        actor=actor["username"],
        data={"status": "received", **intake.event_facts(doc)},
    )
    pub.publish(received_event)
    doc["outbox"] = []
    mem = OneCase()
    mem.cases[case_id] = doc
    clock = None

    deps = cases.Deps(db=mem, publisher=pub, now=None)
    if rnd.random() < 0.02 and age > 2:
        deps.now = received + timedelta(seconds=rnd.randint(600, 72000))
        body = {"reason": "不属于受理范围"}
        dispatch.not_accept(deps, "not_accept", case_id, DISPATCHER, body)
        return doc, pub.events, clock
    decision = routing.route(doc, county.rules, county.directory)
    if decision.queued or (age < 0.05 and rnd.random() < 0.5):
        doc["routing"] = {"queued": True, "at": received, "fired": [], "reasons": decision.reasons}
        return doc, pub.events, clock
    t = received + timedelta(seconds=rnd.randint(1, 5))
    shim = ClockShim(county.policies)

    def call(_service, _method, *args):
        return start_clock(shim, *args)

    change = route_handlers.assignment_change(NoUnits(county.units), call, t, doc, decision, ROUTER)
    _step(mem, pub, t, doc, ROUTER, "route", change)
    clock = shim.inserted
    unit = doc["assignment"]["lead_unit"]
    handler = {"username": f"{unit}_handler", "role": "handler", "unit": unit, "name": "handler"}
    leader = {"username": f"{unit}_leader", "role": "unit_leader", "unit": unit, "name": "leader"}
    due = doc["assignment"]["due_at"]
    span = max((due - t).total_seconds(), 3600)
    # How far it got: old cases are done; recent ones spread over the owing states.
    done = rnd.random() < min(1.0, age / 25)
    stop = (
        "closed"
        if done
        else pick(
            rnd, (("assigned", 20), ("return_requested", 3), ("in_progress", 62), ("replied", 15))
        )
    )
    if done and rnd.random() < 0.04:
        stop = "answered"

    last = [t]

    def when(share):
        """The moment of the next step: about `share` of the time allowed, after the last
        step, never after NOW, in whole seconds (as the services' clock gives it)."""
        moment = t + timedelta(seconds=span * share * rnd.uniform(0.8, 1.2))
        moment = min(max(moment, last[0] + timedelta(minutes=rnd.uniform(1, 30))), NOW)
        last[0] = moment.replace(microsecond=0)
        return last[0]

    if stop == "return_requested":
        deps.now = when(0.02)
        route_handlers.request_return(
            deps, "request_return", case_id, handler, {"reason": "不属于本单位职责"}
        )
        return _finish(doc, pub, clock)
    if stop == "assigned":
        return _finish(doc, pub, clock)
    at = when(0.05)
    _step(mem, pub, at, doc, handler, "claim", handling.claim(doc, handler, {}, at))
    if stop == "in_progress" and rnd.random() < 0.5 or stop != "in_progress":
        at = when(0.3)
        body = {"note": "已现场核查，正在协调处理。"}
        _step(mem, pub, at, doc, handler, "progress", handling.progress(doc, handler, body, at))
    if stop == "in_progress":
        return _finish(doc, pub, clock)
    at = when(0.6)
    body = {
        "outcome": rnd.choice(("resolved", "explained", "unfounded")),
        "opinion": "已处理完毕。",
    }
    _step(mem, pub, at, doc, handler, "draft_reply", handling.draft_reply(doc, handler, body, at))
    at = when(0.7)
    body = {"override_reason": "会办单位口头同意"}
    _step(mem, pub, at, doc, leader, "sign_reply", handling.sign_reply(doc, leader, body, at))
    if stop == "replied":
        return _finish(doc, pub, clock)
    at = when(0.8)
    supervisor = {"username": "supervisor", "role": "supervisor", "unit": None, "name": "s"}
    action, change = handling.review(doc, supervisor, {"approve": True}, at)
    _step(mem, pub, at, doc, supervisor, action, change)
    clock["stopped_at"] = at
    if stop == "closed":
        at = min(at + timedelta(seconds=rnd.randint(40000, 400000)), NOW)
        body = {"method": "phone", "satisfaction": pick(rnd, SATISFACTION)}
        action, change, _ = handling.return_visit(doc, supervisor, body, at, 0)
        _step(mem, pub, at, doc, supervisor, action, change)
    return _finish(doc, pub, clock)


SATISFACTION = (("satisfied", 85), ("basically_satisfied", 10), ("dissatisfied", 5))


CLERK = {"username": "clerk", "role": "clerk", "unit": "mass_work_office", "name": "clerk"}
DISPATCHER = {"username": "dispatcher", "role": "dispatcher", "unit": None, "name": "dispatcher"}


def _finish(doc, pub, clock):
    """The clock as the sweep leaves it at NOW: stopped once the reply is approved, else
    waiting for its next wake (the alerts due before NOW count as sent)."""
    if clock["stopped_at"] is not None or doc["status"] not in watch.RUNNING:
        clock.update(state="stopped", next_at=None)
    else:
        _, next_at = watch.evaluate(doc, clock, NOW, watch.Rules())
        clock.update(next_at=next_at) if next_at else clock.update(state="stopped", next_at=None)
    return doc, pub.events, clock


def received_times(rnd, n, days=DAYS):
    """n moments over the `days` before NOW, busier on weekdays and in office hours, in order.
    Day 0 is NOW's own day (UTC), weighted by the share of its office hours already past and
    filled only up to NOW, so the hours just before NOW hold cases as any day does."""
    office = 15.99  # UTC hours after midnight: 08:00–24:00 in China
    today = NOW.replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed = min((NOW - today).total_seconds() / 3600, office)
    weights = [1.0 if (today - timedelta(days=d)).weekday() < 5 else 0.45 for d in range(days)]
    weights[0] *= elapsed / office
    per_day = [0] * days
    for d in rnd.choices(range(days), weights, k=n):
        per_day[d] += 1

    def hour(last):  # the office-hours curve, cut at `last` (drawn again past it)
        while True:
            h = min(max(rnd.gauss(5, 3), 0), office)
            if h < last:
                return h

    for d in range(days - 1, -1, -1):
        day_start = today - timedelta(days=d)
        hours = sorted(hour(elapsed if d == 0 else office + 1) for _ in range(per_day[d]))
        for h in hours:
            yield day_start + timedelta(seconds=int(h * 3600))


class Writer:
    """Bulk inserts on a thread of their own, so that making documents and storing them
    overlap (pymongo waits for the store without holding the GIL)."""

    def __init__(self, db, batch):
        self.db, self.batch = db, batch
        self.pending = {}
        self.queue = queue.Queue(maxsize=8)
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def add(self, collection, doc):
        docs = self.pending.setdefault(collection, [])
        docs.append(doc)
        if len(docs) >= self.batch:
            self.queue.put((collection, docs))
            self.pending[collection] = []
        if self.error:
            raise self.error

    def _run(self):
        while True:
            item = self.queue.get()
            if item is None:
                return
            try:
                self.db[item[0]].insert_many(item[1], ordered=False)
            except Exception as exc:  # noqa: BLE001 - reported by the producer
                self.error = exc

    def close(self):
        for collection, docs in self.pending.items():
            if docs:
                self.queue.put((collection, docs))
        self.queue.put(None)
        self.thread.join()
        if self.error:
            raise self.error


def generate(
    db, n, events_cap, seed=14, batch=500, secret=None, progress=True, now=None, days=DAYS
):
    """Store n cases whose history ends at `now` (default NOW); returns what was stored."""
    global NOW
    NOW = (now or NOW).replace(microsecond=0)
    rnd = random.Random(seed)
    # The access code's hash is computed once; every case gets the same salt and hash, which
    # changes no read. Keyed by the secret the benchmarks' system runs with (bench/system.py),
    # or the citizens' tracking view would not find the code.
    salt_and_hash = intake.hash_access_code("ABCD2345", secret=secret or SECRET)
    intake.hash_access_code = lambda code, salt=None, secret=None: salt_and_hash
    county = County(db, secret or SECRET)
    writer = Writer(db, batch)
    citizens = max(1, n // 3)  # a citizen writes three times on average; some many more
    index, day_seq, seq = {}, {}, 0
    journal_from = max(0, n - int(events_cap / 4.2))  # the feed keeps the most recent events
    page_docs, counts = {}, {"cases": 0, "events": 0, "clocks": 0}
    started = time.perf_counter()
    for i, received in enumerate(received_times(rnd, n, days)):
        day = intake.local_day(received)
        day_seq[day] = day_seq.get(day, 0) + 1
        case_id = intake.tracking_number(day, day_seq[day])
        citizen = (
            int(rnd.paretovariate(1.2)) % citizens
            if rnd.random() < 0.3
            else rnd.randrange(citizens)
        )
        doc, events, clock = make_case(county, rnd, case_id, received, citizen)
        writer.add("cases", doc)
        writer.add("case_numbers", {"_id": case_id, "request_key": None, "at": received})
        counts["cases"] += 1
        if clock:
            writer.add("clocks", clock)
            counts["clocks"] += 1
        for key in doc["citizen_keys"]:
            index.setdefault(key, []).append({"id": case_id, "at": received})
        if i >= journal_from and counts["events"] < events_cap:
            for event in events[: events_cap - counts["events"]]:
                seq += 1
                recorded = datetime.fromisoformat(event["occurred_at"].replace("Z", "+00:00"))
                writer.add(
                    "journal",
                    {
                        "_id": journal.key(seq),
                        "seq": seq,
                        "event_id": event["event_id"],
                        "recorded_at": recorded,
                        "event": event,
                    },
                )
                writer.add("journal_seen", {"_id": event["event_id"], "seq": seq})
                page, slot = journal._page(seq)
                page_docs.setdefault(page, {})[slot] = journal.text(event)
                if len(page_docs) > 1:  # a page is complete once the next one starts
                    full = min(page_docs)
                    writer.add("journal_pages", {"_id": full, "e": page_docs.pop(full)})
                counts["events"] += 1
        if progress and (i + 1) % 50_000 == 0:
            took = time.perf_counter() - started
            print(f"  {i + 1} cases in {took:.0f} s ({(i + 1) / took:.0f}/s)", flush=True)
    for page, slots in page_docs.items():
        writer.add("journal_pages", {"_id": page, "e": slots})
    for key, entries in index.items():
        writer.add("citizen_index", {"_id": key, "cases": entries[-500:]})
    for day, count in day_seq.items():
        writer.add("counters", {"_id": f"case-seq:{day:%Y%m%d}", "seq": count})
    writer.close()
    if seq:
        db.journal_head.update_one({"_id": journal.HEAD}, {"$max": {"seq": seq}}, upsert=True)
    mark_upgraded(db)
    queues.rebuild(db)  # the queue documents the case store keeps (lianxin/queues.py)
    store.ensure_indexes(db)
    counts["seconds"] = time.perf_counter() - started
    return counts


def mark_upgraded(db):
    """Record the one-time upgrades of older stores as done, as the first start of the
    services does on a new store: written in today's shapes, nothing here needs them, and
    their one full read of a collection would fall into the benchmarks' measurements."""
    for key in ("journal-string-ids", "inbox-numbered", "outbox-notes", "unrouted-notes"):
        db.upgrades.update_one(
            {"_id": key}, {"$set": {"at": NOW, "by": "bench.generate"}}, upsert=True
        )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--uri", default=os.environ.get("LX_TEST_MONGO_URI", "mongodb://127.0.0.1:27018/")
    )
    ap.add_argument("--db", default="lianxin_bench")
    ap.add_argument("-n", type=int, default=1_000_000, help="cases")
    ap.add_argument("--events", type=int, help="events in the feed (default: as many as cases)")
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--drop", action="store_true", help="drop the database first")
    ap.add_argument(
        "--days",
        type=int,
        default=DAYS,
        help="the history's length (default two years); fewer days with fewer cases keep a "
        "bigger store's daily flow, so its open cases, in less time",
    )
    ap.add_argument("--now", help="when the history ends (ISO 8601; default 2026-11-25T02:00Z)")
    args = ap.parse_args()
    db = store.database(args.uri, args.db)
    if args.drop:
        store.client(args.uri).drop_database(args.db)
    elif db.cases.find_one({}, {"_id": 1}):
        raise SystemExit(f"{args.db} already has cases: pass --drop to start again")
    print(
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {platform.node()}, "
        f"{os.cpu_count()} cores; store {args.uri} db {args.db}; {args.n} cases",
        flush=True,
    )
    now = parse_iso(args.now) if args.now else None
    counts = generate(
        db,
        args.n,
        args.n if args.events is None else args.events,
        args.seed,
        args.batch,
        now=now,
        days=args.days,
    )
    s = counts["seconds"]
    print(
        f"stored {counts['cases']} cases, {counts['clocks']} clocks, {counts['events']} feed "
        f"events in {s:.0f} s: {counts['cases'] / s:.0f} cases/s"
    )


if __name__ == "__main__":
    main()
