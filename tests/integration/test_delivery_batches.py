"""An event's messages are recorded together and sent without a claim of their own (decision
0036), on the real store and SMTP server: each key once, the creator holding what it created,
the poller taking over only once that hold has run out, a citizen's text and access code gone
once the message is out."""

from datetime import timedelta

import pytest

from lianxin import settings
from lianxin.clock import utcnow
from lianxin.events import make_event
from services.notify import deliveries
from services.notify import handlers as notify
from services.notify.channels import Inbox, Mailer, SmsGateway, WebhookSender

from .test_notify import _stored_case

pytestmark = pytest.mark.integration

CFG = notify.Config("Asia/Shanghai", "http://x", "zh-CN", "mass_work_office")


def _senders(db, mailbox):
    return notify.Senders(
        Mailer("127.0.0.1", mailbox.port, "lianxin@test"),
        SmsGateway("", ""),
        Inbox(db),
        WebhookSender(),
    )


def _doc(key, **more):
    return {"_id": key, "kind": "message", "channel": "email", "recipient": "a@x", **more}


def test_create_many_records_each_key_once_and_claims_only_what_it_created(db):
    now = utcnow()
    assert deliveries.create(db, now, _doc("k1", case_id="C1", subject="old"))
    created = deliveries.create_many(
        db,
        now,
        [
            _doc("k1", case_id="C1", subject="new"),  # already recorded: left as it is
            _doc("k2", case_id="C1", subject="first"),
            _doc("k2", case_id="C1", subject="second"),  # the first of a key wins
            _doc("k3", case_id="C2", status="failed", last_error="no template"),
        ],
        claim=True,
    )
    assert set(created) == {"k2", "k3"}
    k1, k2, k3 = (db.deliveries.find_one({"_id": k}) for k in ("k1", "k2", "k3"))
    assert (k1["status"], k1["subject"]) == ("pending", "old")
    assert (k2["status"], k2["subject"]) == ("sending", "first")
    assert created["k2"]["claimed_until"] > now and "claimed_until" in k2
    assert k3["status"] == "failed"  # recorded settled: no claim, no due mark
    assert {d["_id"] for d in db.delivery_due.find()} == {"k1", "k2"}
    assert set(db.case_deliveries.find_one({"_id": "C1"})["ids"]) == {"k1", "k2"}
    assert db.case_deliveries.find_one({"_id": "C2"})["ids"] == ["k3"]


def test_a_creator_that_dies_before_sending_leaves_its_messages_to_the_poller(db):
    now = utcnow()
    deliveries.create_many(db, now, [_doc("k1"), _doc("k2")], claim=True)
    sent = []
    # the poller meets the due marks while the creator's hold lasts: nothing is sent
    assert set(deliveries.due(db, now)) == {"k1", "k2"}
    assert deliveries.attempt(db, now, "k1", sent.append) is None
    assert sent == [] and db.delivery_due.find_one({"_id": "k1"}) is not None
    # once it has run out, each is sent once and settled
    later = now + timedelta(seconds=settings.DELIVERY_CLAIM_SECONDS + 1)
    assert [deliveries.attempt(db, later, k, sent.append) for k in ("k1", "k2")] == ["sent"] * 2
    assert [d["_id"] for d in sent] == ["k1", "k2"]
    assert [deliveries.attempt(db, later, k, sent.append) for k in ("k1", "k2")] == [None] * 2
    assert len(sent) == 2 and deliveries.due(db, later) == []


def test_an_event_s_messages_go_out_once_and_a_citizen_s_keep_only_their_subject(db, mailbox):
    case = _stored_case(db)
    event = make_event(
        "case.assigned",
        now=utcnow(),
        case_id=case["_id"],
        units=["environment_bureau"],
        data={"lead_unit": "environment_bureau", "co_units": [], "seq": 1, "due_at": None},
    )
    senders = _senders(db, mailbox)
    first = notify.on_event(db, senders, utcnow(), event, CFG)
    assert first and set(first.values()) == {"sent"}
    again = notify.on_event(db, senders, utcnow(), event, CFG)  # redelivered: nothing more
    assert set(again) == set(first) and set(again.values()) == {None}
    assert len(mailbox.to("zhang@example.com")) == 1
    stored = {d["_id"]: d for d in db.deliveries.find({"event_id": event["event_id"]})}
    assert set(stored) == set(first) and {d["status"] for d in stored.values()} == {"sent"}
    citizen = [d for d in stored.values() if d["recipient_kind"] == "citizen"]
    assert citizen and all("content" not in d and d["subject"] for d in citizen)
    assert all("content" in d for d in stored.values() if d["recipient_kind"] != "citizen")
    assert db.ack_codes.find_one({"_id": case["_id"]}) is None  # the code went out: forgotten
    assert db.delivery_due.count_documents({"_id": {"$in": list(first)}}) == 0
    assert set(db.case_deliveries.find_one({"_id": case["_id"]})["ids"]) == set(first)
