"""Statistics rollups (docs/contract.md §7, docs/decisions/0021), free of I/O: what one case
adds to its day's and its month's rollup, how a change of the case moves the rollup, and the
§7 figures read back from a rollup — the very definitions of `stats`, so that a rollup and a
recount of the cases give the same numbers.

A case's *contribution* is everything `stats.facts` says about it that does not depend on the
time of the question: the group it counts in (unit, topic, town, channel, kind), the counters
(total, closed, completed, on time, rated, satisfied, handling milliseconds, returned,
extended, reopened), the deductions of the assessment with its id, its due time while the
unit still owes the answer (overdue is measured when asked), and its handling time if it is
a best-handled case (closed, on time, satisfied). A case that is not counted (merged, not
accepted) contributes nothing.

A rollup document holds, per grouping and group, the sums of the counters (`n`); per unit
and deduction the ids of the cases behind it (`ids`); and the open cases with their due time
and groups (`open`). A change of a case is folded in as "take out the old contribution, put
in the new one"; so the result does not depend on the order in which changes are folded, and
a rollup built from nothing by folding every case's current contribution is the same.
"""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from . import stats

DIMS = stats.GROUPS  # unit, topic, town, channel, kind
ALL = "all"
COUNTERS = (
    "total",
    "closed",
    "completed",
    "on_time",
    "rated",
    "satisfied",
    "handling_ms",
    "handled",
    "returned",
    "extended",
    "reopened",
)
DEDUCTIONS = ("overdue", "dissatisfied", "reply_rejected", "returned", "reopened")
BEST_KEEP = 5  # best-handled cases kept per day (the bulletin names five)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def to_ms(moment):
    return round((moment - EPOCH).total_seconds() * 1000)


def from_ms(ms):
    return EPOCH + timedelta(milliseconds=ms)


def day_and_month(received_at, tz):
    """The local day and month a case was received in: its rollup documents' keys."""
    local = received_at.astimezone(ZoneInfo(tz))
    return local.strftime("%Y-%m-%d"), local.strftime("%Y-%m")


def contribution(case):
    """What one case adds to its rollups (None: it is not counted), from its document."""
    f = stats.facts(case, None)
    if not f["counted"]:
        return None
    deductions = stats.deduction_reasons(f)
    deductions["overdue"] = int(f["completed"] and not f["on_time"])  # open: measured when asked
    best = f["closed"] and f["on_time"] and f["satisfied"] and f["handling_ms"] is not None
    return {
        "g": [f[d] for d in DIMS],
        "n": [
            1,
            int(f["closed"]),
            int(f["completed"]),
            int(f["on_time"]),
            int(f["rated"]),
            int(f["satisfied"]),
            f["handling_ms"] or 0,
            int(f["handling_ms"] is not None),
            int(f["returned"]),
            int(f["extended"]),
            int(f["reopened"]),
        ],
        "d": {k: v for k, v in deductions.items() if v},
        "due": to_ms(f["open_due"]) if f["open_due"] is not None else None,
        "best": f["handling_ms"] if best else None,
    }


def empty():
    return {"n": {}, "ids": {}, "open": {}}


def fold(doc, case_id, old, new):
    """Move rollup `doc` (in place) from counting `old` for `case_id` to counting `new`."""
    if old:
        _add(doc, case_id, old, -1)
    if new:
        _add(doc, case_id, new, +1)


def _add(doc, case_id, c, sign):
    groups = dict(zip(DIMS, c["g"], strict=True))
    for dim, key in ((ALL, ALL), *groups.items()):
        bucket = doc["n"].setdefault(dim, {}).setdefault(key, dict.fromkeys(COUNTERS, 0))
        for name, value in zip(COUNTERS, c["n"], strict=True):
            bucket[name] += sign * value
        if bucket["total"] == 0:  # a group with no case left has nothing in it
            del doc["n"][dim][key]
            if not doc["n"][dim]:
                del doc["n"][dim]
    unit = groups["unit"]
    for name, times in c["d"].items():
        reasons = doc["ids"].setdefault(unit, {})
        ids = reasons.setdefault(name, {})
        if sign > 0:
            ids[case_id] = times
        else:
            ids.pop(case_id, None)
            if not ids:
                del reasons[name]
            if not reasons:
                del doc["ids"][unit]
    if c["due"] is not None:
        if sign > 0:
            doc["open"][case_id] = [c["due"], *c["g"]]
        else:
            doc["open"].pop(case_id, None)


def merge(into, doc):
    """Add rollup `doc` to `into` (both cover disjoint cases)."""
    for dim, groups in doc.get("n", {}).items():
        for key, counters in groups.items():
            bucket = into["n"].setdefault(dim, {}).setdefault(key, dict.fromkeys(COUNTERS, 0))
            for name in COUNTERS:
                bucket[name] += counters.get(name, 0)
    for unit, reasons in doc.get("ids", {}).items():
        for name, ids in reasons.items():
            into["ids"].setdefault(unit, {}).setdefault(name, {}).update(ids)
    into["open"].update(doc.get("open", {}))
    return into


def best_entry(ms, case_id):
    """A best-handled case as stored: "<handling ms, 15 digits> <case id>" (sorts fastest
    first; the store keeps no arrays in arrays)."""
    return f"{ms:015d} {case_id}"


