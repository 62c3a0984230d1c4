"""Supervision's periodic work (docs/contract.md §5), exact under any number of replicas: durable
timers in the store (`clocks.next_at`), each wake claimed by one replica (a unique insert with an
expiry on real time), and every alert recorded under its unique key before it is published, so a
replica killed mid-sweep leaves work another finishes and nothing is sent twice. The sweep works
in chunks of clocks (decision 0031): a few inserts, `_id $in` reads and bulk writes per chunk,
cheap on MongoDB and on FerretDB alike."""

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from lianxin import queues, timers
from lianxin.cases import due_at
from lianxin.clock import isoformat
from lianxin.timers import forget_old_claims  # noqa: F401  (the service calls it from here)

from . import watch

log = logging.getLogger(__name__)
RECHECK = timedelta(days=1)  # a running clock with nothing ahead is looked at daily


def plan_clocks(db, now, clocks, rules):
    """What each claimed clock of a chunk owes at `now`: its case read with the chunk's (one
    `_id $in`), evaluated by the pure rules of `watch`; {clock id: timers.Due}."""
    ids = list({c["case_id"] for c in clocks})
    cases = (
        {
            c["_id"]: c
            for c in db.cases.find({"_id": {"$in": ids}}, watch.CASE_FIELDS).batch_size(len(ids))
        }
        if ids
        else {}
    )
    owed = {}
    for clock in clocks:
        case = cases.get(clock["case_id"])
        if not watch.running(case, clock):
            owed[clock["_id"]] = timers.Due([], None)
            continue
        alerts, next_at = watch.evaluate(case, clock, now, rules)
        a = case["assignment"]
        units = [u for u in [a.get("lead_unit"), *(a.get("co_units") or [])] if u]
        owed[clock["_id"]] = timers.Due(
            [timers.Outgoing(alert, case["_id"], units) for alert in alerts],
            next_at or now + RECHECK,
        )
    return owed


def sweep_clocks(
    db, publisher, now, real_now, holder, rules, batch, lease_seconds, chunk=250, workers=2
):
    """Process every running case clock due by `now` (the durable timers of lianxin/timers.py)."""
    return timers.sweep(
        db,
        db.clocks,
        publisher,
        lambda clocks: plan_clocks(db, now, clocks, rules),
        now,
        real_now,
        holder,
        batch,
        lease_seconds,
        chunk,
        workers,
    )


# How many of its cases a unit's daily reminder lists (the soonest due first).
REMINDER_LIST = 200


def daily_reminders(db, publisher, now, rules, reminder_time):
    """一天一催: once a day, after the reminder time, one reminder per unit listing its open
    cases and the time left. A day's reminders are never sent twice (unique keys)."""
    local = now.astimezone(ZoneInfo(rules.tz))
    if not watch.reminder_due(local, reminder_time):
        return 0
    day = local.date().isoformat()
    if db.reminder_days.find_one({"_id": day}):
        return 0
    by_unit = owing_by_unit(db)
    outgoing = []
    for unit, (count, cases) in sorted(by_unit.items()):
        items = [
            {
                "case_id": c["_id"],
                "title": c["title"],
                "status": c["status"],
                "due_at": isoformat(due_at(c)),
                "time_left_hours": watch.time_left_hours(c, now),
            }
            for c in cases
        ]
        alert = watch.Alert(
            f"reminder:{unit}:{day}",
            "supervision.reminder",
            "daily",
            {"unit": unit, "day": day, "open_cases": count, "cases": items},
        )
        outgoing.append(timers.Outgoing(alert, None, [unit]))
    sent = timers.emit_many(db, publisher, now, outgoing)
    db.reminder_days.update_one(
        {"_id": day}, {"$set": {"at": now, "units": len(by_unit)}}, upsert=True
    )
    return sent


def owing_by_unit(db):
    """{unit: (how many cases it leads and owes, the first `REMINDER_LIST` of them by due
    time)}, from the queue documents of the county's units (decision 0037): their entries say
    which unit leads each case and when it is due, so only the listed cases are read, by id.
    A listed case found no longer owed by that unit (an entry a crash left behind) is left
    out. When the documents cannot answer (a store not yet upgraded), the store's query."""
    units = [u["_id"] for u in db.units.find({}, {"_id": 1})]
    owed = queues.owed_by_lead(db, units, watch.OWING)
    if owed is None:
        return _owing_from_cases(db)
    firsts = {}
    for unit, pairs in owed.items():
        pairs.sort(key=lambda p: (p[0] is None, p[0] or 0, p[1]))
        firsts[unit] = [case_id for _, case_id in pairs[:REMINDER_LIST]]
    ids = [case_id for listed in firsts.values() for case_id in listed]
    read = {}
    for i in range(0, len(ids), 500):
        for case in db.cases.find({"_id": {"$in": ids[i : i + 500]}}, REMINDER_FIELDS):
            read[case["_id"]] = case
    by_unit = {}
    for unit, listed in firsts.items():
        cases = [
            read[i]
            for i in listed
            if i in read
            and read[i].get("status") in watch.OWING
            and (read[i].get("assignment") or {}).get("lead_unit") == unit
        ]
        if cases:
            by_unit[unit] = (len(owed[unit]) - (len(listed) - len(cases)), cases)
    return by_unit


REMINDER_FIELDS = {"title": 1, "assignment": 1, "status": 1}


def _owing_from_cases(db):
    by_unit = {}
    for case in db.cases.find({"status": {"$in": list(watch.OWING)}}, REMINDER_FIELDS):
        unit = (case.get("assignment") or {}).get("lead_unit")
        if unit:
            by_unit.setdefault(unit, []).append(case)
    for cases in by_unit.values():
        cases.sort(key=lambda c: (due_at(c), c["_id"]))
    return {unit: (len(cases), cases[:REMINDER_LIST]) for unit, cases in by_unit.items()}
