"""Supervision on the real store and broker: what reaches notify and whom it mails; an
extension moves the red warning."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bench.open_cases import load
from lianxin import cases, settings, timers
from lianxin.bus import EventPublisher
from lianxin.clock import exact_utcnow, set_offset
from services.handling import handlers
from services.supervision import sweeps, watch
from tests.helpers import wait_for

pytestmark = pytest.mark.integration
START = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # Tue, 10:00
CASE = "LX-BENCH-0000000"


def test_an_overdue_case_reaches_the_unit_leader_the_leader_and_the_office_once(
    start_services, db, mailbox, monkeypatch
):
    monkeypatch.setattr(settings, "CLOCK_SOURCE", "store")
    load(db, 1, START, ["environment_bureau"])
    db.cases.update_one({"_id": CASE}, {"$set": {"assignment.leader": "magistrate_li"}})
    set_offset(db, (START + timedelta(days=7, hours=1) - exact_utcnow()).total_seconds())
    start_services("supervision", "notify")
    start_services("supervision")  # a second replica: still one of each
    wait_for(lambda: mailbox.to("li@demo-county.gov.cn"), timeout=30)
    wait_for(lambda: len(mailbox.to("qgb@demo-county.gov.cn")) >= 2, timeout=30)
    wait_for(lambda: db.reminder_days.find_one({}), timeout=30)

    def subjects(address):
        return sorted(m["subject"].split("】")[0] + "】" for m in mailbox.to(address))

    assert subjects("li@demo-county.gov.cn") == ["【红牌超期】"]
    assert subjects("qgb@demo-county.gov.cn") == ["【未签收】", "【红牌超期】"]
    # the unit leader (demo user env_leader) gets the notices and the overdue; the unit's
    # own address is the same mailbox in the demo county, plus the daily reminder
    leader = subjects("sthjj@demo-county.gov.cn")
    assert leader.count("【红牌超期】") == 1 and leader.count("【督办通知】") == 1
    assert leader.count("【一天一催】") == 1
    types = sorted(d["type"] for d in db.alerts_sent.find())
    assert types == [
        "supervision.notice",
        "supervision.notice",
        "supervision.overdue",
        "supervision.reminder",
    ]  # jumping past the deadline skips the yellow


def test_an_extension_approved_on_day_six_moves_the_red_warning(db, amqp_uri):
    load(db, 1, START, ["environment_bureau"])
    publisher, rules = EventPublisher(amqp_uri), watch.Rules()

    def sweep(day):
        now = START + timedelta(days=day)
        sweeps.sweep_clocks(db, publisher, now, exact_utcnow(), "t", rules, 100, 30)
        return {d["_id"].split(":")[0] for d in db.alerts_sent.find()}

    handler = {"username": "env_handler", "role": "handler", "unit": "environment_bureau"}
    supervisor = {"username": "supervisor", "role": "supervisor", "unit": "mass_work_office"}

    def act(action, actor, body, day):
        deps = cases.Deps(db, publisher, START + timedelta(days=day))
        return handlers.ACTIONS[action](deps, action, CASE, actor, body)

    act("claim", handler, {}, 0.1)
    assert sweep(6) == {"notice", "yellow"}
    act("request_extension", handler, {"days": 5, "reason": "检测"}, 6)
    act("decide_extension", supervisor, {"approve": True}, 6)
    assert "overdue" not in sweep(7)  # the old deadline passes quietly
    assert "overdue" not in sweep(11.9)
    assert "overdue" in sweep(12)  # the new one does not
    overdue = timers.recorded_event(db.alerts_sent.find_one({"type": "supervision.overdue"}))
    assert overdue["data"]["due_at"].startswith("2026-12-13")  # Beijing 10:00 = 02:00Z
