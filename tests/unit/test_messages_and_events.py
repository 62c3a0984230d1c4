"""The event envelope; which messages an event becomes, to whom, on which channel; template
rendering; back-off; webhook signatures and subscription matching. No I/O."""

import hashlib
import hmac
import uuid
from datetime import datetime, timezone

import pytest
import yaml

from lianxin.demo import TEMPLATES_FILE
from lianxin.events import EVENT_TYPES, make_event
from services.notify import deliveries, journal, rules, templating
from services.notify.channels import signature

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def templates():
    return {
        t["_id"]: t for t in yaml.safe_load(TEMPLATES_FILE.read_text(encoding="utf-8"))["templates"]
    }


class FakeDirectory:
    """The demo county's shape: a unit with a handler and a leader, an office, two leaders."""

    units = {
        "jtj": {"name": "县交通运输局", "email": "jtj@x"},
        "hbj": {"name": "县生态环境局", "email": "hbj@x"},
        "office": {"name": "县群众工作办公室", "email": "office@x"},
    }
    users = [
        {"_id": "h1", "role": "handler", "unit": "jtj"},
        {"_id": "ul1", "role": "unit_leader", "unit": "jtj", "email": "ul1@x"},
        {"_id": "h2", "role": "handler", "unit": "hbj", "language": "en"},
        {"_id": "d1", "role": "dispatcher", "unit": "office"},
        {"_id": "s1", "role": "supervisor", "unit": "office"},
        {"_id": "lead1", "role": "leader", "leader": "L1"},
    ]
    leaders = {
        "L1": {"_id": "L1", "email": "l1@x", "portfolio": ["transport"]},
        "L2": {"_id": "L2", "email": "l2@x", "portfolio": ["environment"]},
    }

    def __init__(self, cases=()):
        self.cases = {c["_id"]: c for c in cases}

    def unit_name(self, u):
        return self.units.get(u, {}).get("name", u or "")

    def unit_email(self, u):
        return self.units.get(u, {}).get("email")

    def unit_users(self, u, roles):
        return [x for x in self.users if x.get("unit") == u and x["role"] in roles]

    def role_users(self, role):
        return [x for x in self.users if x["role"] == role]

    def leader_email(self, lid):
        return self.leaders.get(lid, {}).get("email")

    def leader_users(self, lid):
        return [x for x in self.users if x["role"] == "leader" and x.get("leader") == lid]

    def portfolio_leaders(self, topic):
        return [v for v in self.leaders.values() if topic in v["portfolio"]]

    def office_email(self):
        return "office@x"

    def case(self, cid):
        return self.cases.get(cid)


CASE = {
    "_id": "LX-1",
    "title": "路灯不亮",
    "topic": "transport",
    "kind": "request",
    "channel": "web",
    "citizen": {"email": "c@x", "phone": "13800001111"},
    "assignment": {
        "lead_unit": "jtj",
        "co_units": ["hbj"],
        "leader": "L1",
        "due_at": datetime(2026, 12, 1, 8, tzinfo=timezone.utc),
    },
}


def plan(type_, data=None, case=CASE, directory=None, code=None):
    event = make_event(type_, now=NOW, case_id=case and case["_id"], data=data or {})
    return [
        (m.template, m.channel, m.recipient)
        for m in rules.messages_for(
            event,
            case,
            directory or FakeDirectory(),
            tz="Asia/Shanghai",
            public_url="http://x",
            default_lang="zh-CN",
            access_code=code,
        )
    ]


def test_the_envelope_has_the_spec_fields():
    e = make_event(
        "case.assigned",
        now=NOW,
        case_id="LX-20261124-000001",
        units=["a", None],
        actor="routing",
        data={"x": 1},
    )
    assert set(e) == {
        "event_id",
        "type",
        "occurred_at",
        "case_id",
        "units",
        "actor",
        "data",
        "schema",
    }
    uuid.UUID(e["event_id"])
    assert (e["occurred_at"], e["units"], e["schema"]) == ("2026-11-24T08:00:00Z", ["a"], 1)
    with pytest.raises(ValueError):
        make_event("case.exploded", now=NOW)


def test_every_event_type_has_a_rule_and_every_rule_a_template_in_both_languages(templates):
    for type_ in EVENT_TYPES:
        if type_.startswith(("supervision.", "matter.")):
            assert any(k[0] == type_ for k in rules.RULES), type_
        else:
            assert (type_, None) in rules.RULES, type_
    for rule_list in rules.RULES.values():
        for rule in rule_list:
            for lang in ("zh-CN", "en"):
                assert f"{rule.template}:{lang}" in templates
    assert all(not templating.syntax_errors(t) for t in templates.values())


