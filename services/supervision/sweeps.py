"""Supervision's periodic work (SPEC §5), exact under any number of replicas: durable timers
in the store (`clocks.next_at`), each claimed with a compare-and-set lease on real time, and
every alert recorded under its unique key before it is published (`alerts_sent`), so a
replica killed mid-sweep leaves work another finishes and nothing is sent twice."""
import logging
import random
from datetime import timedelta
from zoneinfo import ZoneInfo

from pymongo.errors import DuplicateKeyError

from lianxin.clock import exact_utcnow, isoformat
from lianxin.events import event_id_for, make_event

from . import watch

log = logging.getLogger(__name__)
RECHECK = timedelta(days=1)  # a running clock with nothing ahead is looked at daily


def emit(db, publisher, now, alert, case_id=None, units=()):
    """Record `alert` once (unique key), then publish it. False if it was emitted before."""
    event = make_event(alert.type, now=now, case_id=case_id, units=units, actor="supervision",
                       data={"kind": alert.kind, **alert.data}, event_id=event_id_for(alert.key))
    try:
        db.alerts_sent.insert_one({"_id": alert.key, "event": event, "at": now,
                                   "recorded_real": exact_utcnow(), "published": False,
                                   "case_id": case_id, "type": alert.type})
    except DuplicateKeyError:
        return False
    try:
        publisher.publish(event)
        db.alerts_sent.update_one({"_id": alert.key}, {"$set": {"published": True}})
    except Exception:  # recorded; relay_alerts publishes it
        log.warning("alert %s not published yet", alert.key, exc_info=True)
    return True


def relay_alerts(db, publisher, real_now, grace_seconds, limit=500):
    """Publish alerts whose emitter died between recording and publishing."""
    count = 0
    for doc in db.alerts_sent.find({"published": False}).limit(limit):
        if (real_now - doc["recorded_real"]).total_seconds() < grace_seconds:
            continue
        publisher.publish(doc["event"])
        db.alerts_sent.update_one({"_id": doc["_id"]}, {"$set": {"published": True}})
        count += 1
    return count


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


def sweep_clocks(db, publisher, now, real_now, holder, rules, batch, lease_seconds):
    """Process every running clock due by `now`. Replicas share the work: each clock is
    claimed by one of them (a lease on real time); a dead replica's claims expire."""
    stats = {"clocks": 0, "alerts": 0}
    lease = timedelta(seconds=lease_seconds)
    while True:
        due = list(db.clocks.find({"state": "running", "next_at": {"$lte": now}},
                                  {"_id": 1, "next_at": 1}).limit(batch))
        random.shuffle(due)  # replicas start at different places
        taken = 0
        for stub in due:
            clock = db.clocks.find_one_and_update(
                {"_id": stub["_id"], "state": "running", "next_at": stub["next_at"],
                 "$or": [{"lease_until": None}, {"lease_until": {"$lt": real_now}}]},
                {"$set": {"lease_until": real_now + lease, "holder": holder}})
            if clock is None:
                continue  # another replica has it
            taken += 1
            sent, next_at = process_clock(db, publisher, now, clock, rules)
            update = {"lease_until": None, "next_at": next_at} if next_at else \
                {"lease_until": None, "state": "stopped", "next_at": None}
            db.clocks.update_one({"_id": clock["_id"], "holder": holder}, {"$set": update})
            stats["clocks"] += 1
            stats["alerts"] += sent
        if len(due) < batch or taken == 0:
            return stats


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
    for case in db.cases.find({"status": {"$in": list(watch.OWING)}},
                              {"title": 1, "assignment": 1, "status": 1}):
        unit = (case.get("assignment") or {}).get("lead_unit")
        if unit:
            by_unit.setdefault(unit, []).append(case)
    sent = 0
    for unit, cases in sorted(by_unit.items()):
        cases.sort(key=lambda c: c["assignment"].get("extended_to") or c["assignment"]["due_at"])
        items = [{"case_id": c["_id"], "title": c["title"], "status": c["status"],
                  "due_at": isoformat(c["assignment"].get("extended_to")
                                      or c["assignment"]["due_at"]),
                  "time_left_hours": watch.time_left_hours(c, now)} for c in cases[:200]]
        alert = watch.Alert(f"reminder:{unit}:{day}", "supervision.reminder", "daily",
                            {"unit": unit, "day": day, "open_cases": len(cases),
                             "cases": items})
        sent += emit(db, publisher, now, alert, None, [unit])
    db.reminder_days.update_one({"_id": day}, {"$set": {"at": now, "units": len(by_unit)}},
                                upsert=True)
    return sent
