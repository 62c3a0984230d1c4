"""A reception day over HTTP with every service a process (docs/contract.md §13): published
ahead, booked to the waiting list, a leader replaced from the rota and everyone who booked
told, the desk on the day registering matters as cases that keep their receiving leader and
reach a unit by formal notice, the session closed and the leader sent what is still open."""

from datetime import datetime, timedelta, timezone

import pytest
import requests

from lianxin.clock import parse_iso
from tests.helpers import wait_for

pytestmark = pytest.mark.e2e


def _day(days):
    return (datetime.now(timezone.utc) + timedelta(days=days)).date().isoformat()


def _citizen(n):
    return {"name": f"市民{n}", "email": f"citizen{n}@example.cn"}


@pytest.fixture(scope="module")
def session(county):
    api = county.api
    r = api.post(
        "/receptions",
        {
            "date": _day(3),
            "start": "09:00",
            "end": "11:30",
            "place": "县群众来访接待中心一楼",
            "rota": ["magistrate_li", "deputy_zhao"],
            "accompanying_units": ["environment_bureau"],
            "topics": ["environment"],
            "content": "生态环境问题专场接访",
            "capacity": 2,
            "waiting_list": 2,
            "publish": True,
        },
        "clerk",
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_the_published_schedule_shows_the_five_public_items(county, session):
    r = county.api.get("/public/receptions")
    assert r.status_code == 200, r.text
    [shown] = [s for s in r.json()["items"] if s["id"] == session["id"]]
    assert shown["leader"]["name"] == "李县长"
    assert shown["accompanying_units"] == [{"id": "environment_bureau", "name": "县生态环境局"}]
    assert (shown["place"], shown["start"], shown["content"]) == (
        "县群众来访接待中心一楼",
        "09:00",
        "生态环境问题专场接访",
    )
    assert shown["places_left"] == 2 and "visits" not in shown
    # the accompanying unit's mailbox heard of it
    wait_for(lambda: county.mailbox.to("sthjj@demo-county.gov.cn"), timeout=30)


def test_bad_input_gets_the_field_and_the_reason(county, session):
    api = county.api
    past = api.post(
        "/receptions",
        {
            "date": _day(-1),
            "start": "09:00",
            "end": "10:00",
            "place": "x",
            "leader": "deputy_chen",
            "capacity": 5,
        },
        "clerk",
    )
    assert past.status_code == 422
    assert past.json()["error"]["details"]["fields"]["date"] == ["the session would be in the past"]
    nobody = api.post(f"/public/receptions/{session['id']}/bookings", {"about": "x"})
    assert nobody.status_code == 422 and "citizen" in nobody.json()["error"]["details"]["fields"]
    handler = api.post(f"/receptions/{session['id']}/publish", {}, "env_handler")
    assert handler.status_code == 403


def test_booking_the_waiting_list_the_stand_in_and_a_cancellation(county, session):
    api, sid = county.api, session["id"]
    receipts = []
    for n in range(4):
        r = api.post(
            f"/public/receptions/{sid}/bookings",
            {"citizen": _citizen(n), "about": f"第{n}件：河道有异味"},
        )
        assert r.status_code == 201, r.text
        receipts.append(r.json())
    assert [r["status"] for r in receipts] == ["booked", "booked", "waitlisted", "waitlisted"]
    full = api.post(
        f"/public/receptions/{sid}/bookings", {"citizen": _citizen(9), "about": "再来一件"}
    )
    assert full.status_code == 422
    assert full.json()["error"]["details"]["fields"]["session_id"] == [
        "the session and its waiting list are full"
    ]
    wait_for(lambda: county.mailbox.to("citizen2@example.cn"), timeout=30)  # 候补第 1 位

    r = api.post(f"/receptions/{sid}/stand-in", {"reason": "李县长赴省里开会"}, "clerk")
    assert r.status_code == 200, r.text
    assert r.json()["leader"]["id"] == "deputy_zhao"
    shown = api.get(f"/public/receptions/{sid}").json()
    assert [(c["kind"], c["from"], c["to"]) for c in shown["changes"]] == [
        ("stand_in", "李县长", "赵副县长")
    ]
    for n in range(4):  # everyone who booked, the waiting list too, is told
        wait_for(
            lambda: any(
                "赵副县长" in m["body"] for m in county.mailbox.to(f"citizen{n}@example.cn")
            ),
            timeout=30,
        )

    r = api.post(
        f"/public/receptions/{sid}/bookings/{receipts[0]['id']}/cancel",
        {"code": receipts[0]["cancel_code"]},
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    wait_for(
        lambda: any(
            "候补" in m["subject"]
            for m in county.mailbox.to("citizen2@example.cn")
            if "成功" in m["subject"]
        ),
        timeout=30,
    )
    visits = {
        v["citizen"]["name"]: v["status"]
        for v in api.get(f"/receptions/{sid}", "clerk").json()["visits"]
    }
    assert visits == {
        "市民0": "cancelled",
        "市民1": "booked",
        "市民2": "booked",
        "市民3": "waitlisted",
    }
    # a unit's staff see the session they accompany, without the citizens
    assert "visits" not in api.get(f"/receptions/{sid}", "env_handler").json()
    assert api.get(f"/receptions/{sid}", "housing_handler").status_code == 404


def test_the_day_at_the_desk_and_the_close(county, session):
    api, sid, db = county.api, session["id"], county.db
    visit = next(
        v
        for v in api.get(f"/receptions/{sid}", "clerk").json()["visits"]
        if v["citizen"]["name"] == "市民1"
    )
    early = api.post(f"/receptions/{sid}/close", {}, "clerk")
    assert early.status_code == 409  # not begun yet
    # the day has come (the session's start moved into the past in the store)
    db.reception_sessions.update_one(
        {"_id": sid}, {"$set": {"starts_at": datetime.now(timezone.utc) - timedelta(minutes=1)}}
    )
    base = f"/receptions/{sid}/visits/{visit['id']}"
    assert api.post(f"{base}/receive", {}, "clerk").status_code == 409  # check in first
    for step, status in (("check-in", "waiting"), ("receive", "received")):
        r = api.post(f"{base}/{step}", {}, "clerk")
        assert r.status_code == 200 and r.json()["status"] == status, r.text
    matter = {
        "kind": "complaint",
        "topic": "environment",
        "title": "河道异味",
        "content": "城关镇东街河道夏天异味很重，希望清淤",
        "location": {"town": "城关镇"},
    }

    def raise_once(body):
        headers = {**api.headers("clerk"), "Idempotency-Key": f"m-{sid}"}
        return requests.post(f"{api.url}{base}/matters", json=body, headers=headers, timeout=30)

    r = raise_once(matter)
    assert r.status_code == 201, r.text
    open_case = r.json()["id"]
    again = raise_once(matter)
    assert again.json()["id"] == open_case  # a retry is the same case
    r = api.post(
        f"{base}/matters",
        {
            "kind": "request",
            "topic": "environment",
            "title": "噪声检测",
            "content": "想请环保部门来测一下噪声",
            "solved_on_the_spot": {"outcome": "resolved", "opinion": "当场约定下周一上门检测"},
        },
        "clerk",
    )
    assert r.status_code == 201, r.text
    solved = r.json()
    assert solved["status"] == "answered"
    assert api.post(f"{base}/finish", {}, "clerk").json()["status"] == "done"

    # not solved on the spot: routed to the township, the receiving leader on it, a week
    def assigned():
        r = api.get(f"/cases/{open_case}", "clerk")
        assert r.status_code in (200, 503), (open_case, r.text)
        return r.ok and r.json()["status"] == "assigned" and r.json()

    case = wait_for(assigned, timeout=60)
    assert case["channel"] == "reception_day"
    assert case["assignment"]["leader"] == "deputy_zhao"  # 首问负责, not the portfolio leader
    assert case["assignment"]["lead_unit"] == "chengguan_town"
    days = parse_iso(case["assignment"]["due_at"]) - parse_iso(case["assignment"]["assigned_at"])
    assert days == timedelta(days=7)
    wait_for(
        lambda: any(
            "交办通知" in m["subject"] for m in county.mailbox.to("cgz@demo-county.gov.cn")
        ),
        timeout=30,
    )

    r = api.post(f"/receptions/{sid}/close", {"notes": "群众情绪平稳"}, "clerk")
    assert r.status_code == 200, r.text
    closing = r.json()["closing"]
    assert (closing["received"], closing["registered"], closing["solved_on_the_spot"]) == (1, 2, 1)
    assert closing["notes"] == "群众情绪平稳"
    mail = wait_for(
        lambda: [
            m for m in county.mailbox.to("zhao@demo-county.gov.cn") if "尚未办结" in m["body"]
        ],
        timeout=30,
    )
    assert open_case in mail[0]["body"]
    mine = api.get("/receptions/open-matters?leader=deputy_zhao", "clerk").json()
    assert {i["case_id"] for i in mine["items"]} == {open_case, solved["id"]}
    assert api.get("/receptions/open-matters", "leader_li").json()["items"] == []

    feed = api.get("/events?limit=500", "admin").json()["items"]
    types = {e["type"] for e in feed}
    assert {
        "reception.published",
        "reception.booked",
        "reception.changed",
        "reception.promoted",
        "reception.booking_cancelled",
        "reception.visit",
        "reception.closed",
    } <= types
