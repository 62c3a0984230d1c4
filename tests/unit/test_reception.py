"""Reception days, the rules without I/O: which days a rule gives and what a holiday does to
them, the rota's stand-in, a session in the past, the public items and their changes, the
visit's states and the closing figures (docs/contract.md §13)."""

from datetime import date, datetime, timezone

import pytest

from lianxin import calendar
from lianxin.errors import WrongState
from services.reception import schedule, visits

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
TZ = "Asia/Shanghai"
MONDAYS = {"every": "week", "weekdays": [1]}


def working_except(*days_off):
    off = {date.fromisoformat(d) for d in days_off}
    return lambda d: d.isoweekday() <= 5 and d not in off


def rule(**kw):
    return {
        "_id": "r",
        "pattern": MONDAYS,
        "holiday": "next_working_day",
        "start": "09:00",
        "end": "11:30",
        "place": "接待室",
        "rota": ["li", "zhao", "chen"],
        "capacity": 10,
        **kw,
    }


def test_a_weekly_rule_gives_every_monday():
    days = schedule.planned_days(rule(), date(2026, 12, 1), date(2026, 12, 31), working_except())
    assert [a.isoformat() for _, a in days] == [
        "2026-12-07",
        "2026-12-14",
        "2026-12-21",
        "2026-12-28",
    ]


def test_a_monday_holiday_moves_to_the_next_working_day_or_is_cancelled_as_the_rule_says():
    is_working = working_except("2026-12-07", "2026-12-08")
    moved = schedule.planned_days(rule(), date(2026, 12, 7), date(2026, 12, 7), is_working)
    assert moved == [(date(2026, 12, 7), date(2026, 12, 9))]
    cancelled = schedule.planned_days(
        rule(holiday="cancel"), date(2026, 12, 7), date(2026, 12, 7), is_working
    )
    assert cancelled == [(date(2026, 12, 7), None)]


def test_the_tenth_on_a_saturday_moves_to_monday():
    tenth = rule(pattern={"every": "month", "day": 10})
    days = schedule.planned_days(tenth, date(2027, 4, 1), date(2027, 4, 30), working_except())
    assert days == [(date(2027, 4, 10), date(2027, 4, 12))]  # 2027-04-10 is a Saturday


def test_a_townships_tuesday_and_wednesday_both_in_a_holiday_become_one_session():
    township = rule(pattern={"every": "week", "weekdays": [2, 3]})
    is_working = working_except("2026-12-08", "2026-12-09")
    days = schedule.planned_days(township, date(2026, 12, 7), date(2026, 12, 13), is_working)
    assert days == [(date(2026, 12, 8), date(2026, 12, 10))]


def test_national_day_on_the_real_calendar_moves_a_monday_session():
    # 2026-10-05 is a Monday inside the National Day holiday.
    [(nominal, actual)] = schedule.planned_days(
        rule(), date(2026, 10, 5), date(2026, 10, 5), calendar.is_working_day
    )
    assert not calendar.is_working_day(nominal)
    assert actual > nominal and calendar.is_working_day(actual)


def test_generated_sessions_are_drafts_with_their_places_and_a_cancelled_one_says_why():
    is_working = working_except("2026-12-14")
    docs = schedule.sessions_from_rule(
        rule(holiday="cancel"), date(2026, 12, 7), date(2026, 12, 14), NOW, TZ, is_working
    )
    assert [(d["_id"], d["status"], d["cancel_reason"]) for d in docs] == [
        ("r-20261207", "draft", None),
        ("r-20261214", "cancelled", "holiday"),
    ]
    first = docs[0]
    assert (first["leader"], first["places_left"], first["waiting_left"]) == ("li", 10, 10)
    # 09:00 in Shanghai is 01:00 UTC
    assert first["starts_at"] == datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "fields, errors",
    [
        ({"date": "2026-11-25", "start": "09:00", "end": "11:00"}, {"date"}),  # 01:00Z < NOW
        ({"date": "2026-11-24", "start": "15:00", "end": "16:00"}, {"date"}),
        ({"date": "2026-11-26", "start": "11:00", "end": "09:00"}, {"end"}),
        ({"date": "2026-11-25", "start": "14:00", "end": "16:00"}, set()),
    ],
)
def test_a_session_in_the_past_or_ending_before_it_starts_is_refused(fields, errors):
    assert set(schedule.timing_errors(fields, NOW, TZ)) == errors


