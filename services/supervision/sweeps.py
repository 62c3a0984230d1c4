"""Supervision's periodic work (docs/contract.md §5), exact under any number of replicas: durable
timers in the store (`clocks.next_at`), each wake claimed by one replica (a unique insert with an
expiry on real time), and every alert recorded under its unique key before it is published, so a
replica killed mid-sweep leaves work another finishes and nothing is sent twice. Per-item writes are
inserts and `_id` lookups: cheap on MongoDB and on FerretDB alike."""

import logging
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from zoneinfo import ZoneInfo

from pymongo.errors import DuplicateKeyError

from lianxin.cases import due_at
from lianxin.clock import isoformat
from lianxin.events import event_id_for, make_event

from . import watch

log = logging.getLogger(__name__)
RECHECK = timedelta(days=1)  # a running clock with nothing ahead is looked at daily


def emit(db, publisher, now, alert, case_id=None, units=()):
    """Record `alert` under its unique key, publish it, and mark it published. An alert found
    recorded but not marked (its emitter died in between) is published now, with the same
    event id. Returns True if this call published it."""
    event = make_event(
        alert.type,
        now=now,
        case_id=case_id,
        units=units,
        actor="supervision",
        data={"kind": alert.kind, **alert.data},
        event_id=event_id_for(alert.key),
    )
    try:
        db.alerts_sent.insert_one(
            {"_id": alert.key, "event": event, "at": now, "case_id": case_id, "type": alert.type}
        )
    except DuplicateKeyError:
        if db.alerts_published.find_one({"_id": alert.key}):
            return False
        event = db.alerts_sent.find_one({"_id": alert.key})["event"]
    publisher.publish(event)
    try:
        db.alerts_published.insert_one({"_id": alert.key, "at": now})
    except DuplicateKeyError:
        return False
    return True


def process_clock(db, publisher, now, clock, rules):
    """Emit what is due for one claimed clock; returns (alerts emitted, next_at or None)."""
    case = db.cases.find_one({"_id": clock["case_id"]})
    if not watch.running(case, clock):
        return 0, None
    alerts, next_at = watch.evaluate(case, clock, now, rules)
    a = case["assignment"]
    units = [u for u in [a.get("lead_unit"), *(a.get("co_units") or [])] if u]
    sent = sum(emit(db, publisher, now, alert, case["_id"], units) for alert in alerts)
    return sent, next_at or now + RECHECK


def claim(db, clock_id, wake, holder, real_now, lease):
    """Claim one wake of one clock: a unique insert (cheap on both stores); a claim whose
    holder died is taken over once it expires (a compare-and-set, only then)."""
    key = f"{clock_id}@{isoformat(wake)}"
    try:
        db.clock_claims.insert_one(
            {"_id": key, "holder": holder, "until": real_now + lease, "at": real_now}
        )
        return True
    except DuplicateKeyError:
        doc = db.clock_claims.find_one({"_id": key})
        if doc is None or doc["until"] >= real_now:
            return False
        return (
            db.clock_claims.update_one(
                {"_id": key, "until": doc["until"]},
                {"$set": {"holder": holder, "until": real_now + lease}},
            ).modified_count
            == 1
        )


def sweep_clocks(db, publisher, now, real_now, holder, rules, batch, lease_seconds, workers=8):
    """Process every running clock due by `now`. Replicas share the work: each wake of each
    clock is claimed by one of them; a dead replica's claims expire (real time). Within a
    replica, `workers` clocks are handled at once (store round trips overlap)."""
    stats = {"clocks": 0, "alerts": 0}
    lease = timedelta(seconds=lease_seconds)
    seen = set()

    def handle(stub):
        if not claim(db, stub["_id"], stub["next_at"], holder, real_now, lease):
            return None  # another replica has it
        clock = db.clocks.find_one({"_id": stub["_id"]})
        sent, next_at = process_clock(db, publisher, now, clock, rules)
        update = {"next_at": next_at} if next_at else {"state": "stopped", "next_at": None}
        db.clocks.update_one({"_id": clock["_id"]}, {"$set": update})
        return sent

    with ThreadPoolExecutor(max_workers=workers) as pool:
        while True:
            due = [
                c
                for c in db.clocks.find(
                    {"state": "running", "next_at": {"$lte": now}}, {"_id": 1, "next_at": 1}
                ).limit(batch)
                if (c["_id"], c["next_at"]) not in seen
            ]
            random.shuffle(due)  # replicas start at different places
            seen.update((c["_id"], c["next_at"]) for c in due)
            for sent in pool.map(handle, due):
                if sent is not None:
                    stats["clocks"] += 1
                    stats["alerts"] += sent
            if len(due) < batch:
                return stats


def forget_old_claims(db, real_now, keep=timedelta(days=1)):
    return db.clock_claims.delete_many({"at": {"$lt": real_now - keep}}).deleted_count


def daily_reminders(db, publisher, now, rules, reminder_time):
    """一天一催: once a day, after the reminder time, one reminder per unit listing its open
    cases and the time left. A day's reminders are never sent twice (unique keys)."""
    local = now.astimezone(ZoneInfo(rules.tz))
    if not watch.reminder_due(local, reminder_time):
        return 0
    day = local.date().isoformat()
    if db.reminder_days.find_one({"_id": day}):
        return 0
    by_unit = {}
    for case in db.cases.find(
        {"status": {"$in": list(watch.OWING)}}, {"title": 1, "assignment": 1, "status": 1}
    ):
        unit = (case.get("assignment") or {}).get("lead_unit")
        if unit:
            by_unit.setdefault(unit, []).append(case)
    sent = 0
    for unit, cases in sorted(by_unit.items()):
        cases.sort(key=due_at)
        items = [
            {
                "case_id": c["_id"],
                "title": c["title"],
                "status": c["status"],
                "due_at": isoformat(due_at(c)),
                "time_left_hours": watch.time_left_hours(c, now),
            }
            for c in cases[:200]
        ]
        alert = watch.Alert(
            f"reminder:{unit}:{day}",
            "supervision.reminder",
            "daily",
            {"unit": unit, "day": day, "open_cases": len(cases), "cases": items},
        )
        sent += emit(db, publisher, now, alert, None, [unit])
    db.reminder_days.update_one(
        {"_id": day}, {"$set": {"at": now, "units": len(by_unit)}}, upsert=True
    )
    return sent
