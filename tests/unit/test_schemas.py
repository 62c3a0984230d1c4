"""Validation at the edge (docs/contract.md §2)."""

import pytest

from lianxin.errors import BadRequest, ValidationFailed
from lianxin.schemas import CaseSubmissionSchema, load_or_raise

GOOD = {
    "kind": "suggestion",
    "title": "建议",
    "content": "增加公交班次",
    "citizen": {"anonymous": True},
}


def fields_of(payload):
    with pytest.raises(ValidationFailed) as err:
        load_or_raise(CaseSubmissionSchema(), payload)
    return err.value.details["fields"]


def test_defaults_are_filled_in():
    data = load_or_raise(CaseSubmissionSchema(), GOOD)
    assert (
        data["channel"],
        data["topic"],
        data["urgency"],
        data["people_involved"],
        data["public_consent"],
    ) == ("web", "other", "normal", 1, False)


def test_missing_and_wrong_fields_are_reported_per_field():
    errors = fields_of({"kind": "rant", "content": "x" * 20001, "citizen": {}})
    assert set(errors) == {"kind", "title", "content", "citizen"}


def test_a_named_citizen_needs_a_phone_or_email():
    assert "citizen" in fields_of({**GOOD, "citizen": {"name": "赵六"}})
    assert "citizen" in fields_of({**GOOD, "citizen": {"name": "赵六", "phone": "call me"}})


def test_unknown_fields_and_staff_only_fields_are_refused():
    assert "complexity" in fields_of({**GOOD, "complexity": "major"})
    assert "channel" in fields_of({**GOOD, "channel": "hotline"})


def test_blank_text_is_refused_and_unicode_is_kept():
    assert "title" in fields_of({**GOOD, "title": "   "})
    data = load_or_raise(CaseSubmissionSchema(), {**GOOD, "content": "路灯不亮 🚦 ğ"})
    assert data["content"] == "路灯不亮 🚦 ğ"


def test_a_body_that_is_not_an_object_is_malformed():
    with pytest.raises(BadRequest):
        load_or_raise(CaseSubmissionSchema(), ["not", "an", "object"])
