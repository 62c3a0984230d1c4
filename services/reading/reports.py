"""Statistics, assessment, the quarterly bulletin and the ten-day digest (docs/contract.md
§7): statistics, assessment, bulletin and public figures read the period's rollups
(`rollup_store`, docs/decisions/0021); the digest reads the period's cases once (a
projection) and counts them with `stats`; `Recount` counts any period from its cases.

The store cannot average, join or branch in an aggregation (docs/platform.md §3), so the counting is
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

from . import rollup_store, rollups, stats


def _check(actor):
    if actor.get("role") not in OFFICE_ROLES:
        raise Forbidden("statistics and reports are for the office and leaders", {})


def period_rows(db, now, start, end):
    """The facts of every case received in [start, end)."""
    query = {"received_at": {"$gte": start, "$lt": end}}
    return [stats.facts(c, now) for c in db.cases.find(query, stats.PROJECTION)]


WEEK = "week"  # group_by=week: the local ISO weeks of the period, keyed by their Monday
MAX_WEEKS = 106  # a weekly trend of at most two years (each week reads its day rollups)


def _check_weeks(start, end):
    if end - start > timedelta(weeks=MAX_WEEKS):
        raise ValidationFailed(
            f"group_by=week covers at most {MAX_WEEKS} weeks",
            {"fields": {"group_by": [f"a period of at most {MAX_WEEKS} weeks"]}},
        )


def _week(start, end, figures):
    return {**figures, "from": isoformat(start), "to": isoformat(end)}


class Recount:
    """The figures of a period counted from its cases (one read of the period): the
    definition, and what the rollups are checked against."""

    def __init__(self, db, now, start, end, weeks=False):
        self.now, self.rows = now, period_rows(db, now, start, end)
        self.span = start, end

    def totals(self):
        return stats.summarise(self.rows)

    def group(self, by):
        if by == WEEK:
            tz = settings.TIMEZONE
            spans = rollups.weeks(*self.span, tz)
            rows = {key: [] for key, _, _ in spans}
            for r in self.rows:
                rows[rollups.week_of(r["received_at"], tz)].append(r)
            return {k: _week(s, e, stats.summarise(rows[k])) for k, s, e in spans}
        return stats.group(self.rows, by)

    def assess(self, deductions, flag_below):
        return stats.assess(self.rows, deductions, flag_below)

    def best(self):
        """[(handling ms, case id)] of the best-handled cases, fastest first."""
        found = (
            (r["handling_ms"], r["id"])
            for r in self.rows
            if r["counted"] and r["closed"] and r["on_time"] and r["satisfied"]
            if r["handling_ms"] is not None
        )
        return sorted(found)[: rollups.BEST_KEEP]


class FromRollups:
    """The same figures read from the period's rollups (docs/decisions/0021)."""

    def __init__(self, db, now, start, end, weeks=False):
        self.now = now
        if not weeks:
            self.doc, self._best = rollup_store.read(db, start, end)
            return
        # the weeks partition the period: one read of their rollups, the totals their sum
        self._weeks = rollups.weeks(start, end, settings.TIMEZONE)
        read = rollup_store.read_spans(db, [(s, e) for _, s, e in self._weeks])
        self._week_docs = [doc for doc, _ in read]
        self.doc = rollups.empty()
        for doc in self._week_docs:
            rollups.merge(self.doc, doc)
        self._best = sorted(b for _, best in read for b in best)[: rollups.BEST_KEEP]

    def totals(self):
        return rollups.totals(self.doc, self.now)

    def group(self, by):
        if by == WEEK:
            return {
                key: _week(s, e, rollups.totals(doc, self.now))
                for (key, s, e), doc in zip(self._weeks, self._week_docs, strict=True)
            }
        if by not in stats.GROUPS:
            raise ValueError(f"group_by must be one of {stats.GROUPS}")
        return rollups.figures(self.doc, self.now, by)

    def assess(self, deductions, flag_below):
        return rollups.assess(self.doc, self.now, deductions, flag_below)

    def best(self):
        return self._best


# How reports read a period: from the rollups; tests and benchmarks swap in `Recount`.
PERIOD = FromRollups


def _names(db, collection):
    return {d["_id"]: d.get("name", d["_id"]) for d in db[collection].find({}, {"name": 1})}


def stats_report(db, now, actor, start, end, group_by):
    _check(actor)
    if start >= end:
        raise ValidationFailed("`from` must be before `to`", {"fields": {"to": ["before from"]}})
    if group_by not in (*stats.GROUPS, WEEK):
        raise ValidationFailed("unknown grouping", {"fields": {"group_by": [*stats.GROUPS, WEEK]}})
    if group_by == WEEK:
        _check_weeks(start, end)
    period = PERIOD(db, now, start, end, weeks=group_by == WEEK)
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
        "totals": period.totals(),
        "groups": [
            {"key": key, "name": names.get(key, key), **figures}
            for key, figures in period.group(group_by).items()
        ],
    }


def assessment(db, now, actor, start, end, period=None):
    _check(actor)
    period = period or PERIOD(db, now, start, end)
    units = {u["_id"]: u for u in db.units.find({}, {"name": 1, "kind": 1})}
    ranked = period.assess(
        stats.parse_deductions(settings.ASSESSMENT_DEDUCTIONS), settings.ASSESSMENT_FLAG_BELOW
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
    period = PERIOD(db, now, start, end)
    ranking = assessment(db, now, actor, start, end, period)["units"]
    unit_figures = period.group("unit")
    for item in ranking:
        item["figures"] = unit_figures.get(item["unit"])
    topics = _names(db, "topics")
    best = []
    for ms, case_id in period.best():
        case = db.cases.find_one({"_id": case_id}, {"title": 1, "assignment.lead_unit": 1}) or {}
        unit = (case.get("assignment") or {}).get("lead_unit") or "(none)"
        best.append({"id": case_id, "title": case.get("title", ""), "unit": unit, "ms": ms})
    townships = [u for u in ranking if u["kind"] == "township"]
    departments = [u for u in ranking if u["kind"] == "department"]
    return {
        "quarter": quarter,
        "from": isoformat(start),
        "to": isoformat(end),
        "generated_at": isoformat(now),
        "totals": period.totals(),
        "ranking": ranking,
        "by_topic": [
            {"key": k, "name": topics.get(k, k), **v} for k, v in period.group("topic").items()
        ],
        "by_town": [{"key": k, **v} for k, v in period.group("town").items()],
        "supervised_matters": matters_stats.bulletin_section(db, now, start, end),
        "best_cases": [
            {
                "id": r["id"],
                "title": r["title"],
                "unit": r["unit"],
                "unit_name": next(
                    (u["name"] for u in ranking if u["unit"] == r["unit"]), r["unit"]
                ),
                "handling_hours": round(r["ms"] / 3_600_000, 2),
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
    """The public board's figures: the docs/contract.md §7 rates by unit, the same numbers
    the office sees, for a quarter."""
    start, end = quarter_bounds(quarter, tz)
    period = PERIOD(db, now, start, end)
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
            for key, f in period.group("unit").items()
            if key != "(none)"
        ],
    }
