"""Message text and the event envelope."""
import uuid
from datetime import datetime, timezone

import pytest

from lianxin.events import make_event
from services.notify import messages

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc)


def test_the_envelope_has_the_spec_fields():
    e = make_event("case.assigned", now=NOW, case_id="LX-20261124-000001",
                   units=["a", None], actor="routing", data={"x": 1})
    assert set(e) == {"event_id", "type", "occurred_at", "case_id", "units", "actor", "data",
                      "schema"}
    uuid.UUID(e["event_id"])
    assert (e["occurred_at"], e["units"], e["schema"]) == ("2026-11-24T08:00:00Z", ["a"], 1)
    with pytest.raises(ValueError):
        make_event("case.exploded", now=NOW)


def test_acknowledgement_goes_to_the_citizen_once_and_shows_local_time(county):
    case = {"_id": "LX-1", "title": "路灯", "topic": "other", "kind": "request",
            "citizen": {"email": "c@example.com"}}
    event = {"data": {"due_at": "2026-12-01T08:00:00Z", "seq": 1}}
    unit = {"name": "县交通运输局", "email": "jtj@example.com"}
    out = messages.messages_for_assignment(event, case, unit, "ABCD2345", "Asia/Shanghai",
                                           "http://x")
    assert [(m.template, m.recipient) for m in out] == [
        ("acknowledgement", "c@example.com"), ("assignment", "jtj@example.com")]
    template = next(t for t in county["templates"] if t["_id"] == "acknowledgement:zh-CN")
    subject, body = messages.render(template, out[0].values)
    assert "LX-1" in subject and "ABCD2345" in body and "2026-12-01 16:00" in body
    reassigned = {"data": {**event["data"], "seq": 2}}
    assert [m.template for m in messages.messages_for_assignment(
        reassigned, case, unit, "ABCD2345", "Asia/Shanghai", "http://x")] == ["assignment"]


def test_an_unknown_placeholder_renders_empty():
    assert messages.render({"subject": "{nope}x", "body": "{case_id}"}, {"case_id": "1"}) \
        == ("x", "1")