def test_assignment_acknowledges_the_citizen_once_and_tells_every_unit_and_the_leader():
    assert plan("case.assigned", {"seq": 1}, code="ABCD2345") == [
        ("acknowledgement", "email", "c@x"),
        ("assignment", "email", "jtj@x"),
        ("assignment", "inbox", "h1"),
        ("assignment", "inbox", "ul1"),
        ("assignment", "email", "hbj@x"),
        ("assignment", "inbox", "h2"),
        ("assignment", "email", "l1@x"),
        ("assignment", "inbox", "lead1"),
    ]
    assert ("acknowledgement", "email", "c@x") not in plan("case.assigned", {"seq": 2})


def test_the_citizen_is_answered_on_the_channel_they_came_by():
    hotline = {**CASE, "channel": "hotline"}
    assert plan("case.claimed", case=hotline) == [("claimed", "sms", "13800001111")]
    assert plan("case.claimed") == [("claimed", "email", "c@x")]
    no_email = {**CASE, "citizen": {"phone": "13800001111"}}
    assert plan("case.claimed", case=no_email) == [("claimed", "sms", "13800001111")]
    anonymous = {**CASE, "citizen": {"anonymous": True}}
    assert plan("case.claimed", case=anonymous) == []


def test_the_answer_reaches_every_merged_submission_with_its_own_number():
    primary = {**CASE, "duplicates": ["LX-2", "LX-3", "LX-4"]}
    by_phone = {
        "_id": "LX-2",
        "channel": "hotline",
        "primary_id": "LX-1",
        "citizen": {"phone": "13900002222"},
    }
    same_email = {
        "_id": "LX-3",
        "channel": "mailbox",
        "primary_id": "LX-1",
        "citizen": {"email": "c@x"},
    }
    unmerged = {"_id": "LX-4", "channel": "web", "primary_id": None, "citizen": {"email": "gone@x"}}
    event = make_event("case.answered", now=NOW, case_id="LX-1", data={"outcome": "resolved"})
    msgs = rules.messages_for(
        event,
        primary,
        FakeDirectory([by_phone, same_email, unmerged]),
        tz="Asia/Shanghai",
        public_url="http://x",
        default_lang="zh-CN",
    )
    assert [(m.channel, m.recipient, m.case_id, m.values["case_ids"]) for m in msgs] == [
        ("email", "c@x", "LX-1", "LX-1、LX-3"),
        ("sms", "13900002222", "LX-2", "LX-2"),
    ]


def test_supervision_and_office_audiences():
    assert plan("supervision.overdue", {"kind": "overdue", "unit": "jtj", "leader": "L1"}) == [
        ("overdue", "email", "ul1@x"),
        ("overdue", "inbox", "ul1"),
        ("overdue", "email", "l1@x"),
        ("overdue", "inbox", "lead1"),
        ("overdue", "email", "office@x"),
    ]
    assert plan(
        "supervision.reminder", {"kind": "daily", "unit": "hbj", "open_cases": 2}, case=None
    ) == [("reminder", "email", "hbj@x"), ("reminder", "inbox", "h2")]
    assert plan("case.extension_requested") == [("extension_requested", "inbox", "s1")]
    assert plan("case.received", {"urgency": "normal", "flags": []}) == []
    assert plan("case.received", {"urgency": "normal", "flags": ["collective"]}) == [
        ("received_attention", "inbox", "d1")
    ]
    assert plan("alert.raised", {"topic": "environment"}, case=None) == [
        ("alert", "email", "l2@x"),
        ("alert", "email", "office@x"),
        ("alert", "inbox", "d1"),
    ]


def test_staff_hear_in_their_own_language():
    event = make_event("case.assigned", now=NOW, case_id="LX-1", data={"seq": 2})
    langs = {
        m.recipient: m.lang
        for m in rules.messages_for(
            event,
            CASE,
            FakeDirectory(),
            tz="Asia/Shanghai",
            public_url="http://x",
            default_lang="zh-CN",
        )
    }
    assert (langs["h2"], langs["h1"]) == ("en", "zh-CN")


