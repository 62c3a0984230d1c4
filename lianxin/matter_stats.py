"""Matters in the statistics (docs/contract.md §7, §14): by lead unit, the matters it leads and
where they stand, and its milestones due in a period — done on time, done late, missed (open
past their date), still to come — with the on-time rate as numerator and denominator, like
every rate of §7. `bulletin_section` is what the quarterly bulletin says of supervised
matters (services/reading/reports.py calls it)."""

from . import matter_workflow
from .auth import UNIT_ROLES
from .clock import isoformat


def _rate(numerator, denominator):
    return {
        "numerator": numerator,
        "denominator": denominator,
        "value": round(numerator / denominator, 4) if denominator else None,
    }


def _empty():
    return {
        "matters": 0,
        "by_status": {s: 0 for s in matter_workflow.STATES if s != "draft"},
        "at_risk": 0,
        "milestones_due": 0,
        "on_time": 0,
        "late": 0,
        "missed": 0,
        "pending": 0,
    }


def _count(row, matter, start, end, now):
    row["matters"] += 1
    row["by_status"][matter["status"]] += 1
    row["at_risk"] += matter["status"] == "at_risk"
    for m in matter["milestones"]:
        if not start <= m["due_at"] < end:
            continue
        row["milestones_due"] += 1
        done = m.get("done_at")
        if done and done <= m["due_at"]:
            row["on_time"] += 1
        elif done:
            row["late"] += 1
        elif m["due_at"] <= now:
            row["missed"] += 1
        else:
            row["pending"] += 1


def by_unit(db, now, start, end, units=None):
    """{unit: figures} over the published matters, counting milestones due in [start, end)."""
    rows: dict[str, dict] = {}
    total = _empty()
    for matter in db.matters.find({"status": {"$ne": "draft"}}, {"timeline": 0, "progress": 0}):
        unit = matter.get("lead_unit") or "unclaimed"
        if units is not None and unit not in units:
            continue
        _count(rows.setdefault(unit, _empty()), matter, start, end, now)
        _count(total, matter, start, end, now)
    for row in [*rows.values(), total]:
        row["on_time_rate"] = _rate(row["on_time"], row["on_time"] + row["late"] + row["missed"])
    return rows, total


def report(db, now, actor, start, end):
    """GET /matters/stats: the office and leaders see every unit, a unit its own."""
    scope = None if actor["role"] not in UNIT_ROLES else {actor.get("unit")}
    rows, total = by_unit(db, now, start, end, scope)
    names = {u["_id"]: u.get("name", u["_id"]) for u in db.units.find({}, {"name": 1})}
    return {
        "from": isoformat(start),
        "to": isoformat(end),
        "totals": total if scope is None else rows.get(actor.get("unit"), _empty()),
        "units": [
            {"unit": u, "name": names.get(u, u), **row}
            for u, row in sorted(rows.items(), key=lambda kv: (-kv[1]["matters"], kv[0]))
        ],
    }


def bulletin_section(db, now, start, end):
    """The quarterly bulletin's section on supervised matters: totals, by unit, the matters
    confirmed closed in the quarter and those at risk now."""
    rows, total = by_unit(db, now, start, end)
    names = {u["_id"]: u.get("name", u["_id"]) for u in db.units.find({}, {"name": 1})}
    confirmed, at_risk = [], []
    for m in db.matters.find(
        {"status": {"$in": ["confirmed", "at_risk"]}},
        {"title": 1, "status": 1, "lead_unit": 1, "confirmed": 1},
    ):
        brief = {
            "id": m["_id"],
            "title": m["title"],
            "unit": m.get("lead_unit"),
            "unit_name": names.get(m.get("lead_unit"), m.get("lead_unit")),
        }
        if m["status"] == "at_risk":
            at_risk.append(brief)
        elif start <= m["confirmed"]["at"] < end:
            confirmed.append({**brief, "confirmed_at": isoformat(m["confirmed"]["at"])})
    return {
        "totals": total,
        "units": [
            {"unit": u, "name": names.get(u, u), **row}
            for u, row in sorted(
                rows.items(), key=lambda kv: (-(kv[1]["on_time_rate"]["value"] or 0), kv[0])
            )
        ],
        "confirmed": sorted(confirmed, key=lambda m: m["id"]),
        "at_risk": sorted(at_risk, key=lambda m: m["id"]),
    }
