"""What supervision owes a case at a moment (docs/contract.md §5), free of I/O.

`evaluate(case, clock, now, rules)` returns the alerts due now and the next moment anything
will be due. Every alert has a key unique to what it is about (the case, the assignment, the
deadline, the period), so that emitting it twice is impossible: the caller records the key
with a unique insert before publishing.

- 认领: not claimed within 1 working day of assignment → a notice raised to the dispatcher;
- 三天一督: every 3 days after assignment, while the unit still owes the answer → a formal
  supervision notice to the unit leader (a sweep that missed a period sends only the latest);
- yellow warning at 80% of the time; overdue (red) at the deadline, to the unit leader, the
  overseeing leader and the office; a deadline moved by an extension gives new keys;
- co-units (会办) overdue with their input at their own deadline.
"""

from dataclasses import dataclass
from datetime import timedelta

from lianxin.calendar import add_working_days
from lianxin.cases import clock_start, due_at, yellow_at
from lianxin.clock import isoformat
from lianxin.timers import Alert
from lianxin.workflow import OWING_STATES

OWING = OWING_STATES  # the unit still owes the answer
RUNNING = OWING + ("replied",)  # the clock runs until approval


@dataclass(frozen=True)
class Rules:
    notice_every_days: int = 3
    yellow_share: float = None  # None: LX_YELLOW_SHARE, as the case list uses
    claim_window_working_days: int = 1
    tz: str = "Asia/Shanghai"


# What `running` and `evaluate` read of a case: the sweep reads only these.
CASE_FIELDS = {"status": 1, "assignment_count": 1, "assignment": 1, "co_inputs": 1}


def running(case, clock):
    """Is this clock the case's current one, and does it still run?"""
    return (
        case is not None
        and case.get("status") in RUNNING
        and clock["seq"] == case.get("assignment_count", 1)
    )


def evaluate(case, clock, now, rules):
    """(alerts due at `now`, the next moment to look again or None). An alert is built only
    when it is due (a sweep evaluates every clock it wakes, most owing one alert or none)."""
    a = case["assignment"]
    start, due = clock_start(case), due_at(case)
    cid, seq, status = case["_id"], clock["seq"], case["status"]
    units = {"lead_unit": a.get("lead_unit"), "leader": a.get("leader")}
    alerts, upcoming = [], []
    due_text = isoformat(due)

    def at(moment):
        """Is `moment` due now? If not, it is a moment to look again."""
        if moment <= now:
            return True
        upcoming.append(moment)
        return False

    if status == "assigned" and not a.get("claimed_at"):
        claim_by = add_working_days(a["assigned_at"], rules.claim_window_working_days, rules.tz)
        if at(claim_by):
            alerts.append(
                Alert(
                    f"unclaimed:{cid}:{seq}",
                    "supervision.notice",
                    "unclaimed",
                    {**units, "claim_by": isoformat(claim_by)},
                )
            )
    if status in OWING:
        period = timedelta(days=rules.notice_every_days)
        k = int((now - start) / period)
        if k >= 1:
            alerts.append(
                Alert(
                    f"notice:{cid}:{seq}:{k}",
                    "supervision.notice",
                    "supervision",
                    {**units, "number": k, "due_at": due_text},
                )
            )
        upcoming.append(start + period * (k + 1))
    if now < due and at(yellow_at(start, due, rules.yellow_share)):
        alerts.append(
            Alert(
                f"yellow:{cid}:{seq}:{due_text}",
                "supervision.warning",
                "yellow",
                {**units, "level": "yellow", "due_at": due_text},
            )
        )
    if at(due):
        alerts.append(
            Alert(
                f"overdue:{cid}:{seq}:{due_text}",
                "supervision.overdue",
                "overdue",
                {**units, "level": "red", "due_at": due_text},
            )
        )
    co_due = a.get("co_due_at")
    if co_due and status in ("assigned", "in_progress"):
        for unit in a.get("co_units") or []:
            if unit not in (case.get("co_inputs") or {}) and at(co_due):
                alerts.append(
                    Alert(
                        f"co_overdue:{cid}:{seq}:{unit}",
                        "supervision.overdue",
                        "co_input",
                        {**units, "co_unit": unit, "co_due_at": isoformat(co_due)},
                    )
                )
    return alerts, (min(upcoming) if upcoming else None)


def reminder_due(now_local, reminder_time):
    """Has today's daily reminder time (一天一催, e.g. 09:00 local) passed?"""
    hours, minutes = (int(x) for x in reminder_time.split(":"))
    return (now_local.hour, now_local.minute) >= (hours, minutes)


def time_left_hours(case, now):
    due = due_at(case)
    return round((due - now).total_seconds() / 3600, 1)
