"""Deadline policies (SPEC §5) and working days."""
from datetime import datetime, timedelta, timezone

import pytest

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


def test_working_days_skip_the_national_day_holiday_and_count_the_makeup_saturday():
    # 2026-09-30 (Wed) + 3 working days: Oct 1-7 are holidays, Oct 8, 9 and the adjusted
    # working Saturday Oct 10 count.
    start = datetime(2026, 9, 30, 1, 0, tzinfo=timezone.utc)
    assert deadlines.due_at(start, {"working_days": 3}).date().isoformat() == "2026-10-10"


def test_a_year_the_calendar_does_not_know_counts_monday_to_friday():
    start = datetime(2031, 1, 3, 1, 0, tzinfo=timezone.utc)  # a Friday
    assert deadlines.due_at(start, {"working_days": 1}).date().isoformat() == "2031-01-06"


def test_no_matching_policy_is_an_error():
    with pytest.raises(LookupError):
        deadlines.policy_for({"urgency": "normal"}, [{"name": "u", "match": {"urgency": "urgent"},
                                                      "duration": {"hours": 1}}])
