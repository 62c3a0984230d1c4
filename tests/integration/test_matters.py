"""Supervised matters on the real store and broker: a project from draft to confirmed with its
events on the bus, the sweep of two replicas at once emitting each reminder and warning once,
the project page's cases, one answer per citizen contact, and the bulletin's section."""

import threading
from datetime import datetime, timedelta, timezone

import pytest

from lianxin.bus import EventPublisher
from lianxin.clock import exact_utcnow
from lianxin.errors import ValidationFailed, WrongState
from services.matters import handlers, public, watch
from services.reading import reports

pytestmark = pytest.mark.integration
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
SUPERVISOR = {"username": "supervisor", "role": "supervisor", "unit": "mass_work_office"}
HOUSING = {"username": "housing_handler", "role": "handler", "unit": "housing_bureau"}
HOUSING_LEAD = {"username": "housing_leader", "role": "unit_leader", "unit": "housing_bureau"}
LEADER = {"username": "leader_li", "role": "leader", "leader": "magistrate_li", "unit": None}
RULES = watch.Rules(remind_days=3, yellow_share=0.8)
SECRET = "s" * 40


def project(**over):
    body = {
        "kind": "project",
        "title": "城关镇老旧小区加装电梯",
        "description": "三个小区",
        "topic": "housing",
        "town": "城关镇",
        "source": {"year": 2026, "case_ids": ["LX-A"]},
        "lead_unit": "housing_bureau",
        "co_units": [],
        "claimable": False,
        "starts_at": T0,
        "ends_at": T0 + timedelta(days=60),
        "milestones": [
            {"title": "完成设计", "due_at": T0 + timedelta(days=20)},
            {"title": "完成施工", "due_at": T0 + timedelta(days=50)},
        ],
        "report_every_days": 14,
    }
    body.update(over)
    return body


def test_a_project_from_draft_to_confirmed_with_its_events(db, amqp_uri, event_tap):
    pub = EventPublisher(amqp_uri)
    m = handlers.create(db, pub, T0, SUPERVISOR, project(), "Asia/Shanghai")
    assert m["_id"] == "DB20260001" and m["status"] == "draft"
    act = lambda action, actor, body, day: handlers.act(  # noqa: E731
        db, pub, T0 + timedelta(days=day), action, m["_id"], actor, body
    )
    act("publish", SUPERVISOR, {}, 0)
    assert db.matter_clocks.find_one({"_id": m["_id"]})["state"] == "running"
    act("claim", LEADER, {}, 0)
    act("progress", HOUSING, {"text": "设计招标", "percent": 20}, 5)
    with pytest.raises(ValidationFailed):
        act("progress", HOUSING, {"text": "返工", "percent": 10}, 6)
    act("progress", HOUSING, {"text": "设计完成", "percent": 40, "milestones_done": ["m1"]}, 15)
    act("done", HOUSING_LEAD, {"text": "全部完工", "evidence": ["file-1", "file-2"]}, 45)
    act("send_back", SUPERVISOR, {"reason": "缺竣工验收报告"}, 46)
    act("done", HOUSING_LEAD, {"text": "补齐验收", "evidence": ["file-3"]}, 47)
    done = act("confirm", SUPERVISOR, {"comment": "同意销号"}, 48)
    assert done["status"] == "confirmed" and done["leader"] == "magistrate_li"
    assert db.matter_clocks.find_one({"_id": m["_id"]})["state"] == "stopped"
    with pytest.raises(WrongState):
        act("send_back", SUPERVISOR, {"reason": "x"}, 49)
    events = [e for e in event_tap.drain(wait=1.0) if e["type"].startswith("matter.")]
    assert [e["type"] for e in events] == [
        "matter.created",
        "matter.published",
        "matter.claimed",
        "matter.progress",
        "matter.progress",
        "matter.done_reported",
        "matter.sent_back",
        "matter.done_reported",
        "matter.confirmed",
    ]
    assert all(e["units"] == ["housing_bureau"] and e["case_id"] is None for e in events)
    assert events[-1]["data"]["matter_id"] == m["_id"]
    assert db.matters.find_one({"_id": m["_id"]})["outbox"] == []


