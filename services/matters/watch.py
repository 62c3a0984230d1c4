"""What supervision owes a matter at a moment (docs/contract.md §14, §5), free of I/O — the
same reminders and warnings as for cases, on a matter's milestones and reports.

`evaluate(matter, now, rules)` returns the alerts due now and the next moment anything will
be due. Each alert's key is unique to what it is about (the matter, the milestone and its
due date, the last report), so it is emitted once (lianxin/timers.py):

- a reminder `remind_days` before each open milestone (to the lead unit);
- a yellow warning at `yellow_share` of the milestone's span (from the previous milestone, or
  the matter's start, to its due date);
- a red warning at the due date of a milestone not done (to the unit's leaders, the leader
  and the office), and the matter is at risk;
- a notice when a progress report is overdue (`report_every_days` after the last one, or
  after publication); reports stale for twice that are a warning too, and put it at risk.
"""

from dataclasses import dataclass
from datetime import timedelta

from lianxin import matter_workflow
from lianxin.cases import yellow_at
from lianxin.clock import isoformat
from lianxin.timers import Alert

RECHECK = timedelta(days=1)  # a running matter with nothing ahead is looked at daily


@dataclass(frozen=True)
class Rules:
    remind_days: int = 3
    yellow_share: float = None  # None: LX_YELLOW_SHARE, as for cases


def spans(matter):
    """(milestone, its span's start) for each open milestone, in due order."""
    start, out = matter["starts_at"], []
    for m in sorted(matter["milestones"], key=lambda m: m["due_at"]):
        if not m.get("done_at"):
            out.append((m, start))
        start = max(start, m["due_at"])
    return out


def yellow(matter, now, rules=Rules()):
    return any(
        yellow_at(start, m["due_at"], rules.yellow_share) <= now < m["due_at"]
        for m, start in spans(matter)
    )


def evaluate(matter, now, rules):
    """(alerts due at `now`, the next moment to look again)."""
    mid = matter["_id"]
    who = {
        "matter_id": mid,
        "title": matter["title"],
        "lead_unit": matter.get("lead_unit"),
        "co_units": matter.get("co_units") or [],
        "leader": matter.get("leader"),
    }
    alerts, upcoming = [], []

    def at(moment, alert, until=None):
        if moment > now:
            upcoming.append(moment)
        elif until is None or now < until:  # superseded by a later alert once `until` passes
            alerts.append(alert)

    if matter["status"] not in matter_workflow.RUNNING:
        return [], None
    for m, start in spans(matter):
        due, tag = m["due_at"], f"{mid}:{m['id']}:{isoformat(m['due_at'])}"
        about = {
            **who,
            "milestone": m["id"],
            "milestone_title": m["title"],
            "due_at": isoformat(due),
        }
        at(
            due - timedelta(days=rules.remind_days),
            Alert(f"matter_reminder:{tag}", "matter.reminder", "milestone", about),
            until=due,
        )
        at(
            yellow_at(start, due, rules.yellow_share),
            Alert(f"matter_yellow:{tag}", "matter.warning", "yellow", {**about, "level": "yellow"}),
            until=due,
        )
        at(
            due,
            Alert(
                f"matter_overdue:{tag}", "matter.overdue", "milestone", {**about, "level": "red"}
            ),
        )
    since = matter.get("last_report_at") or matter.get("published_at")
    if since is not None:
        period = timedelta(days=matter.get("report_every_days", 14))
        tag = f"{mid}:{isoformat(since)}"
        about = {
            **who,
            "last_report_at": isoformat(since),
            "report_due_at": isoformat(since + period),
        }
        at(
            since + period,
            Alert(f"matter_report_due:{tag}", "matter.notice", "progress_due", about),
            until=since + 2 * period,
        )
        at(
            since + 2 * period,
            Alert(f"matter_stale:{tag}", "matter.warning", "stale", {**about, "level": "red"}),
        )
    return alerts, (min(upcoming) if upcoming else now + RECHECK)
