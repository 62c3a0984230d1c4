"""Statistics and unit assessment (docs/contract.md §7), free of I/O: what each case counts
for, and the sums. Every rate is an exact fraction whose numerator and denominator are given
with it.

The population of a period is the cases *received* in it, less merged duplicates (counted in
their primary) and cases not accepted (no unit handled them). A case counts for its current
lead unit. Definitions:

  completed        status answered or closed (the unit's answer went out)
  on time          completed with `answered_at` ≤ the due date (extended, if extended); a
                   case with no deadline (answered on the spot) is on time
  on_time_rate     on time / (completed + overdue_open): open overdue cases count against it
  overdue_open     still owed by the unit (assigned, in progress, replied) past its due date,
                   measured now
  satisfaction     counted return visits rated satisfied or basically satisfied / counted
                   return visits; a rating removed by an upheld appeal does not count
  handling hours   answered_at − assigned_at, over completed cases that had a unit
  returned, extensions, reopened   cases with at least one return request, approved
                   extension, reopening
"""

from lianxin.cases import due_at
from lianxin.workflow import OWING_STATES

GROUPS = ("unit", "topic", "town", "channel", "kind")
SATISFIED = ("satisfied", "basically_satisfied")
NOT_COUNTED = ("merged", "not_accepted")
PROJECTION = {
    "status": 1,
    "assignment": 1,
    "topic": 1,
    "location.town": 1,
    "channel": 1,
    "kind": 1,
    "received_at": 1,
    "answered_at": 1,
    "closed_at": 1,
    "return_visit": 1,
    "returns_count": 1,
    "extensions": 1,
    "reopen_count": 1,
    "rejections_count": 1,
    "flags": 1,
    "title": 1,
    "people_involved": 1,
}


def facts(case, now):
    """What one case counts for (`now` None: everything but what depends on the time)."""
    a = case.get("assignment") or {}
    due = due_at(case)
    answered = case.get("answered_at")
    completed = case["status"] in ("answered", "closed") and answered is not None
    visit = case.get("return_visit") or {}
    rated = bool(visit.get("satisfaction")) and visit.get("counts", True) is not False
    handling_ms = None
    if completed and a.get("assigned_at"):
        # whole milliseconds (what the store keeps): sums of them are exact in any order
        handling_ms = round((answered - a["assigned_at"]).total_seconds() * 1000)
    owing = case["status"] in OWING_STATES and due is not None
    return {
        "id": case["_id"],
        "received_at": case.get("received_at"),
        "unit": a.get("lead_unit") or "(none)",
        "topic": case.get("topic"),
        "town": (case.get("location") or {}).get("town") or "(none)",
        "channel": case.get("channel"),
        "kind": case.get("kind"),
        "counted": case["status"] not in NOT_COUNTED,
        "closed": case["status"] == "closed",
        "completed": completed,
        "on_time": completed and (due is None or answered <= due),
        "overdue_open": owing and now is not None and due < now,
        "open_due": due if owing else None,
        "rated": rated,
        "satisfied": rated and visit.get("satisfaction") in SATISFIED,
        "handling_ms": handling_ms,
        "handling_hours": None if handling_ms is None else handling_ms / 3_600_000,
        "returned": case.get("returns_count", 0) > 0,
        "extended": case.get("extensions", 0) > 0,
        "reopened": case.get("reopen_count", 0) > 0,
        "rejections": case.get("rejections_count", 0),
    }


def _rate(numerator, denominator):
    return {
        "numerator": numerator,
        "denominator": denominator,
        "value": round(numerator / denominator, 4) if denominator else None,
    }


def handling(total_ms, cases):
    hours = total_ms / 3_600_000
    return {
        "value": round(hours / cases, 2) if cases else None,
        "total_hours": round(hours, 4),
        "cases": cases,
    }


def summarise(rows):
    """The docs/contract.md §7 figures of a list of `facts`."""
    rows = [r for r in rows if r["counted"]]
    completed = sum(r["completed"] for r in rows)
    overdue_open = sum(r["overdue_open"] for r in rows)
    hours_ms = [r["handling_ms"] for r in rows if r["handling_ms"] is not None]
    return {
        "total": len(rows),
        "closed": sum(r["closed"] for r in rows),
        "completed": completed,
        "completion_rate": _rate(completed, len(rows)),
        "on_time_rate": _rate(sum(r["on_time"] for r in rows), completed + overdue_open),
        "satisfaction_rate": _rate(
            sum(r["satisfied"] for r in rows), sum(r["rated"] for r in rows)
        ),
        "average_handling_hours": handling(sum(hours_ms), len(hours_ms)),
        "overdue_open": overdue_open,
        "returned": sum(r["returned"] for r in rows),
        "extensions": sum(r["extended"] for r in rows),
        "reopened": sum(r["reopened"] for r in rows),
    }


def group(rows, by):
    """{group key: summary} over the counted rows."""
    if by not in GROUPS:
        raise ValueError(f"group_by must be one of {GROUPS}")
    buckets = {}
    for r in rows:
        if r["counted"]:
            buckets.setdefault(r[by], []).append(r)
    return {key: summarise(members) for key, members in sorted(buckets.items())}


def parse_deductions(text):
    """ "overdue=2,dissatisfied=1" → {"overdue": 2.0, "dissatisfied": 1.0}."""
    out = {}
    for part in (text or "").split(","):
        if part.strip():
            name, _, points = part.partition("=")
            out[name.strip()] = float(points)
    return out


def deduction_reasons(r):
    """{deduction: how many times} one case's facts cost its unit."""
    return {
        "overdue": int((r["completed"] and not r["on_time"]) or r["overdue_open"]),
        "dissatisfied": int(r["rated"] and not r["satisfied"]),
        "reply_rejected": r["rejections"],
        "returned": int(r["returned"]),
        "reopened": int(r["reopened"]),
    }


def assess(rows, deductions, flag_below):
    """Unit assessment: 100 less the points of each deduction, per unit, with the cases
    behind each deduction; flagged below `flag_below`."""
    units = {}
    for r in rows:
        if not r["counted"] or r["unit"] == "(none)":
            continue
        u = units.setdefault(r["unit"], {"cases": 0, "why": {k: {} for k in deductions}})
        u["cases"] += 1
        for name, times in deduction_reasons(r).items():
            if name in deductions and times:
                u["why"][name][r["id"]] = times
    return score(units, deductions, flag_below)


def score(units, deductions, flag_below):
    """`units`: {unit: {"cases": n, "why": {deduction: {case id: times}}}} → the ranking,
    each deduction listing its cases (sorted; a case twice if it cost the points twice)."""
    out = []
    for unit, u in units.items():
        lines = {}
        for name in deductions:
            found = u["why"].get(name) or {}
            ids = [cid for cid in sorted(found) for _ in range(found[cid])]
            lines[name] = {
                "count": len(ids),
                "points": round(len(ids) * deductions[name], 2),
                "cases": ids,
            }
        total = max(0.0, round(100 - sum(line["points"] for line in lines.values()), 2))
        out.append(
            {
                "unit": unit,
                "cases": u["cases"],
                "score": total,
                "flagged": total < flag_below,
                "deductions": lines,
            }
        )
    out.sort(key=lambda x: (-x["score"], x["unit"]))
    for rank, item in enumerate(out, 1):
        item["rank"] = rank
    return out
