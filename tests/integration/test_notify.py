"""Notifications and integration on the real broker, store, SMTP server and HTTP servers
(docs/contract.md §8, §9): who hears of each event on which channel, each message once, webhooks
with signatures, back-off, dead letters and replay, the feed, and an outside consumer's view."""

import time

import pytest

from lianxin import settings
from lianxin.access import seal
from lianxin.bus import EventPublisher
from lianxin.clock import utcnow
from lianxin.events import make_event
from services.intake import domain as intake_domain
from services.notify import handlers as notify
from services.notify.channels import signature
from tests.helpers import wait_for

from .test_flow import SUBMISSION

pytestmark = pytest.mark.integration

CLERK = {"username": "clerk", "role": "clerk", "unit": "mass_work_office"}
DISPATCHER = {"username": "dispatcher", "role": "dispatcher", "unit": "mass_work_office"}
SUPERVISOR = {"username": "supervisor", "role": "supervisor", "unit": "mass_work_office"}
ADMIN = {"username": "admin", "role": "admin"}
CG_HANDLER = {"username": "cg_handler", "role": "handler", "unit": "chengguan_town"}
CG_LEADER = {"username": "cg_leader", "role": "unit_leader", "unit": "chengguan_town"}

CITIZEN = ("email", "zhang@example.com")
ENV = [("email", "sthjj@demo-county.gov.cn"), ("inbox", "env_handler"), ("inbox", "env_leader")]
ENV_LEADERS = [("email", "sthjj@demo-county.gov.cn"), ("inbox", "env_leader")]
HOUSING = [
    ("email", "zjj@demo-county.gov.cn"),
    ("inbox", "housing_handler"),
    ("inbox", "housing_leader"),
]
LEADER_LI = [("email", "li@demo-county.gov.cn"), ("inbox", "leader_li")]
OFFICE = ("email", "qgb@demo-county.gov.cn")
DISPATCH = ("inbox", "dispatcher")
SUPERVISE = ("inbox", "supervisor")
UNIT = {"unit": "environment_bureau"}

# (event type, data) → the (channel, recipient) pairs the demo county expects, written out
# by hand from docs/contract.md §8 and the county's directory, not computed by the code under test.
EXPECTED = [
    ("case.received", {"urgency": "urgent", "flags": []}, [DISPATCH]),
    ("case.merged", {"primary_id": "LX-20261124-000001"}, [CITIZEN]),
    ("case.unmerged", {}, [CITIZEN]),
    ("case.not_accepted", {"reason": "不属于受理范围"}, [CITIZEN]),
    (
        "case.assigned",
        {"seq": 1, "lead_unit": "environment_bureau"},
        [CITIZEN] + ENV + HOUSING + LEADER_LI,
    ),
    ("case.claimed", UNIT, [CITIZEN]),
    ("case.returned", {"stage": "requested", "reason": "非本单位职责"}, [DISPATCH]),
    ("case.progress", {"kind": "progress"}, [CITIZEN]),
    ("case.extension_requested", {"days": 5}, [SUPERVISE]),
    (
        "case.extension_decided",
        {"approve": True, "extended_to": "2026-12-08T08:00:00Z"},
        ENV + [CITIZEN],
    ),
    ("case.replied", {"outcome": "resolved"}, [SUPERVISE]),
    ("case.reply_rejected", {"comment": "答复过于简单"}, ENV),
    ("case.answered", {"outcome": "resolved"}, [CITIZEN]),
    ("case.visited", {"satisfaction": "satisfied"}, ENV),
    ("case.reopened", {"satisfaction": "dissatisfied"}, ENV + [CITIZEN]),
    ("case.closed", {"satisfaction": "satisfied"}, ENV),
    (
        "case.instructed",
        {"text": "请抓紧办理", "leader": "magistrate_li"},
        ENV_LEADERS + [("inbox", "env_handler"), OFFICE],
    ),
    ("case.appealed", {}, [SUPERVISE]),
    ("case.appeal_decided", {"uphold": True}, ENV_LEADERS),
    (
        "supervision.reminder",
        {"kind": "daily", "unit": "environment_bureau", "open_cases": 1, "cases": []},
        ENV,
    ),
    ("supervision.notice", {"kind": "unclaimed", "unit": "environment_bureau"}, [OFFICE, DISPATCH]),
    (
        "supervision.notice",
        {"kind": "supervision", "unit": "environment_bureau", "number": 1},
        ENV_LEADERS,
    ),
    ("supervision.warning", {"kind": "yellow", "unit": "environment_bureau"}, ENV),
    (
        "supervision.overdue",
        {"kind": "overdue", "unit": "environment_bureau", "leader": "magistrate_li"},
        ENV_LEADERS + LEADER_LI + [OFFICE],
    ),
    (
        "supervision.overdue",
        {"kind": "co_input", "unit": "environment_bureau", "co_unit": "housing_bureau"},
        HOUSING + [OFFICE],
    ),
    (
        "alert.raised",
        {"topic": "environment", "title": "清水镇环境诉求集中"},
        [("email", "chen@demo-county.gov.cn"), OFFICE, DISPATCH],
    ),
]


