"""End to end over HTTP, the bus and the store, with every service a separate process."""

import json
import time
import uuid
from datetime import timedelta

import pytest
import requests
from kombu import Connection, Queue

from lianxin import bus, settings
from lianxin.clock import parse_iso
from tests.helpers import wait_for

pytestmark = pytest.mark.e2e

CASE = {
    "kind": "complaint",
    "topic": "environment",
    "title": "夜间施工噪音",
    "content": "城关镇解放路工地每晚施工到凌晨两点，严重扰民。",
    "location": {"town": "城关镇", "address": "解放路18号"},
    "citizen": {"name": "张三", "phone": "13812341234", "email": "zhang3@example.com"},
    "public_consent": True,
}


class Tap:
    """An outside system: a queue of its own bound to `lianxin.events`."""

    def __init__(self, amqp_uri):
        self.conn = Connection(amqp_uri)
        self.queue = Queue(
            f"outside-{uuid.uuid4().hex[:6]}",
            exchange=bus.events_exchange(),
            routing_key="case.#",
            durable=True,
        )(self.conn.channel())
        self.queue.declare()

    def events(self):
        out = []
        while (msg := self.queue.get(no_ack=True)) is not None:
            out.append(json.loads(msg.body))
        return out


def test_a_citizen_case_flows_to_a_unit_and_both_get_mail(system, mailbox, db):
    system.start(*settings.SERVICES)
    system.start_gateway()
    tap = Tap(system.amqp_uri)

    r = requests.post(f"{system.url}/api/v1/cases", json=CASE, timeout=10)
    assert r.status_code == 201, r.text
    receipt = r.json()
    case_id, code = receipt["id"], receipt["access_code"]
    assert receipt["status"] == "received"

    def tracked():
        view = requests.get(
            f"{system.url}/api/v1/cases/{case_id}", params={"code": code}, timeout=5
        ).json()
        return view if view.get("status") == "assigned" else None

    view = wait_for(tracked)
    received_at, due_at = parse_iso(view["received_at"]), parse_iso(view["due_at"])
    assert timedelta(days=7) <= due_at - received_at <= timedelta(days=7, seconds=30)
    assert [e["action"] for e in view["timeline"]] == ["received", "route"]
    assert "张三" not in r.text + json.dumps(view, ensure_ascii=False)

    stored = db.cases.find_one({"_id": case_id})
    assert stored["assignment"]["lead_unit"] == "chengguan_town"

    ack = wait_for(lambda: mailbox.to("zhang3@example.com"))[0]
    assert case_id in ack["subject"] and code in ack["body"]
    assert "承诺答复时间" in ack["body"]
    notice = wait_for(lambda: mailbox.to("cgz@demo-county.gov.cn"))[0]
    assert case_id in notice["subject"] and "张三" not in notice["body"]

    events = wait_for(lambda: [e for e in tap.events()])
    time.sleep(0.5)
    events += tap.events()
    assert [e["type"] for e in events] == ["case.received", "case.assigned"]
    assigned = events[1]
    assert assigned["case_id"] == case_id and assigned["units"] == ["chengguan_town"]
    assert assigned["data"]["due_at"] == view["due_at"] and assigned["schema"] == 1

    wrong = requests.get(
        f"{system.url}/api/v1/cases/{case_id}", params={"code": "WRONG234"}, timeout=5
    )
    assert wrong.status_code == 404 and wrong.json()["error"]["code"] == "not_found"

    ready = requests.get(f"{system.url}/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    assert set(ready.json()["checks"]) == {"bus", "store", *settings.SERVICES}


def test_services_started_in_any_order_lose_nothing(system, mailbox, db):
    # routing and notify have never run on this broker and store when the case comes in.
    system.start("intake", "supervision")
    system.start_gateway()
    tap = Tap(system.amqp_uri)
    r = requests.post(
        f"{system.url}/api/v1/cases",
        json={**CASE, "citizen": {"email": "order@example.com"}},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    time.sleep(1.5)
    assert db.cases.find_one({"_id": case_id})["status"] == "received"

    system.start("notify", "routing")
    wait_for(lambda: db.cases.find_one({"_id": case_id, "status": "assigned"}))
    wait_for(lambda: mailbox.to("order@example.com"))
    time.sleep(3)  # sweepers run every second here: time enough for a second routing or mail
    assert len(mailbox.to("order@example.com")) == 1
    assert len([m for m in mailbox.to("cgz@demo-county.gov.cn") if case_id in m["subject"]]) == 1
    case = db.cases.find_one({"_id": case_id})
    assert case["assignment_count"] == 1 and not case.get("outbox")
    assert [e["type"] for e in tap.events() if e["case_id"] == case_id] == [
        "case.received",
        "case.assigned",
    ]


def test_a_service_that_is_down_answers_503_and_does_nothing_later(system, db):
    system.start_gateway()
    r = requests.post(f"{system.url}/api/v1/cases", json=CASE, timeout=10)
    assert r.status_code == 503 and r.json()["error"]["code"] == "service_unavailable"
    assert requests.get(f"{system.url}/readyz", timeout=20).status_code == 503

    system.start("intake")
    system.stop("intake")  # its queue now exists, with nobody consuming it
    started = time.time()
    r = requests.post(f"{system.url}/api/v1/cases", json=CASE, timeout=20)
    assert r.status_code == 503, r.text
    assert time.time() - started < 10  # the RPC timeout (3 s here), not a hang

    system.start("intake")  # picks up the request the gateway gave up on…
    time.sleep(2)
    assert db.cases.count_documents({}) == 0  # …and drops it, as expired


def test_bad_input_gets_the_spec_error_shape_and_retries_are_idempotent(system, db):
    system.start("intake")
    system.start_gateway()
    url = f"{system.url}/api/v1/cases"
    malformed = requests.post(
        url, data="{not json", timeout=5, headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "bad_request"
    invalid = requests.post(url, json={**CASE, "kind": "rant", "people_involved": 0}, timeout=5)
    assert invalid.status_code == 422
    assert set(invalid.json()["error"]["details"]["fields"]) == {"kind", "people_involved"}

    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = requests.post(url, json=CASE, headers=key, timeout=10)
    second = requests.post(url, json=CASE, headers=key, timeout=10)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert db.cases.count_documents({}) == 1

    spec = requests.get(f"{system.url}/api/v1/openapi.json", timeout=5).json()
    body = spec["paths"]["/api/v1/cases"]["post"]["requestBody"]
    refs = [s["$ref"] for s in body["content"]["application/json"]["schema"]["oneOf"]]
    assert refs == ["#/components/schemas/CaseSubmission", "#/components/schemas/Registration"]
    assert "kind" in spec["components"]["schemas"]["CaseSubmission"]["required"]
    docs = requests.get(f"{system.url}/api/docs", timeout=5)
    assert docs.ok and "swagger-ui" in docs.text
