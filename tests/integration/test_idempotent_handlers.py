"""The same event delivered twice changes nothing the second time (docs/platform.md §2: nameko
redelivers after a crash and on shutdown)."""

import time
from datetime import timedelta

import pytest

from lianxin import settings
from lianxin.access import seal, unseal
from lianxin.bus import EventPublisher
from lianxin.clock import utcnow
from lianxin.events import make_event
from services.intake import domain as intake_domain
from tests.helpers import wait_for

from .test_flow import SUBMISSION

pytestmark = pytest.mark.integration


def _stored_case(db, case_id="LX-20261124-000777", **changes):
    submission = {
        "channel": "web",
        "topic": "environment",
        "public_consent": False,
        "people_involved": 1,
        "urgency": "normal",
        **SUBMISSION,
        **changes,
    }
    case = intake_domain.new_case(case_id, submission, "ABCD2345", utcnow())
    db.cases.insert_one(case)
    db.ack_codes.insert_one(
        {"_id": case_id, "at": utcnow(), "sealed": seal("ABCD2345", settings.SECRET_KEY, case_id)}
    )
    return case


def test_case_received_twice_assigns_once(start_services, amqp_uri, db, event_tap):
    case = _stored_case(db)
    start_services("routing", "supervision")
    received = make_event(
        "case.received", now=utcnow(), case_id=case["_id"], data=intake_domain.event_facts(case)
    )
    publisher = EventPublisher(amqp_uri)
    publisher.publish(received)
    publisher.publish(received)

    wait_for(lambda: db.cases.find_one({"_id": case["_id"], "status": "assigned"}))
    time.sleep(1)  # give the second delivery its chance to do harm
    stored = db.cases.find_one({"_id": case["_id"]})
    assert stored["assignment_count"] == 1
    assert [e["action"] for e in stored["timeline"]] == ["received", "route"]
    assert db.clocks.count_documents({"case_id": case["_id"]}) == 1
    assigned = [e for e in event_tap.drain(wait=0.5) if e["type"] == "case.assigned"]
    assert len(assigned) == 1


def test_case_assigned_twice_mails_once(start_services, amqp_uri, db, mailbox):
    case = _stored_case(
        db, "LX-20261124-000778", citizen={"name": "李四", "email": "li4@example.com"}
    )
    start_services("notify")
    assigned = make_event(
        "case.assigned",
        now=utcnow(),
        case_id=case["_id"],
        units=["environment_bureau"],
        data={
            "lead_unit": "environment_bureau",
            "co_units": [],
            "due_at": "2026-12-01T08:00:00Z",
            "seq": 1,
        },
    )
    publisher = EventPublisher(amqp_uri)
    publisher.publish(assigned)
    publisher.publish(assigned)

    wait_for(lambda: mailbox.to("li4@example.com"))
    wait_for(lambda: mailbox.to("sthjj@demo-county.gov.cn"))
    time.sleep(1)
    assert len(mailbox.to("li4@example.com")) == 1
    assert len(mailbox.to("sthjj@demo-county.gov.cn")) == 1
    log = list(db.deliveries.find({"case_id": case["_id"]}))
    assert sorted((d["template"], d["channel"]) for d in log if d["channel"] == "email") == [
        ("acknowledgement", "email"),
        ("assignment", "email"),
    ]
    assert {d["recipient"] for d in log if d["channel"] == "inbox"} == {
        u["_id"] for u in db.users.find({"unit": "environment_bureau"})
    }
    assert all(d["status"] == "sent" and d["attempts"] == 1 for d in log)
    assert db.ack_codes.find_one({"_id": case["_id"]}) is None  # the plain code is gone


def test_a_case_no_rule_can_place_waits_in_the_manual_queue(start_services, rpc, db):
    start_services("intake", "routing", "supervision")
    receipt = rpc.intake.submit({**SUBMISSION, "topic": "other", "location": {}}, "req:q")
    case = wait_for(lambda: db.cases.find_one({"_id": receipt["id"], "routing.queued": True}))
    assert case["status"] == "received"
    assert case["assignment"]["lead_unit"] is None
    assert case["timeline"][-1]["action"] == "queued"


def test_a_case_waiting_for_dispatch_is_acknowledged_once_without_a_date(
    start_services, rpc, db, mailbox
):
    from services.notify import handlers as notify
    from services.notify.channels import Inbox, Mailer, SmsGateway, WebhookSender

    start_services("intake", "routing", "supervision")
    receipt = rpc.intake.submit(
        {**SUBMISSION, "topic": "other", "location": {}, "citizen": {"email": "wait@example.com"}},
        "req:wait",
    )
    wait_for(lambda: db.cases.find_one({"_id": receipt["id"], "routing.queued": True}))
    senders = notify.Senders(
        Mailer("127.0.0.1", mailbox.port, "lianxin@test"),
        SmsGateway("", ""),
        Inbox(db),
        WebhookSender(),
    )
    cfg = notify.Config("Asia/Shanghai", "http://x", "zh-CN", "mass_work_office")
    later = utcnow() + timedelta(minutes=11)
    assert notify.acknowledge_waiting(db, senders, utcnow(), cfg, 600) == 0
    assert notify.acknowledge_waiting(db, senders, later, cfg, 600) == 1
    assert notify.acknowledge_waiting(db, senders, later, cfg, 600) == 0
    [mail] = mailbox.to("wait@example.com")
    assert receipt["access_code"] in mail["body"] and "承诺答复时间：" not in mail["body"]
    # the code is kept for the dated acknowledgement that follows the assignment
    kept = db.ack_codes.find_one({"_id": receipt["id"]})
    assert receipt["access_code"] not in str(kept)  # sealed, not in clear
    assert unseal(kept["sealed"], settings.SECRET_KEY, receipt["id"]) == receipt["access_code"]
