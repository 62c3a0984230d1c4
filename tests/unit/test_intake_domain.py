"""Tracking numbers, access codes, the new case and the citizen's view."""

from datetime import date, datetime, timedelta, timezone

import pytest

from lianxin.access import CODE_ALPHABET, code_matches, new_access_code
from lianxin.cases import TRACKING_NUMBER, public_view
from services.intake import domain

NOW = datetime(2026, 11, 24, 17, 30, tzinfo=timezone.utc)  # already the 25th in Beijing
SUBMISSION = {
    "channel": "web",
    "kind": "complaint",
    "topic": "environment",
    "title": "t",
    "content": "c",
    "citizen": {"name": "王五", "phone": "13800000000"},
    "people_involved": 1,
    "urgency": "normal",
}


def test_tracking_number_format_uses_the_county_local_day():
    assert domain.tracking_number(domain.local_day(NOW), 123) == "LX-20261125-000123"
    assert TRACKING_NUMBER.match("LX-20261125-000123")
    with pytest.raises(ValueError):
        domain.tracking_number(date(2026, 11, 25), 1_000_000)


def test_access_code_is_stored_only_as_a_salted_hash():
    code = new_access_code()
    assert len(code) == 8 and set(code) <= set(CODE_ALPHABET)
    case = domain.new_case("LX-20261125-000001", SUBMISSION, code, NOW)
    assert code not in str(case)
    assert code_matches(case, code)
    assert code_matches(case, code.lower())  # read out over the phone, typed in lower
    assert not code_matches(case, "WRONG234")
    assert not code_matches(case, "")


def test_ten_or_more_people_make_a_collective_case_and_reports_are_confidential():
    case = domain.new_case(
        "LX-20261125-000002",
        {**SUBMISSION, "people_involved": 10, "kind": "report"},
        "ABCDEFGH",
        NOW,
    )
    assert {"collective", "confidential"} <= set(case["flags"])


def test_public_view_shows_only_public_timeline_lines_and_no_citizen_data():
    case = domain.new_case("LX-20261125-000003", SUBMISSION, "ABCDEFGH", NOW)
    case["timeline"].append(
        {
            "at": NOW,
            "actor": "handler1",
            "role": "handler",
            "action": "progress",
            "note": "internal",
            "public": False,
        }
    )
    case.update(
        status="assigned",
        assignment={**case["assignment"], "assigned_at": NOW, "due_at": NOW + timedelta(days=7)},
    )
    view = public_view(case, NOW)
    assert [e["action"] for e in view["timeline"]] == ["received"]
    assert "handler1" not in str(view) and "王五" not in str(view)
    assert view["due_at"] == "2026-12-01T17:30:00Z" and view["overdue"] is False
    assert public_view(case, NOW + timedelta(days=8))["overdue"] is True


def test_the_keyed_code_hash_needs_the_secret_and_old_slow_hashes_still_match():
    from lianxin.access import hash_access_code, slow_hash_access_code

    code = new_access_code()
    salt, digest = hash_access_code(code, secret="s" * 40)
    case = {"access_salt": salt, "access_hash": digest}
    assert digest.startswith("h1:") and code not in digest
    assert code_matches(case, code, secret="s" * 40)
    assert not code_matches(case, code, secret="t" * 40)  # a copy of the store is not enough
    assert hash_access_code(code, salt, secret="s" * 40) == (salt, digest)
    old = {"access_salt": salt, "access_hash": slow_hash_access_code(code, salt)}
    assert code_matches(old, code) and not code_matches(old, "WRONG234")
