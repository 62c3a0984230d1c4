"""The clock record of an assignment (`clocks`, one document per case and assignment, `_id`
"<case>:<seq>"). Supervision starts it (the deadline comes from its policies) and sweeps it;
handling marks where it stopped (the reply the office approved) and how far an approved
extension moved it. The sweep itself reads the case's assignment, so these marks are the
record of what happened to the clock, kept beside it."""

from datetime import datetime
from typing import Any

Case = dict[str, Any]


def key(case: Case) -> str:
    """The clock of the case's current assignment."""
    return f"{case['_id']}:{case.get('assignment_count', 1)}"


def mark_stopped(db: Any, case: Case, now: datetime) -> None:
    db.clocks.update_one({"_id": key(case)}, {"$set": {"stopped_at": now}})


def mark_extended(db: Any, case: Case) -> None:
    db.clocks.update_one(
        {"_id": key(case)}, {"$set": {"extended_to": case["assignment"]["extended_to"]}}
    )
