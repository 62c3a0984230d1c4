"""What a case counts for in the statistics and the assessment (docs/contract.md §7), on hand-made
cases whose figures are worked out here by hand."""

from datetime import datetime, timedelta, timezone

import pytest

from services.reading import stats

T0 = datetime(2026, 10, 5, 1, 0, tzinfo=timezone.utc)
NOW = T0 + timedelta(days=20)


def case(cid, status, unit="env", days=7, answered_after=None, extended=None, **extra):
    a = {
        "lead_unit": unit,
        "assigned_at": T0,
        "due_at": T0 + timedelta(days=days),
        "extended_to": extended,
    }
    doc = {
        "_id": cid,
        "status": status,
        "assignment": a,
        "topic": "environment",
        "location": {"town": "城关镇"},
        "channel": "web",
        "kind": "complaint",
        **extra,
    }
    if answered_after is not None:
        doc["answered_at"] = T0 + timedelta(days=answered_after)
    return doc


CASES = [
    case(
        "on-time",
        "closed",
        answered_after=3,
        return_visit={"satisfaction": "satisfied", "counts": True},
    ),
    case(
        "late",
        "closed",
        answered_after=9,
        return_visit={"satisfaction": "dissatisfied", "counts": True},
        reopen_count=1,
    ),
    case("extended", "answered", answered_after=9, extended=T0 + timedelta(days=10), extensions=1),
    case("overdue-open", "in_progress", returns_count=1, rejections_count=2),
    case("still-in-time", "in_progress", days=30),
    case("merged", "merged"),
    case("not-accepted", "not_accepted"),
    case(
        "appeal-upheld",
        "closed",
        unit="housing",
        answered_after=2,
        return_visit={"satisfaction": "dissatisfied", "counts": False},
    ),
]


@pytest.fixture
def rows():
    return [stats.facts(c, NOW) for c in CASES]


def test_the_rates_with_their_fractions(rows):
    env = stats.group(rows, "unit")["env"]
    assert env["total"] == 5  # merged and not accepted are not counted
    assert env["completion_rate"] == {"numerator": 3, "denominator": 5, "value": 0.6}
    # on time: on-time and extended (answered day 9 ≤ extended day 10); the open overdue one
    # counts against: 2 / (3 completed + 1 overdue open)
    assert env["on_time_rate"] == {"numerator": 2, "denominator": 4, "value": 0.5}
    assert env["satisfaction_rate"] == {"numerator": 1, "denominator": 2, "value": 0.5}
    assert env["average_handling_hours"] == {"value": 168.0, "total_hours": 504.0, "cases": 3}
    assert (env["overdue_open"], env["returned"], env["extensions"], env["reopened"]) == (
        1,
        1,
        1,
        1,
    )


def test_an_upheld_appeal_takes_the_rating_out_of_the_satisfaction_rate(rows):
    housing = stats.group(rows, "unit")["housing"]
    assert housing["satisfaction_rate"] == {"numerator": 0, "denominator": 0, "value": None}


def test_the_assessment_deducts_per_case_and_names_the_cases(rows):
    deductions = stats.parse_deductions(
        "overdue=2,dissatisfied=1,reply_rejected=0.5,returned=0.5,reopened=1"
    )
    ranking = stats.assess(rows, deductions, flag_below=96)
    assert [u["unit"] for u in ranking] == ["housing", "env"]
    env = ranking[1]
    assert env["deductions"]["overdue"]["cases"] == ["late", "overdue-open"]
    assert env["deductions"]["reply_rejected"] == {
        "count": 2,
        "points": 1.0,
        "cases": ["overdue-open", "overdue-open"],
    }
    # 100 − 2·2 (overdue) − 1 (dissatisfied) − 1 (rejections) − 0.5 (returned) − 1 (reopened)
    assert env["score"] == 92.5 and env["flagged"] and env["rank"] == 2
    assert ranking[0]["score"] == 100.0 and not ranking[0]["flagged"]


def test_grouping_by_an_unknown_key_is_refused(rows):
    with pytest.raises(ValueError):
        stats.group(rows, "colour")