def _stored_case(db, case_id="LX-20261124-000901", **changes):
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
    case["status"] = "assigned"
    case["assignment"] = {
        "lead_unit": "environment_bureau",
        "co_units": ["housing_bureau"],
        "leader": "magistrate_li",
        "due_at": utcnow(),
        "assigned_at": utcnow(),
    }
    db.cases.insert_one(case)
    db.ack_codes.insert_one(
        {"_id": case_id, "at": utcnow(), "sealed": seal("ABCD2345", settings.SECRET_KEY, case_id)}
    )
    return case


def _sent(db, event_id):
    return {
        (d["channel"], d["recipient"])
        for d in db.deliveries.find({"event_id": event_id})
        if d["status"] == "sent"
    }


def test_each_event_type_reaches_its_recipients_on_their_channels(
    start_services, amqp_uri, db, mailbox, sms_gateway
):
    case = _stored_case(db)
    start_services("notify")
    publisher = EventPublisher(amqp_uri)
    events = []
    for type_, data, expected in EXPECTED:
        case_id = None if type_ == "alert.raised" or data.get("kind") == "daily" else case["_id"]
        event = make_event(
            type_, now=utcnow(), case_id=case_id, data=data, units=["environment_bureau"]
        )
        publisher.publish(event)
        events.append((event, set(expected)))
    deadline = time.time() + 30
    for event, expected in events:
        while _sent(db, event["event_id"]) != expected and time.time() < deadline:
            time.sleep(0.2)
        assert _sent(db, event["event_id"]) == expected, (event["type"], event["data"])
    # …and they really left: the SMTP server has each e-mail, the inbox each message
    emails = sum(1 for e, exp in events for c, _ in exp if c == "email")
    assert len(mailbox.messages) == emails
    inbox = sum(1 for e, exp in events for c, _ in exp if c == "inbox")
    assert db.inbox.count_documents({}) == inbox
    assert sms_gateway.requests == []  # a web citizen with an e-mail address hears by e-mail
    ack = [m for m in mailbox.to("zhang@example.com") if "已受理" in m["subject"]]
    assert len(ack) == 1 and "承诺答复时间" in ack[0]["body"]


def test_a_redelivered_event_on_two_notify_replicas_sends_each_message_once(
    start_services, amqp_uri, db, mailbox
):
    case = _stored_case(db)
    start_services("notify")
    start_services("notify")
    publisher = EventPublisher(amqp_uri)
    events = [
        make_event(
            "supervision.notice",
            now=utcnow(),
            case_id=case["_id"],
            units=["environment_bureau"],
            data={"kind": "supervision", "unit": "environment_bureau", "number": n},
        )
        for n in range(1, 11)
    ]
    for event in events:
        publisher.publish(event)
        publisher.publish(event)
    wait_for(lambda: len(mailbox.to("sthjj@demo-county.gov.cn")) >= 10)
    wait_for(lambda: db.inbox.count_documents({"user": "env_leader"}) >= 10)
    time.sleep(1.5)  # time for a second copy to arrive, were one coming
    assert sorted(m["subject"] for m in mailbox.to("sthjj@demo-county.gov.cn")) == sorted(
        f"【督办通知】第{n}次督办 {case['_id']} {case['title']}" for n in range(1, 11)
    )
    assert db.inbox.count_documents({"user": "env_leader"}) == 10
    logged = list(db.deliveries.find({"case_id": case["_id"]}))
    assert len(logged) == 20 and all(d["attempts"] == 1 for d in logged)


@pytest.fixture
def quick_retries(monkeypatch):
    monkeypatch.setattr(settings, "DELIVERY_BACKOFF_BASE", 0.3)
    monkeypatch.setattr(settings, "DELIVERY_BACKOFF_FACTOR", 1.5)
    monkeypatch.setattr(settings, "DELIVERY_JITTER", 0.0)
    monkeypatch.setattr(settings, "DELIVERY_MAX_ATTEMPTS", 4)


def _subscribe(rpc, url, sub_id="unit-system", **extra):
    return rpc.notify.admin(
        "create",
        "webhooks",
        None,
        {"id": sub_id, "url": url, "event_types": ["case.*"], "secret": "s" * 24, **extra},
        ADMIN,
    )


