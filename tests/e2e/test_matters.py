"""Supervised matters end to end: HTTP through the gateway, the matters service as two
replicas, notify's mail, the bus and the public board. Business time comes from the store
(LX_CLOCK=store), so the milestones fall due in seconds; each reminder and warning arrives
once, whatever the replicas do."""

import json
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from kombu import Connection, Queue

from lianxin import bus
from lianxin.clock import Clock, isoformat, set_offset
from tests.e2e.conftest import Api
from tests.helpers import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
DAY = timedelta(days=1)


def test_a_project_claimed_reported_warned_once_by_two_replicas_and_closed(system, db, mailbox):
    system.env.update(LX_CLOCK="store", LX_LEASE_SECONDS="3")
    set_offset(db, 0)
    # accounts signs staff in; intake, routing, handling and supervision play no part here
    system.start("accounts", "notify", "matters")
    system.start_replica("matters", "matters-2")
    system.start_gateway()
    api = Api(system.url)
    conn = Connection(system.amqp_uri)
    tap = Queue(
        f"tap-{uuid.uuid4().hex[:6]}",
        exchange=bus.events_exchange(),
        routing_key="matter.#",
        durable=True,
    )(conn.channel())
    tap.declare()

    t0 = Clock(db).now()
    body = {
        "kind": "project",
        "title": "城关镇老旧小区加装电梯",
        "description": "为三个老旧小区加装电梯，联系人 13812345678",
        "topic": "housing",
        "town": "城关镇",
        "source": {"year": 2026},
        "claimable": True,
        "ends_at": isoformat(t0 + 30 * DAY),
        "milestones": [
            {"title": "完成设计", "due_at": isoformat(t0 + 10 * DAY)},
            {"title": "完成施工", "due_at": isoformat(t0 + 40 * DAY)},
        ],
        "report_every_days": 30,
    }
    # bad input: the contract's error shape, with the field and the reason
    r = api.post("/matters", body, "supervisor")
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "validation_failed"
    assert "after the matter's end" in error["details"]["fields"]["milestones.1.due_at"][0]
    assert api.post("/matters", body, "env_handler").status_code == 403

    body["milestones"][1]["due_at"] = isoformat(t0 + 20 * DAY)
    r = api.post("/matters", body, "supervisor")
    assert r.status_code == 201, r.text
    mid = r.json()["id"]
    assert r.headers["Location"] == f"/api/v1/matters/{mid}"
    assert api.get(f"/public/projects/{mid}").status_code == 404  # a draft is not public
    assert api.get(f"/matters/{mid}", "env_handler").status_code == 404  # nor up for claiming
    assert api.post(f"/matters/{mid}/publish", None, "supervisor").status_code == 200

    # 认领: the first unit leads, the next is a co-unit, a leader leads it
    view = api.get(f"/matters/{mid}", "env_handler").json()
    assert view["allowed_actions"] == ["claim"]
    assert api.post(f"/matters/{mid}/claim", None, "env_handler").json()["lead_unit"] == (
        "environment_bureau"
    )
    assert api.post(f"/matters/{mid}/claim", None, "housing_handler").json()["co_units"] == [
        "housing_bureau"
    ]
    assert api.post(f"/matters/{mid}/claim", None, "leader_li").json()["leader"] == "magistrate_li"
    assert api.post(f"/matters/{mid}/claim", None, "env_handler").status_code == 409

    r = api.post(f"/matters/{mid}/progress", {"text": "设计招标", "percent": 30}, "env_handler")
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    r = api.post(f"/matters/{mid}/progress", {"text": "返工", "percent": 20}, "env_handler")
    assert r.status_code == 422 and "reason" in r.json()["error"]["details"]["fields"]
    mine = api.get("/matters", "env_handler").json()
    assert [m["id"] for m in mine["items"]] == [mid] and mine["items"][0]["percent"] == 30

    # the sweep, two replicas: a reminder (day 7), a yellow (day 8), the red (day 10)
    def alerts(kind):
        return db.alerts_sent.count_documents({"type": kind})

    for day, kind in ((7.5, "matter.reminder"), (8.5, "matter.warning"), (11, "matter.overdue")):
        set_offset(db, (day * DAY).total_seconds())
        wait_for(lambda kind=kind: alerts(kind), timeout=60, interval=0.2)
    wait_for(lambda: api.get(f"/matters/{mid}", "supervisor").json()["status"] == "at_risk")
    assert api.get(f"/matters/{mid}", "supervisor").json()["warning"] == "red"
    # the unit's leaders, the leader and the office hear of the red warning, once
    wait_for(lambda: mailbox.to("li@demo-county.gov.cn"), timeout=30)
    wait_for(lambda: mailbox.to("qgb@demo-county.gov.cn"), timeout=30)

    # 事结销号: reported done with evidence, sent back with a reason, confirmed
    done = {"text": "设计施工完成", "evidence": ["file-a1", "file-a2"]}
    assert api.post(f"/matters/{mid}/done", done, "housing_handler").status_code == 403
    assert (
        api.post(
            f"/matters/{mid}/done", {"text": "完成", "evidence": []}, "env_handler"
        ).status_code
        == 422
    )
    assert api.post(f"/matters/{mid}/done", done, "env_handler").json()["status"] == "done"
    assert api.post(f"/matters/{mid}/confirm", None, "env_leader").status_code == 403
    assert api.post(f"/matters/{mid}/send-back", {}, "supervisor").status_code == 422
    back = api.post(f"/matters/{mid}/send-back", {"reason": "缺验收报告"}, "supervisor").json()
    assert back["status"] == "in_progress"
    api.post(f"/matters/{mid}/done", {**done, "evidence": ["file-a3"]}, "env_handler")
    closed = api.post(f"/matters/{mid}/confirm", {"comment": "同意销号"}, "supervisor").json()
    assert closed["status"] == "confirmed" and closed["closed_at"]

    # the public board: masked, no evidence; one answer per contact
    board = api.get("/public/projects").json()
    assert [p["id"] for p in board["items"]] == [mid]
    page = api.get(f"/public/projects/{mid}").json()
    assert "138****5678" in page["description"] and "13812345678" not in json.dumps(page)
    assert page["lead_unit"] == "县生态环境局" and page["leader"] == "李县长"
    assert page["percent"] == 100 and "file-a" not in json.dumps(page)
    yes = {"contact": "13900001111", "done": True}
    assert api.post(f"/public/projects/{mid}/seen-done", yes).json()["seen_done"] == 1
    assert api.post(f"/public/projects/{mid}/seen-done", yes).status_code == 409
    assert api.get(f"/public/projects/{mid}").json()["seen_done"] == 1

    # statistics: the lead unit's milestones, one late, one on time (done with the report)
    q = {"from": isoformat(t0 - DAY), "to": isoformat(t0 + 31 * DAY)}
    stats = api.get("/matters/stats", "supervisor", params=q).json()
    row = {u["unit"]: u for u in stats["units"]}["environment_bureau"]
    assert (row["milestones_due"], row["on_time"], row["late"]) == (2, 1, 1)
    assert row["on_time_rate"] == {"numerator": 1, "denominator": 2, "value": 0.5}
    assert api.get("/matters/stats", "env_handler", params=q).json()["units"] == [row]

    # the feed: a unit's staff read their unit's matter events
    feed = api.get("/events", "env_handler", params={"limit": 200}).json()
    assert "matter.confirmed" in {e["type"] for e in feed["items"]}

    # exactly once across the two replicas: on the bus and in the record
    events = []
    while (msg := tap.get(no_ack=True)) is not None:
        events.append(json.loads(msg.body))
    conn.release()
    swept = Counter(
        e["type"]
        for e in events
        if e["type"] in ("matter.reminder", "matter.warning", "matter.overdue")
    )
    assert swept == {"matter.reminder": 1, "matter.warning": 1, "matter.overdue": 1}
    assert len({e["event_id"] for e in events}) == len(events)
    red = [m for m in mailbox.to("li@demo-county.gov.cn") if "红色预警" in m["subject"]]
    assert len(red) == 1