def test_two_replicas_sweeping_at_once_emit_each_alert_once_and_flag_the_risk(
    db, amqp_uri, event_tap
):
    pub = EventPublisher(amqp_uri)
    ids = []
    for _ in range(5):
        m = handlers.create(db, pub, T0, SUPERVISOR, project(), "Asia/Shanghai")
        handlers.act(db, pub, T0, "publish", m["_id"], SUPERVISOR, {})
        ids.append(m["_id"])
    event_tap.drain()

    def both(day):
        now = T0 + timedelta(days=day)
        threads = [
            threading.Thread(
                target=handlers.sweep,
                args=(db, pub, now, exact_utcnow(), holder, RULES, 100, 30, 2),
            )
            for holder in ("replica-1", "replica-2")
        ]
        [t.start() for t in threads]
        [t.join() for t in threads]

    for day in (10, 15, 17, 18, 21, 22, 25):
        both(day)
    alerts = [e for e in event_tap.drain(wait=1.0) if e["type"].startswith("matter.")]
    per_matter = {
        (e["type"], e["data"]["kind"]) for e in alerts if e["data"]["matter_id"] == ids[0]
    }
    # day 14: report due; day 16: yellow (80 % of 20 days); day 17: reminder (3 days
    # before); day 20: milestone 1 overdue; day 28 would be stale.
    assert per_matter == {
        ("matter.notice", "progress_due"),
        ("matter.warning", "yellow"),
        ("matter.reminder", "milestone"),
        ("matter.overdue", "milestone"),
    }
    assert len(alerts) == 4 * len(ids)  # none twice
    assert len({e["event_id"] for e in alerts}) == len(alerts)
    assert {db.matters.find_one({"_id": i})["status"] for i in ids} == {"at_risk"}
    # a report that completes the overdue milestone puts it back in progress
    after = handlers.act(
        db,
        pub,
        T0 + timedelta(days=26),
        "progress",
        ids[0],
        HOUSING,
        {"text": "设计完成", "percent": 40, "milestones_done": ["m1"]},
    )
    assert after["status"] == "in_progress"


def test_the_project_page_shows_its_cases_and_one_answer_per_contact(db, amqp_uri):
    pub = EventPublisher(amqp_uri)
    base = {
        "kind": "request",
        "topic": "housing",
        "location": {"town": "城关镇"},
        "public_consent": True,
        "status": "closed",
        "title": "小区没有电梯 13812345678",
    }
    db.cases.insert_many(
        [
            {**base, "_id": "LX-A", "received_at": T0 - timedelta(days=30)},
            {**base, "_id": "LX-B", "received_at": T0 + timedelta(days=3)},
            {**base, "_id": "LX-C", "received_at": T0 + timedelta(days=4), "public_consent": False},
            {**base, "_id": "LX-D", "received_at": T0 + timedelta(days=4), "topic": "transport"},
        ]
    )
    m = handlers.create(db, pub, T0, SUPERVISOR, project(), "Asia/Shanghai")
    handlers.act(db, pub, T0, "publish", m["_id"], SUPERVISOR, {})
    page = public.project(db, m["_id"])
    assert page["cases_before"] == {
        "count": 1,
        "published": [
            {
                "id": "LX-A",
                "title": "小区没有电梯 138****5678",
                "status": "closed",
                "received_at": "2026-01-31T02:00:00Z",
            }
        ],
    }
    assert page["cases_after"]["count"] == 2  # LX-B and LX-C (not published: counted only)
    assert [c["id"] for c in page["cases_after"]["published"]] == ["LX-B"]
    votes = handlers.seen_done(
        db, pub, T0, m["_id"], {"contact": "138 1234 5678", "done": True}, SECRET
    )
    assert votes == {"seen_done": 1, "not_seen_done": 0}
    with pytest.raises(WrongState):
        handlers.seen_done(db, pub, T0, m["_id"], {"contact": "13812345678", "done": False}, SECRET)
    handlers.seen_done(db, pub, T0, m["_id"], {"contact": "a@b.cn", "done": False}, SECRET)
    assert public.board(db, {})["items"][0]["not_seen_done"] == 1
    assert "138" not in str(db.matter_votes.find_one({}))  # only a keyed hash is kept


def test_the_bulletin_has_a_section_on_supervised_matters(db, amqp_uri):
    pub = EventPublisher(amqp_uri)
    m = handlers.create(db, pub, T0, SUPERVISOR, project(), "Asia/Shanghai")
    handlers.act(db, pub, T0, "publish", m["_id"], SUPERVISOR, {})
    handlers.act(
        db,
        pub,
        T0 + timedelta(days=10),
        "progress",
        m["_id"],
        HOUSING,
        {"text": "设计完成", "percent": 40, "milestones_done": ["m1"]},
    )
    now = T0 + timedelta(days=55)

    def row(quarter):
        section = reports.bulletin(db, now, SUPERVISOR, quarter, "Asia/Shanghai")
        r = section["supervised_matters"]["units"][0]
        return r["unit"], r["milestones_due"], r["on_time"], r["missed"], r["on_time_rate"]

    # milestone 1 (Mar 22) done on day 10; milestone 2 (Apr 21) missed by day 55
    assert row("2026Q1") == (
        "housing_bureau",
        1,
        1,
        0,
        {"numerator": 1, "denominator": 1, "value": 1.0},
    )
    assert row("2026Q2") == (
        "housing_bureau",
        1,
        0,
        1,
        {"numerator": 0, "denominator": 1, "value": 0.0},
    )
