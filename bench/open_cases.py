"""Load N open, assigned cases with running clocks straight into a store — for the supervision
benchmark and the replica tests. Cases are built from one template (hashing an access code
per case would dominate the load time); ids are `LX-BENCH-NNNNNNN`. Their queues' parts
(lianxin/queues.py) are written too, as the one door would, and a unit not in the directory
is added to it under its id."""

from datetime import timedelta

from lianxin import queues
from lianxin.cases import yellow_at
from services.intake import domain

SUBMISSION = {
    "channel": "web",
    "kind": "complaint",
    "topic": "environment",
    "title": "噪音扰民",
    "content": "夜间施工噪音",
    "location": {},
    "citizen": {"name": "测试", "phone": "13800000000"},
    "public_consent": False,
    "people_involved": 1,
    "urgency": "normal",
}


def load(db, n, start, units, days=7, batch=2000, spread=None):
    """Insert `n` cases assigned at `start` to `units` (round robin), due `days` later, each
    with its clock due for a first look when it was assigned, and their queue entries. With
    `spread` (a timedelta) the assignments are spread evenly over the `spread` before `start`
    instead, the newest at `start`. Returns the case ids."""
    template = domain.new_case("LX-BENCH-0000000", SUBMISSION, "ABCD2345", start)
    ids = []
    for first in range(0, n, batch):
        cases, clocks = [], []
        for i in range(first, min(first + batch, n)):
            case_id = f"LX-BENCH-{i:07d}"
            assigned = start - spread * (n - 1 - i) / n if spread else start
            due = assigned + timedelta(days=days)
            ids.append(case_id)
            cases.append(
                {
                    **template,
                    "_id": case_id,
                    "status": "assigned",
                    "assignment_count": 1,
                    "assignment": {
                        "lead_unit": units[i % len(units)],
                        "co_units": [],
                        "leader": None,
                        "assigned_at": assigned,
                        "claimed_at": None,
                        "due_at": due,
                        "extended_to": None,
                        "clock_started_at": assigned,
                        "yellow_at": yellow_at(assigned, due),
                        "co_due_at": None,
                    },
                }
            )
            clocks.append(
                {
                    "_id": f"{case_id}:1",
                    "case_id": case_id,
                    "seq": 1,
                    "started_at": assigned,
                    "policy": "general",
                    "duration": {"days": days},
                    "due_at": due,
                    "stopped_at": None,
                    "extended_to": None,
                    "state": "running",
                    "next_at": assigned,
                    "lease_until": None,
                }
            )
        db.cases.insert_many(cases, ordered=False)
        db.clocks.insert_many(clocks, ordered=False)
        queues.put_all(db, {case["_id"]: case for case in cases})
    queues.upgrade_parts(db)  # nothing of an older shape here: marks the store as in parts
    for unit in units:
        db.units.update_one({"_id": unit}, {"$setOnInsert": {"name": unit}}, upsert=True)
    return ids