def test_a_webhook_that_fails_three_times_gets_the_delivery_once_signed(
    start_services, rpc, amqp_uri, db, http_recorder, quick_retries
):
    endpoint = http_recorder(respond=lambda n, r: 503 if n <= 3 else 200)
    start_services("notify")
    assert "secret" not in _subscribe(rpc, endpoint.url)
    event = make_event(
        "case.claimed", now=utcnow(), case_id="LX-20261124-000902", units=["environment_bureau"]
    )
    EventPublisher(amqp_uri).publish(event)

    wait_for(lambda: endpoint.ok(), timeout=30)
    time.sleep(1.5)  # no further tries once one succeeded
    assert [r["status"] for r in endpoint.requests] == [503, 503, 503, 200]
    assert len({r["headers"]["X-Lianxin-Delivery"] for r in endpoint.requests}) == 1
    ok = endpoint.ok()[0]
    assert ok["body"] == event
    assert ok["headers"]["X-Lianxin-Signature"] == "sha256=" + signature(
        "s" * 24, ok["headers"]["X-Lianxin-Timestamp"], ok["raw"]
    )
    d = db.deliveries.find_one({"_id": ok["headers"]["X-Lianxin-Delivery"]})
    assert (d["status"], d["attempts"], len(d["history"])) == ("sent", 4, 4)


def test_a_dead_endpoint_is_dead_lettered_and_replay_delivers(
    start_services, rpc, amqp_uri, db, http_recorder, quick_retries
):
    state = {"up": False}
    endpoint = http_recorder(respond=lambda n, r: 200 if state["up"] else 500)
    start_services("notify")
    _subscribe(rpc, endpoint.url)
    event = make_event(
        "case.closed",
        now=utcnow(),
        case_id="LX-20261124-000903",
        units=["environment_bureau"],
        data={"satisfaction": "satisfied"},
    )
    EventPublisher(amqp_uri).publish(event)

    dead = wait_for(lambda: rpc.notify.webhook_deliveries(ADMIN, "dead")["items"], timeout=30)
    assert [(d["event_id"], d["attempts"]) for d in dead] == [(event["event_id"], 4)]
    assert len(endpoint.requests) == 4

    state["up"] = True
    replayed = rpc.notify.replay(ADMIN, dead[0]["id"])
    assert replayed["replays"] == 1
    wait_for(lambda: endpoint.ok(), timeout=15)
    time.sleep(1)
    assert len(endpoint.ok()) == 1 and endpoint.ok()[0]["body"] == event
    assert db.deliveries.find_one({"_id": dead[0]["id"]})["status"] == "sent"
    assert rpc.notify.webhook_deliveries(ADMIN, "dead")["items"] == []


def test_a_slow_endpoint_does_not_hold_up_another(start_services, rpc, amqp_uri, http_recorder):
    slow, fast = http_recorder(delay=4), http_recorder()
    start_services("notify")
    _subscribe(rpc, slow.url, "slow-system")
    _subscribe(rpc, fast.url, "fast-system")
    publisher = EventPublisher(amqp_uri)
    started = time.time()
    for n in range(6):
        publisher.publish(
            make_event(
                "case.progress",
                now=utcnow(),
                case_id=f"LX-20261124-00095{n}",
                data={"kind": "progress"},
            )
        )
    wait_for(lambda: len(fast.ok()) == 6, timeout=10)
    assert time.time() - started < 4  # before the slow one answered even its first
    assert len(slow.ok()) < 6


def _walk_through(rpc, db, submission, town="城关镇"):
    receipt = rpc.intake.submit(
        {**submission, "location": {"town": town}}, f"key:{submission['title']}"
    )
    case_id = receipt["id"]
    wait_for(lambda: db.cases.find_one({"_id": case_id, "status": "assigned"}))
    return receipt


def _answer(rpc, case_id):
    rpc.handling.act("claim", case_id, CG_HANDLER, {})
    rpc.handling.act("progress", case_id, CG_HANDLER, {"note": "已到现场查看"})
    rpc.handling.act(
        "draft_reply",
        case_id,
        CG_HANDLER,
        {"outcome": "resolved", "opinion": "已督促企业整改，河道已清理。"},
    )
    rpc.handling.act("sign_reply", case_id, CG_LEADER, {})
    rpc.handling.act("review", case_id, SUPERVISOR, {"approve": True})


