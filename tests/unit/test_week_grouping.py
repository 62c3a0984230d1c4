"""Statistics by week (docs/contract.md §7, `group_by=week`): a period is cut into local ISO
weeks (Monday start, keyed by the Monday's date) that partition it, and a week's figures from
the day rollups are those of a recount of the cases received in that week."""

import random
from datetime import datetime, timedelta, timezone

from services.reading import reports, rollups, stats
from tests.unit.test_rollups import _case as rollups_case

TZ = "Asia/Shanghai"
UTC = timezone.utc


def test_a_quarter_is_cut_into_local_iso_weeks_keyed_by_their_monday():
    start, end = datetime(2026, 6, 30, 16, tzinfo=UTC), datetime(2026, 9, 30, 16, tzinfo=UTC)
    weeks = rollups.weeks(start, end, TZ)
    # 2026-07-01 (local) is a Wednesday: the first week is that of Monday 29 June, cut at 1 July
    assert weeks[0] == ("2026-06-29", start, datetime(2026, 7, 5, 16, tzinfo=UTC))
    assert weeks[1][0] == "2026-07-06"
    assert weeks[-1] == ("2026-09-28", datetime(2026, 9, 27, 16, tzinfo=UTC), end)
    assert len(weeks) == 14
    for (_, _, stop), (_, nxt, _) in zip(weeks, weeks[1:]):
        assert stop == nxt  # no gap, no overlap
    for key, s, _ in weeks:
        assert datetime.fromisoformat(key).weekday() == 0
        assert rollups.week_of(s, TZ) == key
    # a Sunday 23:30 in Beijing is still its week; Monday 00:00 begins the next
    sunday = datetime(2026, 7, 12, 15, 30, tzinfo=UTC)
    assert rollups.week_of(sunday, TZ) == "2026-07-06"
    assert rollups.week_of(sunday + timedelta(minutes=30), TZ) == "2026-07-13"


def _case(i, rng, start):
    """A case of tests/unit/test_rollups.py received at a random time of the 40 days from
    `start` (its other times moved with it)."""
    case = rollups_case(i, rng)
    shift = start + timedelta(minutes=rng.randint(0, 40 * 24 * 60)) - case["received_at"]
    a = case["assignment"]
    for doc, name in (
        (case, "received_at"),
        (case, "answered_at"),
        (a, "assigned_at"),
        (a, "due_at"),
    ):
        if doc[name] is not None:
            doc[name] += shift
    return case


def test_a_weeks_figures_from_the_day_rollups_equal_the_recount_of_its_cases():
    rng = random.Random(16)
    start = datetime(2026, 6, 30, 16, tzinfo=UTC)  # local midnight, 1 July
    cases = [_case(i, rng, start) for i in range(600)]
    days = {}
    for c in cases:
        day, _ = rollups.day_and_month(c["received_at"], TZ)
        rollups.fold(days.setdefault(day, rollups.empty()), c["_id"], None, rollups.contribution(c))
    now = start + timedelta(days=30)
    end = start + timedelta(days=40)
    weeks = rollups.weeks(start, end, TZ)
    assert len(weeks) == 6  # 1 July (a Wednesday) to Monday 10 August
    seen = 0
    for key, s, e in weeks:
        doc = rollups.empty()
        for day in sorted(days):
            lo, hi = rollups.day_bounds(day, TZ)
            if s <= lo and hi <= e:
                rollups.merge(doc, days[day])
        mine = [c for c in cases if s <= c["received_at"] < e]
        assert all(rollups.week_of(c["received_at"], TZ) == key for c in mine)
        recount = stats.summarise([stats.facts(c, now) for c in mine])
        assert rollups.totals(doc, now) == recount, key
        seen += recount["total"]
    assert seen == sum(c["status"] != "merged" for c in cases) > 0


class _Rows(reports.Recount):
    """The recount of given cases, without a store."""

    def __init__(self, cases, now, start, end):
        self.now, self.span = now, (start, end)
        self.rows = [stats.facts(c, now) for c in cases if start <= c["received_at"] < end]


def test_the_recounts_week_grouping_is_the_recount_of_each_week():
    rng = random.Random(17)
    start = datetime(2026, 7, 2, 5, tzinfo=UTC)  # a ragged start, a Thursday afternoon
    cases = [_case(i, rng, start) for i in range(300)]
    end, now = start + timedelta(days=25, hours=3), start + timedelta(days=20)
    weekly = _Rows(cases, now, start, end).group("week")
    assert list(weekly) == [k for k, _, _ in rollups.weeks(start, end, TZ)]
    for key, figures in weekly.items():
        s, e = datetime.fromisoformat(figures["from"]), datetime.fromisoformat(figures["to"])
        alone = _Rows(cases, now, s, e).totals()
        assert {k: v for k, v in figures.items() if k not in ("from", "to")} == alone, key
    total = sum(f["total"] for f in weekly.values())
    assert total == _Rows(cases, now, start, end).totals()["total"] > 0
