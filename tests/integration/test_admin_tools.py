"""The admin's tools against the real store (issue 16): API keys the system generates and shows
once, the admin log, the deadline preview with working days, the template preview with the
line of a syntax error."""

from datetime import datetime, timedelta, timezone

import pytest

from lianxin import admin
from lianxin.clock import utcnow
from lianxin.errors import Forbidden, ValidationFailed
from services.intake import public
from services.notify import templating
from services.supervision import deadlines

pytestmark = pytest.mark.integration
ADMIN = {"username": "admin", "role": "admin"}


def test_an_api_key_is_generated_shown_once_and_kept_only_as_its_hash(db):
    with pytest.raises(ValidationFailed) as invented:
        admin.run(
            db,
            utcnow(),
            ADMIN,
            "create",
            "api-keys",
            body={"id": "a", "name": "a", "key": "k" * 30},
        )
    assert "key" in invented.value.details["fields"]
    issued = admin.run(
        db, utcnow(), ADMIN, "create", "api-keys", body={"id": "app", "name": "随手拍"}
    )
    key = issued["key"]
    assert key.startswith("lx311_") and len(key) > 40 and issued["key_set"] is True
    other = admin.run(db, utcnow(), ADMIN, "create", "api-keys", body={"id": "b", "name": "b"})
    assert other["key"] != key
    assert "key" not in admin.run(db, utcnow(), ADMIN, "get", "api-keys", "app")
    assert key not in str(list(db.api_keys.find()))
    assert public.check_api_key(db, key)["id"] == "app"
    # an update keeps the key's hash; `active: false` revokes it
    admin.run(db, utcnow(), ADMIN, "update", "api-keys", "app", {"name": "随手拍", "active": False})
    with pytest.raises(Forbidden):
        public.check_api_key(db, key)
    with pytest.raises(ValidationFailed):
        admin.run(db, utcnow(), ADMIN, "update", "api-keys", "app", {"name": "x", "key": "k" * 30})


def test_the_admin_log_says_who_changed_what_newest_first_in_pages(db):
    start = utcnow()
    for i in range(5):
        admin.run(
            db,
            start + timedelta(seconds=i),
            ADMIN,
            "create",
            "topics",
            body={"id": f"t{i}", "name": f"T{i}"},
        )
    admin.run(db, start + timedelta(seconds=9), ADMIN, "delete", "topics", "t0")
    page = admin.log_page(db, ADMIN, "topics", limit=4)
    assert [(e["op"], e["item"]) for e in page["items"]] == [
        ("delete", "t0"),
        ("create", "t4"),
        ("create", "t3"),
        ("create", "t2"),
    ]
    assert page["items"][0]["by"] == "admin" and page["next_before"]
    rest = admin.log_page(db, ADMIN, "topics", datetime.fromisoformat(page["next_before"]), 4)
    assert [e["item"] for e in rest["items"]] == ["t1", "t0"] and rest["next_before"] is None
    assert admin.log_page(db, ADMIN, "units")["items"] == []
    with pytest.raises(Forbidden):
        admin.log_page(db, {"username": "s", "role": "supervisor"})
    with pytest.raises(ValidationFailed):
        admin.log_page(db, ADMIN, "cases")


def test_the_deadline_preview_counts_working_days_and_names_the_policy():
    policies = [
        {"_id": "all", "name": "一般件", "order": 9, "match": {}, "duration": {"working_days": 15}},
        {
            "_id": "urgent",
            "name": "紧急件",
            "order": 1,
            "match": {"urgency": "urgent"},
            "duration": {"hours": 24},
        },
    ]
    friday = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing, a Friday
    out = deadlines.preview(policies, {"urgency": "normal"}, friday)
    assert out["policy"] == {"id": "all", "name": "一般件"}
    assert out["due_at"] == datetime(2026, 12, 11, 2, 0, tzinfo=timezone.utc)  # 3 weeks on
    assert out["natural_days"] == 21 and len(out["days_off"]) == 6  # three weekends
    assert out["days_off"][0] == "2026-11-21"
    urgent = deadlines.preview(policies, {"urgency": "urgent"}, friday)
    assert urgent["policy"]["id"] == "urgent" and urgent["days_off"] == ["2026-11-21"]
    draft = {
        "_id": "urgent",
        "name": "紧急件",
        "order": 1,
        "match": {"urgency": "urgent"},
        "duration": {"days": 2},
    }
    assert (
        deadlines.preview(policies, {"urgency": "urgent"}, friday, draft=draft)["natural_days"] == 2
    )


def test_a_template_preview_renders_a_sample_event_or_names_the_line():
    good = templating.preview(
        {"subject": "{{ case_id }} 已交办", "body": "请于 {{ due_at }} 前办结"}
    )
    assert good == {
        "parts": {"subject": "LX-20261125-000042 已交办", "body": "请于 2026-12-09 17:00 前办结"}
    }
    mine = templating.preview({"subject": "{{ unit_name }}"}, {"unit_name": "城关镇"})
    assert mine["parts"]["subject"] == "城关镇"
    bad = templating.preview({"subject": "ok", "body": "第一行\n第二行\n{% if title %}没有结束"})
    assert bad["errors"][0]["part"] == "body" and bad["errors"][0]["line"] == 3
    assert "parts" not in bad
    sandboxed = templating.preview({"body": "{{ title.__class__.__mro__ }}"})
    assert sandboxed["errors"][0]["line"] is None