def test_rendering_is_local_time_escapes_html_and_tolerates_unknown_variables(templates):
    event = make_event("case.answered", now=NOW, case_id="LX-1", data={"outcome": "resolved"})
    case = {
        **CASE,
        "title": "<b>路灯</b>",
        "reply": {"outcome": "resolved", "opinion": "已修复 & 恢复照明"},
    }
    [m] = rules.messages_for(
        event,
        case,
        FakeDirectory(),
        tz="Asia/Shanghai",
        public_url="http://x",
        default_lang="zh-CN",
    )
    parts = templating.render(templates["answer:zh-CN"], m.values)
    assert "<b>路灯</b>" in parts["body"] and "已解决" in parts["body"]
    assert "&lt;b&gt;路灯&lt;/b&gt;" in parts["html"] and "&amp; 恢复照明" in parts["html"]
    assert "<b>" not in parts["html"].replace("<blockquote>", "")
    assert len(parts["sms"]) < 300
    assert templating.render(
        {"subject": "{{ nope }}x", "body": "{{ case_id }}"}, {"case_id": "1"}
    ) == {"subject": "x", "body": "1"}
    ack = rules.messages_for(
        make_event("case.assigned", now=NOW, case_id="LX-1", data={"seq": 1}),
        CASE,
        FakeDirectory(),
        tz="Asia/Shanghai",
        public_url="http://x",
        default_lang="zh-CN",
        access_code="ABCD2345",
    )[0]
    body = templating.render(templates["acknowledgement:zh-CN"], ack.values)["body"]
    assert "ABCD2345" in body and "2026-12-01 16:00" in body


def test_the_sandbox_keeps_templates_away_from_python():
    from jinja2.exceptions import SecurityError

    with pytest.raises(SecurityError):
        templating.render(
            {"subject": "{{ ''.__class__.__mro__[1].__subclasses__() }}", "body": "x"}, {}
        )
    assert list(templating.syntax_errors({"subject": "{% if %}", "body": "ok"})) == ["subject"]
    assert list(templating.syntax_errors({"subject": "ok", "body": "{{ x"})) == ["body"]


def test_backoff_grows_exponentially_within_the_jitter():
    delays = [
        deliveries.backoff(n, base=60, factor=3, jitter=0.2, rng=lambda: 0.5) for n in range(1, 8)
    ]
    assert delays == [60, 180, 540, 1620, 4860, 14580, 43740]
    assert sum(delays) / 3600 == pytest.approx(18.2, abs=0.1)  # 8 tries over about a day
    assert deliveries.backoff(1, base=60, factor=3, jitter=0.2, rng=lambda: 1.0) == 72
    assert deliveries.backoff(1, base=60, factor=3, jitter=0.2, rng=lambda: 0.0) == 48


def test_webhook_signature_is_hmac_sha256_over_timestamp_and_body():
    body = b'{"a":1}'
    expected = hmac.new(b"s3cret-s3cret-s3", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signature("s3cret-s3cret-s3", "1700000000", body) == expected


def test_subscriptions_match_type_patterns_and_units():
    event = make_event("case.assigned", now=NOW, case_id="LX-1", units=["jtj"])
    assert journal.matches({"event_types": ["case.*"]}, event)
    assert journal.matches({}, event)
    assert not journal.matches({"event_types": ["supervision.*"]}, event)
    assert journal.matches({"event_types": ["case.assigned"], "units": ["jtj", "x"]}, event)
    assert not journal.matches({"units": ["hbj"]}, event)
    assert not journal.matches({"active": False}, event)


def test_an_outcome_write_is_retried_while_the_store_is_away_and_other_errors_raise():
    from pymongo.errors import AutoReconnect, ServerSelectionTimeoutError

    failures = [AutoReconnect("gone"), ServerSelectionTimeoutError("still gone")]
    pauses = []

    def write():
        if failures:
            raise failures.pop(0)
        return "written"

    assert deliveries.until_stored(write, "x", pause=0.5, sleep=pauses.append) == "written"
    assert pauses == [0.5, 1.0]

    def broken():
        raise ValueError("a bug, not an outage")

    with pytest.raises(ValueError):
        deliveries.until_stored(broken, "x", sleep=pauses.append)


def test_every_send_of_a_delivery_carries_the_same_message_id():
    from services.notify.channels import message_id

    key = deliveries.message_key("0b7e-11", "email", "zhang@example.com")
    assert message_id(key) == message_id(key) == "<0b7e-11.email.zhang.example.com@lianxin>"
    assert message_id(
        deliveries.message_key("0b7e-12", "email", "zhang@example.com")
    ) != message_id(key)


def test_feed_ids_are_zero_padded_strings_that_sort_as_the_numbers():
    assert journal.key(7) == "000000000007"
    assert sorted(journal.key(n) for n in (10, 9, 100)) == [journal.key(n) for n in (9, 10, 100)]
