"""Deadline policies (docs/contract.md §5) and working days."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from lianxin.calendar import is_working_day
from services.supervision import deadlines

START = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)


def due(county, **facts):
    base = {"channel": "web", "urgency": "normal", "complexity": "general", "kind": "complaint"}
    policy = deadlines.policy_for({**base, **facts}, county["deadline_policies"])
    return policy["name"], deadlines.due_at(START, policy["duration"]) - START


def test_urgent_cases_get_24_hours(county):
    assert due(county, urgency="urgent", channel="mailbox") == ("urgent", timedelta(hours=24))


def test_mailbox_letters_get_ten_days(county):
    assert due(county, channel="mailbox") == ("mailbox", timedelta(days=10))


def test_major_cases_get_two_weeks(county):
    assert due(county, complexity="major") == ("major", timedelta(days=14))


def test_everything_else_gets_a_week(county):
    assert due(county) == ("general", timedelta(days=7))


def working(start_iso, n):
    start = datetime.fromisoformat(start_iso).replace(tzinfo=timezone.utc)
    return deadlines.due_at(start, {"working_days": n}).date().isoformat()


def test_2026_golden_week_and_its_adjusted_working_saturday():
    # 2026-09-30 (Wed, 09:00 Beijing) + 3 working days: Oct 1-7 are off; Oct 8, 9 count and
    # so does Saturday Oct 10, worked instead of a holiday (调休).
    assert working("2026-09-30T01:00:00", 3) == "2026-10-10"
    assert is_working_day(date(2026, 10, 10)) and not is_working_day(date(2026, 10, 7))


def test_2026_spring_festival_and_its_adjusted_working_saturday():
    # Feb 15-23 2026 are off; Saturday Feb 14 and Saturday Feb 28 are worked.
    assert is_working_day(date(2026, 2, 14)) and is_working_day(date(2026, 2, 28))
    assert working("2026-02-13T01:00:00", 1) == "2026-02-14"
    assert working("2026-02-14T01:00:00", 1) == "2026-02-24"


def test_2027_spring_festival_and_golden_week():
    assert working("2027-02-04T01:00:00", 1) == "2027-02-11"  # Feb 5-10 off
    assert working("2027-09-30T01:00:00", 1) == "2027-10-06"  # Oct 1-5 off


def test_utc_storage_and_beijing_working_days_across_midnight():
    # 2026-09-30T17:00Z is already Oct 1 in Beijing (a holiday): one working day later is
    # Oct 8 Beijing time, the same local hour, stored as UTC.
    start = datetime(2026, 9, 30, 17, 0, tzinfo=timezone.utc)
    due = deadlines.due_at(start, {"working_days": 1})
    assert due == datetime(2026, 10, 7, 17, 0, tzinfo=timezone.utc)
    assert due.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat() == "2026-10-08"


def test_no_matching_policy_is_an_error():
    with pytest.raises(LookupError):
        deadlines.policy_for(
            {"urgency": "normal"},
            [{"name": "u", "match": {"urgency": "urgent"}, "duration": {"hours": 1}}],
        )