def best_parse(entry):
    ms, case_id = entry.split(" ", 1)
    return int(ms), case_id


def best_update(best, case_id, old, new):
    """The day's best-handled cases (≤ BEST_KEEP entries, fastest first) after a change;
    returns (list, complete) — not complete when one of them left and the next is not known
    (the caller recounts the day)."""
    kept = [b for b in best if best_parse(b)[1] != case_id]
    complete = len(kept) == len(best) or len(best) < BEST_KEEP
    if new and new["best"] is not None:
        kept.append(best_entry(new["best"], case_id))
    kept.sort()
    return kept[:BEST_KEEP], complete


def _summary(c, overdue_open):
    """docs/contract.md §7 figures of one group: `stats.summarise` from the sums."""
    return {
        "total": c["total"],
        "closed": c["closed"],
        "completed": c["completed"],
        "completion_rate": stats._rate(c["completed"], c["total"]),
        "on_time_rate": stats._rate(c["on_time"], c["completed"] + overdue_open),
        "satisfaction_rate": stats._rate(c["satisfied"], c["rated"]),
        "average_handling_hours": stats.handling(c["handling_ms"], c["handled"]),
        "overdue_open": overdue_open,
        "returned": c["returned"],
        "extensions": c["extended"],
        "reopened": c["reopened"],
    }


def overdue(doc, now):
    """The open cases past their due time now: {case id: {dim: group}}."""
    limit = to_ms(now)
    return {
        cid: dict(zip(DIMS, entry[1:], strict=True))
        for cid, entry in doc["open"].items()
        if entry[0] < limit
    }


def figures(doc, now, by):
    """{group: figures} by `by` (or the totals with `by` = "all"), like `stats.group`."""
    late = overdue(doc, now)
    out = {}
    for key, counters in sorted(doc["n"].get(by, {}).items()):
        n = sum(1 for g in late.values() if by == ALL or g[by] == key)
        out[key] = _summary(counters, n)
    return out


def totals(doc, now):
    return figures(doc, now, ALL).get(ALL) or _summary(dict.fromkeys(COUNTERS, 0), 0)


def assess(doc, now, deductions, flag_below):
    """The unit assessment of `stats.assess`, from the rollup."""
    units = {}
    for unit, counters in doc["n"].get("unit", {}).items():
        if unit == "(none)":
            continue
        why = {name: dict(doc["ids"].get(unit, {}).get(name, {})) for name in deductions}
        units[unit] = {"cases": counters["total"], "why": why}
    if "overdue" in deductions:
        for cid, groups in overdue(doc, now).items():
            if groups["unit"] in units:
                units[groups["unit"]]["why"]["overdue"][cid] = 1
    return stats.score(units, deductions, flag_below)


def pieces(start, end, tz):
    """Split [start, end) into whole local months ("m", "2026-07"), whole local days ("d",
    "2026-07-01") and the partial days at either end ("cases", from, to)."""
    zone, utc = ZoneInfo(tz), ZoneInfo("UTC")
    out, at = [], start
    while at < end:
        local = at.astimezone(zone)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        next_day = (midnight + timedelta(days=1, hours=2)).replace(hour=0)
        if local == midnight and local.day == 1:
            next_month = (midnight + timedelta(days=32)).replace(day=1)
            if next_month.astimezone(utc) <= end:
                out.append(("m", local.strftime("%Y-%m")))
                at = next_month.astimezone(utc)
                continue
        if local == midnight and next_day.astimezone(utc) <= end:
            out.append(("d", local.strftime("%Y-%m-%d")))
            at = next_day.astimezone(utc)
            continue
        stop = min(next_day.astimezone(utc), end)
        out.append(("cases", at, stop))
        at = stop
    return out


def week_of(moment, tz):
    """The ISO week (Monday start) a moment falls in, in local time: its Monday, "2026-06-29"."""
    local = moment.astimezone(ZoneInfo(tz)).date()
    return (local - timedelta(days=local.weekday())).isoformat()


def weeks(start, end, tz):
    """The local ISO weeks of [start, end): [(Monday "2026-06-29", from, to)], from and to in
    UTC, the first and last cut at the period's ends. Weeks partition the period."""
    zone = ZoneInfo(tz)
    out, at = [], start
    while at < end:
        monday = datetime.fromisoformat(week_of(at, tz)).replace(tzinfo=zone)
        stop = min((monday + timedelta(days=7)).astimezone(timezone.utc), end)
        out.append((monday.date().isoformat(), at, stop))
        at = stop
    return out


def day_bounds(day, tz):
    """[start, end) in UTC of local day "2026-07-01"."""
    zone, utc = ZoneInfo(tz), ZoneInfo("UTC")
    start = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=zone)
    end = (start + timedelta(days=1, hours=2)).replace(hour=0)
    return start.astimezone(utc), end.astimezone(utc)


def days_of_month(month):
    """The local days ("2026-07-01", …) of month "2026-07"."""
    first = datetime.strptime(month, "%Y-%m")
    days, at = [], first
    while at.month == first.month:
        days.append(at.strftime("%Y-%m-%d"))
        at += timedelta(days=1)
    return days
