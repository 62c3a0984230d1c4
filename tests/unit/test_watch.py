"""What supervision owes a case at a moment (docs/contract.md §5)."""

from datetime import datetime, timedelta, timezone

from services.supervision import watch

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 in Beijing
RULES = watch.Rules()


def case(status="assigned", days=7, **assignment):
    a = {
        "lead_unit": "u1",
        "leader": None,
        "assigned_at": T0,
        "clock_started_at": T0,
        "due_at": T0 + timedelta(days=days),
        "extended_to": None,
        "claimed_at": None,
        "co_units": [],
        "co_due_at": None,
        **assignment,
    }
    return {"_id": "LX-1", "status": status, "assignment_count": 1, "assignment": a}


CLOCK = {"seq": 1}


def kinds(c, at):
    alerts, _ = watch.evaluate(c, CLOCK, at, RULES)
    return sorted(a.kind for a in alerts)


def test_nothing_is_due_at_assignment_and_the_next_look_is_the_claim_deadline():
    alerts, next_at = watch.evaluate(case(), CLOCK, T0, RULES)
    assert alerts == [] and next_at == T0 + timedelta(days=1)


def test_an_unclaimed_case_is_raised_after_one_working_day():
    assert kinds(case(), T0 + timedelta(hours=23)) == []
    assert kinds(case(), T0 + timedelta(days=1)) == ["unclaimed"]
    claimed = case(status="in_progress", claimed_at=T0 + timedelta(hours=3))
    assert kinds(claimed, T0 + timedelta(days=1)) == []


def test_the_claim_window_skips_the_weekend():
    friday = datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)
    c = case(assigned_at=friday, clock_started_at=friday, due_at=friday + timedelta(days=7))
    assert kinds(c, friday + timedelta(days=2)) == []  # Sunday
    assert kinds(c, friday + timedelta(days=3)) == ["supervision", "unclaimed"]  # Monday


def test_notices_every_three_days_yellow_at_80_percent_red_at_the_deadline():
    c = case(status="in_progress", claimed_at=T0)
    assert kinds(c, T0 + timedelta(days=3)) == ["supervision"]
    assert kinds(c, T0 + timedelta(days=5, hours=14)) == ["supervision"]
    assert kinds(c, T0 + timedelta(days=5, hours=15)) == ["supervision", "yellow"]
    assert kinds(c, T0 + timedelta(days=7)) == ["overdue", "supervision"]
    keys = [a.key for a in watch.evaluate(c, CLOCK, T0 + timedelta(days=9), RULES)[0]]
    assert "notice:LX-1:1:3" in keys


def test_an_extension_moves_the_red_warning_and_gives_it_a_new_key():
    c = case(status="in_progress", claimed_at=T0)
    before = {a.kind: a.key for a in watch.evaluate(c, CLOCK, T0 + timedelta(days=7), RULES)[0]}
    extended = case(status="in_progress", claimed_at=T0, extended_to=T0 + timedelta(days=12))
    assert "overdue" not in kinds(extended, T0 + timedelta(days=7))
    after = {
        a.kind: a.key for a in watch.evaluate(extended, CLOCK, T0 + timedelta(days=12), RULES)[0]
    }
    assert after["overdue"] != before["overdue"]


def test_a_replied_case_gets_warnings_but_no_more_notices_and_an_answered_one_nothing():
    assert kinds(case(status="replied", claimed_at=T0), T0 + timedelta(days=7)) == ["overdue"]
    assert not watch.running(case(status="answered"), CLOCK)
    assert not watch.running(case(), {"seq": 2})  # a superseded clock


def test_co_units_are_overdue_at_their_own_deadline_unless_they_gave_input():
    c = case(
        status="in_progress",
        claimed_at=T0,
        co_units=["u2", "u3"],
        co_due_at=T0 + timedelta(days=3, hours=12),
    )
    c["co_inputs"] = {"u3": {"opinion": "ok"}}
    alerts, _ = watch.evaluate(c, CLOCK, T0 + timedelta(days=3, hours=12), RULES)
    assert [(a.kind, a.data.get("co_unit")) for a in alerts if a.kind == "co_input"] == [
        ("co_input", "u2")
    ]


def test_the_daily_reminder_time_is_local():
    beijing = datetime(2026, 11, 24, 8, 59).replace(tzinfo=timezone(timedelta(hours=8)))
    assert not watch.reminder_due(beijing, "09:00")
    assert watch.reminder_due(beijing + timedelta(minutes=1), "09:00")