def test_the_next_on_the_rota_stands_in_and_nobody_twice():
    session = {"leader": "li", "rota": ["li", "zhao", "chen"], "declined": []}
    assert schedule.next_on_rota(session) == "zhao"
    session = {"leader": "zhao", "rota": ["li", "zhao", "chen"], "declined": ["li"]}
    assert schedule.next_on_rota(session) == "chen"
    session = {"leader": "chen", "rota": ["li", "zhao", "chen"], "declined": ["li"]}
    assert schedule.next_on_rota(session) == "zhao"  # wraps round
    session = {"leader": "chen", "rota": ["li", "zhao", "chen"], "declined": ["li", "zhao"]}
    assert schedule.next_on_rota(session) is None


def test_the_public_sees_the_five_items_and_each_change_by_name_never_who_booked():
    [session] = schedule.sessions_from_rule(
        {**rule(), "accompanying_units": ["env"], "content": "环境问题"},
        date(2026, 12, 7),
        date(2026, 12, 7),
        NOW,
        TZ,
        working_except(),
    )
    session["changes"] = [
        schedule.change(session, "leader", "zhao", NOW, {"username": "clerk"}, "出差", "stand_in")
    ]
    session["leader"] = "zhao"
    names = {
        "li": {"name": "李县长", "title": "县长"},
        "zhao": {"name": "赵副县长", "title": "副县长"},
        "env": {"name": "县生态环境局"},
    }
    view = schedule.public_view(session, names)
    assert view["leader"] == {"id": "zhao", "name": "赵副县长", "title": "副县长"}
    assert view["accompanying_units"] == [{"id": "env", "name": "县生态环境局"}]
    assert (view["date"], view["start"], view["end"], view["place"], view["content"]) == (
        "2026-12-07",
        "09:00",
        "11:30",
        "接待室",
        "环境问题",
    )
    [c] = view["changes"]
    assert (c["kind"], c["from"], c["to"], c["reason"]) == (
        "stand_in",
        "李县长",
        "赵副县长",
        "出差",
    )
    assert "by" not in c and "visits" not in view


def test_only_a_new_time_place_leader_or_a_cancellation_is_told_to_those_who_booked():
    actor = {"username": "clerk"}
    s = {"place": "a", "content": "x"}
    assert not schedule.told_to_bookers([schedule.change(s, "content", "y", NOW, actor)])
    assert schedule.told_to_bookers([schedule.change(s, "place", "b", NOW, actor)])


def test_a_visit_goes_check_in_waiting_received_done_and_no_step_is_skipped():
    status = visits.check("book", None)
    for action, expected in (("check_in", "waiting"), ("receive", "received"), ("finish", "done")):
        status = visits.check(action, status)
        assert status == expected
    with pytest.raises(WrongState):
        visits.check("receive", "booked")
    with pytest.raises(WrongState):
        visits.check("cancel", "done")
    assert visits.check("promote", "waitlisted") == "booked"


def test_closing_counts_received_registered_and_solved_on_the_spot():
    held = [{"status": s} for s in ("done", "received", "booked", "cancelled", "waiting")]
    matters = [
        {"_id": "A", "solved_on_the_spot": True},
        {"_id": "B"},
        {"_id": "C", "linked": True},
    ]
    report = visits.closing_report(held, matters, "顺利", NOW, {"username": "clerk"})
    assert (report["received"], report["registered"], report["linked"]) == (2, 2, 1)
    assert (report["solved_on_the_spot"], report["no_show"], report["notes"]) == (1, 1, "顺利")


def test_still_open_lists_each_open_case_once_and_a_merged_one_as_the_case_it_joined():
    matters = [
        {"_id": "A", "at": NOW, "session_id": "s"},
        {"_id": "B", "at": NOW, "session_id": "s"},
        {"_id": "C", "at": NOW, "session_id": "s"},
        {"_id": "D", "at": NOW, "session_id": "s"},
    ]
    cases = {
        "A": {"_id": "A", "status": "closed", "title": "a"},
        "B": {"_id": "B", "status": "in_progress", "title": "b"},
        "C": {"_id": "C", "status": "merged", "primary_id": "B", "title": "c"},
        "D": {"_id": "D", "status": "answered", "title": "d"},
    }
    assert [(o["case_id"], o["status"]) for o in visits.still_open(matters, cases)] == [
        ("B", "in_progress"),
        ("D", "answered"),
    ]
