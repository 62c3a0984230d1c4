"""Statistics, assessment, the quarterly bulletin and the ten-day digest (docs/contract.md §7): read
the period's cases once (a projection), count them with `stats`, name the units and topics.

The store cannot average, join or branch in an aggregation (STACK.md), so the counting is
done here over the projected cases; every figure is the sum of per-case facts, and the
generated-county test checks them against an answer key kept by the generator itself."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from lianxin import matter_stats as matters_stats
from lianxin import settings
from lianxin.auth import OFFICE_ROLES
from lianxin.clock import isoformat
from lianxin.errors import Forbidden, ValidationFailed
from lianxin.schemas import QUARTER_PATTERN

from . import stats


def _check(actor):
    if actor.get("role") not in OFFICE_ROLES:
        raise Forbidden("statistics and reports are for the office and leaders", {})


def period_rows(db, now, start, end):
    """The facts of every case received in [start, end)."""
    query = {"received_at": {"$gte": start, "$lt": end}}
    return [stats.facts(c, now) for c in db.cases.find(query, stats.PROJECTION)]


def _names(db, collection):
    return {d["_id"]: d.get("name", d["_id"]) for d in db[collection].find({}, {"name": 1})}


def stats_report(db, now, actor, start, end, group_by):
    _check(actor)
    if start >= end:
        raise ValidationFailed("`from` must be before `to`", {"fields": {"to": ["before from"]}})
    if group_by not in stats.GROUPS:
        raise ValidationFailed("unknown grouping", {"fields": {"group_by": list(stats.GROUPS)}})
    rows = period_rows(db, now, start, end)
    names = (
        _names(db, "units")
        if group_by == "unit"
        else _names(db, "topics")
        if group_by == "topic"
        else {}
    )
    return {
        "from": isoformat(start),
        "to": isoformat(end),
        "group_by": group_by,
        "generated_at": isoformat(now),
        "totals": stats.summarise(rows),
        "groups": [
            {"key": key, "name": names.get(key, key), **figures}
            for key, figures in stats.group(rows, group_by).items()
        ],
    }


def assessment(db, now, actor, start, end, rows=None):
    _check(actor)
    rows = rows if rows is not None else period_rows(db, now, start, end)
    units = {u["_id"]: u for u in db.units.find({}, {"name": 1, "kind": 1})}
    ranked = stats.assess(
        rows, stats.parse_deductions(settings.ASSESSMENT_DEDUCTIONS), settings.ASSESSMENT_FLAG_BELOW
    )
    for item in ranked:
        unit = units.get(item["unit"], {})
        item["name"], item["kind"] = unit.get("name", item["unit"]), unit.get("kind")
    return {
        "from": isoformat(start),
        "to": isoformat(end),
        "generated_at": isoformat(now),
        "deductions": stats.parse_deductions(settings.ASSESSMENT_DEDUCTIONS),
        "flag_below": settings.ASSESSMENT_FLAG_BELOW,
        "units": ranked,
    }


def quarter_bounds(quarter, tz):
    match = QUARTER_PATTERN.match(quarter or "")
    if not match:
        raise ValidationFailed(
            "quarter must look like 2026Q3", {"fields": {"quarter": ["format YYYYQn"]}}
        )
    year, q = int(match.group(1)), int(match.group(2))
    zone = ZoneInfo(tz)
    start = datetime(year, 3 * q - 2, 1, tzinfo=zone)
    end = datetime(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1, tzinfo=zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def bulletin(db, now, actor, quarter, tz):
    """季度通报: figures by unit, topic and town; the unit ranking; the best-handled cases; the
    lowest township and the three lowest departments."""
    _check(actor)
    start, end = quarter_bounds(quarter, tz)
    rows = period_rows(db, now, start, end)
    ranking = assessment(db, now, actor, start, end, rows)["units"]
    unit_figures = stats.group(rows, "unit")
    for item in ranking:
        item["figures"] = unit_figures.get(item["unit"])
    topics = _names(db, "topics")
    best = sorted(
        (
            r
            for r in rows
            if r["counted"]
            and r["closed"]
            and r["on_time"]
            and r["satisfied"]
            and r["handling_hours"] is not None
        ),
        key=lambda r: (r["handling_hours"], r["id"]),
    )[:5]
    titles = {
        r["id"]: (db.cases.find_one({"_id": r["id"]}, {"title": 1}) or {}).get("title", "")
        for r in best
    }
    townships = [u for u in ranking if u["kind"] == "township"]
    departments = [u for u in ranking if u["kind"] == "department"]
    return {
        "quarter": quarter,
        "from": isoformat(start),
        "to": isoformat(end),
        "generated_at": isoformat(now),
        "totals": stats.summarise(rows),
        "ranking": ranking,
        "by_topic": [
            {"key": k, "name": topics.get(k, k), **v} for k, v in stats.group(rows, "topic").items()
        ],
        "by_town": [{"key": k, **v} for k, v in stats.group(rows, "town").items()],
        "supervised_matters": matters_stats.bulletin_section(db, now, start, end),
        "best_cases": [
            {
                "id": r["id"],
                "title": titles.get(r["id"], ""),
                "unit": r["unit"],
                "unit_name": next(
                    (u["name"] for u in ranking if u["unit"] == r["unit"]), r["unit"]
                ),
                "handling_hours": round(r["handling_hours"], 2),
            }
            for r in best
        ],
        "lowest_township": townships[-1] if townships else None,
        "lowest_departments": departments[-3:][::-1],
    }


def digest(db, now, actor, start, end):
    """十日汇总, grouped by leader portfolio: counts, hot topics (most frequent, and rising
    against the previous period of the same length), notable cases."""
    _check(actor)
    if start >= end:
        raise ValidationFailed("`from` must be before `to`", {"fields": {"to": ["before from"]}})
    length = end - start
    cases = list(
        db.cases.find({"received_at": {"$gte": start - length, "$lt": end}}, stats.PROJECTION)
    )
    current = [c for c in cases if c["received_at"] >= start and c["status"] != "merged"]
    previous = [c for c in cases if c["received_at"] < start and c["status"] != "merged"]
    topics = _names(db, "topics")

    def count_by_topic(items):
        out = {}
        for c in items:
            out[c["topic"]] = out.get(c["topic"], 0) + 1
        return out

    def note(c):
        return {
            "id": c["_id"],
            "title": c["title"],
            "status": c["status"],
            "unit": (c.get("assignment") or {}).get("lead_unit"),
        }

    sections = []
    for leader in db.leaders.find().sort("_id", 1):
        portfolio = set(leader.get("portfolio") or [])
        mine = [c for c in current if c["topic"] in portfolio]
        now_counts = count_by_topic(mine)
        before = count_by_topic([c for c in previous if c["topic"] in portfolio])
        hot = sorted(now_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        rising = sorted(
            ((t, n - before.get(t, 0)) for t, n in now_counts.items() if n > before.get(t, 0)),
            key=lambda kv: (-kv[1], kv[0]),
        )[:5]
        facts = {c["_id"]: stats.facts(c, now) for c in mine}
        sections.append(
            {
                "leader": leader["_id"],
                "name": leader.get("name"),
                "portfolio": sorted(portfolio),
                "total": len(mine),
                "previous_total": sum(before.values()),
                "by_topic": [
                    {"topic": t, "name": topics.get(t, t), "count": n, "previous": before.get(t, 0)}
                    for t, n in sorted(now_counts.items())
                ],
                "hot_topics": [{"topic": t, "name": topics.get(t, t), "count": n} for t, n in hot],
                "rising_topics": [
                    {"topic": t, "name": topics.get(t, t), "increase": d} for t, d in rising
                ],
                "notable": {
                    "collective": [note(c) for c in mine if "collective" in c.get("flags", [])],
                    "leader_led": [
                        note(c)
                        for c in mine
                        if (c.get("assignment") or {}).get("leader") == leader["_id"]
                        or "leader_led" in c.get("flags", [])
                    ],
                    "overdue": [note(c) for c in mine if facts[c["_id"]]["overdue_open"]],
                    "repeat_petitioners": [
                        note(c) for c in mine if "repeat_petitioner" in c.get("flags", [])
                    ],
                },
            }
        )
    return {
        "from": isoformat(start),
        "to": isoformat(end),
        "previous_from": isoformat(start - length),
        "generated_at": isoformat(now),
        "total": len(current),
        "leaders": sections,
    }


def default_digest_period(now, tz):
    """The last ten local days up to today's start (a 十日 digest)."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    return (today - timedelta(days=10)).astimezone(ZoneInfo("UTC")), today.astimezone(
        ZoneInfo("UTC")
    )


def public_stats(db, now, quarter, tz):
    """The public board's figures: the docs/contract.md §7 rates by unit, the same numbers the
    office sees, for a quarter."""
    start, end = quarter_bounds(quarter, tz)
    rows = period_rows(db, now, start, end)
    names = _names(db, "units")
    return {
        "quarter": quarter,
        "from": isoformat(start),
        "to": isoformat(end),
        "units": [
            {
                "unit": key,
                "name": names.get(key, key),
                "total": f["total"],
                "completion_rate": f["completion_rate"],
                "on_time_rate": f["on_time_rate"],
                "satisfaction_rate": f["satisfaction_rate"],
            }
            for key, f in stats.group(rows, "unit").items()
            if key != "(none)"
        ],
    }