def test_a_merged_duplicate_from_email_and_hotline_gets_the_one_answer_on_both(
    start_services, rpc, db, mailbox, sms_gateway
):
    start_services("intake", "routing", "handling", "supervision", "notify")
    first = _walk_through(
        rpc, db, {**SUBMISSION, "citizen": {"name": "张三", "email": "zhang@example.com"}}
    )
    second = rpc.intake.register(
        {
            **SUBMISSION,
            "channel": "hotline",
            "location": {"town": "城关镇"},
            "citizen": {"name": "张三", "phone": "13812341234"},
        },
        "key:hotline-dup",
        CLERK,
    )
    wait_for(lambda: db.cases.find_one({"_id": second["id"], "status": "assigned"}))
    rpc.intake.act("merge", second["id"], DISPATCHER, {"primary_id": first["id"]})
    merged_sms = wait_for(
        lambda: [r for r in sms_gateway.requests if "合并办理" in r["body"]["text"]]
    )
    assert merged_sms[0]["body"]["to"] == "13812341234"
    assert merged_sms[0]["headers"]["Authorization"] == "Bearer test-sms-key"

    _answer(rpc, first["id"])
    answer_mail = wait_for(
        lambda: [m for m in mailbox.to("zhang@example.com") if "已答复" in m["subject"]]
    )
    answer_sms = wait_for(
        lambda: [r for r in sms_gateway.requests if "已答复" in r["body"]["text"]]
    )
    assert len(answer_mail) == 1 and len(answer_sms) == 1
    assert first["id"] in answer_mail[0]["body"] and "河道已清理" in answer_mail[0]["body"]
    assert second["id"] in answer_sms[0]["body"]["text"]
    assert first["id"] not in answer_sms[0]["body"]["text"]
    assert "河道已清理" in answer_sms[0]["body"]["text"]
    log = notify.case_deliveries(db, utcnow(), second["id"], SUPERVISOR)["items"]
    assert ("answer", "sms", "sent") in {(d["template"], d["channel"], d["status"]) for d in log}


def test_an_outside_consumer_and_the_feed_see_a_whole_case_in_order(
    start_services, rpc, db, event_tap
):
    start_services("intake", "routing", "handling", "supervision", "notify")
    receipt = _walk_through(rpc, db, {**SUBMISSION, "title": "噪音扰民"})
    case_id = receipt["id"]
    _answer(rpc, case_id)
    rpc.handling.act(
        "return_visit", case_id, SUPERVISOR, {"method": "phone", "satisfaction": "satisfied"}
    )
    expected = [
        "case.received",
        "case.assigned",
        "case.claimed",
        "case.progress",
        "case.progress",
        "case.replied",
        "case.answered",
        "case.closed",
    ]

    seen = []
    wait_for(
        lambda: seen.extend(e for e in event_tap.drain() if e["case_id"] == case_id)
        or len(seen) >= len(expected)
    )
    assert [e["type"] for e in seen] == expected

    def feed_of_case(page):
        items, cursor = [], "0"
        while True:
            out = notify.feed(db, SUPERVISOR, cursor, page)
            if not out["items"]:
                return items, cursor
            items += [e for e in out["items"] if e["case_id"] == case_id]
            cursor = out["next_cursor"]

    wait_for(lambda: len(feed_of_case(100)[0]) == len(expected))
    whole, end = feed_of_case(100)
    assert whole == seen  # the very envelopes, in the same order
    assert feed_of_case(3)[0] == whole  # resumable from any cursor, page by page
    # a unit's staff see their unit's events only; a cursor past the end is empty
    unit_view = notify.feed(db, CG_HANDLER, "0", 500)["items"]
    assert unit_view and all("chengguan_town" in e["units"] for e in unit_view)
    assert notify.feed(db, SUPERVISOR, end, 10) == {"items": [], "next_cursor": end}


def test_smtp_login_is_used_when_configured():
    """LX_SMTP_USER / LX_SMTP_PASSWORD: the mailer logs in; a wrong password is a failure
    that is retried (not a silent loss)."""
    import smtplib

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult
    from nameko.testing.utils import find_free_port

    from services.notify.channels import Mailer

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((session.authenticated, envelope.rcpt_tos))
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"lianxin", b"pw"))

    port = find_free_port()
    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    try:
        Mailer("127.0.0.1", port, "x@lianxin", user="lianxin", password="pw").send(
            "to@example.com", {"subject": "s", "body": "b"}, "ref:1"
        )
        assert received == [(True, ["to@example.com"])]
        with pytest.raises(smtplib.SMTPException):
            Mailer("127.0.0.1", port, "x@lianxin", timeout=3, user="lianxin", password="bad").send(
                "to@example.com", {"subject": "s", "body": "b"}, "ref:2"
            )
        with pytest.raises(smtplib.SMTPException):  # the server demands a login
            Mailer("127.0.0.1", port, "x@lianxin", timeout=3).send(
                "to@example.com", {"subject": "s", "body": "b"}, "ref:3"
            )
        assert len(received) == 1
    finally:
        controller.stop()
