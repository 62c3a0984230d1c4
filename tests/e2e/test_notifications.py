"""Notifications and integration over HTTP (docs/contract.md §8–§10), every service a process:
webhooks registered by the admin, the event feed, the inbox, a case's delivery log, templates edited
without a restart."""

import pytest

from services.notify.channels import signature
from tests.conftest import HttpRecorder
from tests.helpers import wait_for

from .test_lifecycle import submit, to_answered

pytestmark = pytest.mark.e2e


@pytest.fixture
def endpoint():
    recorder = HttpRecorder()
    yield recorder
    recorder.close()


def test_a_unit_system_subscribes_and_receives_its_units_events_signed(county, endpoint):
    api = county.api
    r = api.post(
        "/webhooks",
        {
            "id": "env-system",
            "url": endpoint.url,
            "event_types": ["case.*"],
            "units": ["environment_bureau"],
            "secret": "env-system-secret-0001",
        },
        "admin",
    )
    assert r.status_code == 201, r.text
    assert "secret" not in r.json() and r.json()["secret_set"] is True
    bad = api.post(
        "/webhooks",
        {"id": "x", "url": "ftp://nope", "event_types": ["cas.*"], "secret": "short"},
        "admin",
    )
    assert bad.status_code == 422
    assert set(bad.json()["error"]["details"]["fields"]) == {"url", "event_types", "secret"}
    assert api.post("/webhooks", {}, "dispatcher").status_code == 403

    case_id, _ = submit(county)
    to_answered(county, case_id)
    mine = wait_for(
        lambda: [
            r
            for r in endpoint.requests
            if r["body"]["case_id"] == case_id and r["body"]["type"] == "case.answered"
        ],
        timeout=30,
    )
    got = [r for r in endpoint.requests if r["body"]["case_id"] == case_id]
    # every event of the case after the assignment named the unit; the received one did not
    assert [
        r["body"]["type"]
        for r in sorted(got, key=lambda r: int(r["headers"]["X-Lianxin-Sequence"]))
    ] == [
        "case.assigned",
        "case.claimed",
        "case.progress",
        "case.progress",
        "case.replied",
        "case.answered",
    ]
    for r in got:
        assert r["headers"]["X-Lianxin-Signature"] == "sha256=" + signature(
            "env-system-secret-0001", r["headers"]["X-Lianxin-Timestamp"], r["raw"]
        )
    assert mine[0]["headers"]["X-Lianxin-Event"] == "case.answered"
    assert api.delete("/webhooks/env-system", "admin").status_code == 204


def test_the_feed_pages_in_order_and_respects_scope(county):
    api = county.api
    case_id, _ = submit(county, title="feed test")
    wait_for(
        lambda: [
            e
            for e in api.get("/events", "supervisor", params={"limit": 500}).json()["items"]
            if e["case_id"] == case_id and e["type"] == "case.assigned"
        ]
    )
    first = api.get("/events", "supervisor", params={"limit": 2}).json()
    second = api.get(
        "/events", "supervisor", params={"after": first["next_cursor"], "limit": 2}
    ).json()
    both = api.get("/events", "supervisor", params={"limit": 4}).json()
    assert first["items"] + second["items"] == both["items"]
    assert second["next_cursor"] == both["next_cursor"]
    unit = api.get("/events", "cg_handler", params={"limit": 500}).json()["items"]
    assert all("chengguan_town" in e["units"] for e in unit)
    assert api.get("/events", params={"after": "0"}).status_code == 401
    bad = api.get("/events", "supervisor", params={"after": "-1"})
    assert bad.status_code == 422 and bad.json()["error"]["code"]


def test_inbox_and_delivery_log(county):
    api = county.api
    case_id, _ = submit(county, title="inbox test")
    mine = wait_for(
        lambda: [
            m for m in api.get("/inbox", "env_handler").json()["items"] if m["case_id"] == case_id
        ]
    )
    assert "inbox test" in mine[0]["title"] and mine[0]["read"] is False
    before = api.get("/inbox", "env_handler").json()["unread"]
    r = api.post(f"/inbox/{mine[0]['id']}/read", None, "env_handler")
    assert r.status_code == 200 and r.json()["read"] is True
    assert api.get("/inbox", "env_handler").json()["unread"] == before - 1
    assert api.post(f"/inbox/{mine[0]['id']}/read", None, "cg_handler").status_code == 404

    log = wait_for(
        lambda: [
            d
            for d in api.get(f"/cases/{case_id}/deliveries", "dispatcher").json()["items"]
            if d["template"] == "acknowledgement" and d["status"] == "sent"
        ]
    )
    assert log[0]["recipient"] == "zhao6@example.com" and log[0]["attempts"] == 1
    assert api.get(f"/cases/{case_id}/deliveries", "cg_handler").status_code == 404
    report_id, _ = submit(county, kind="report", title="举报 inbox", content="某厂偷排")
    unit_view = wait_for(
        lambda: [
            d
            for d in api.get(f"/cases/{report_id}/deliveries", "env_handler").json()["items"]
            if d["recipient_kind"] == "citizen"
        ]
    )
    assert "zhao6@example.com" not in str(unit_view) and "13900001111" not in str(unit_view)


def test_an_edited_template_is_used_for_the_next_message_without_a_restart(county):
    api = county.api
    template = api.get("/templates/acknowledgement:zh-CN", "admin").json()
    changed = {**template, "subject": "【连心桥·新】受理 {{ case_id }}"}
    assert api.put("/templates/acknowledgement:zh-CN", changed, "admin").status_code == 200
    broken = api.put("/templates/acknowledgement:zh-CN", {**template, "body": "{% if %}"}, "admin")
    assert broken.status_code == 422 and "body" in broken.json()["error"]["details"]["fields"]
    try:
        case_id, _ = submit(
            county, title="template test", citizen={"name": "钱七", "email": "qian7@example.com"}
        )
        mail = wait_for(lambda: county.mailbox.to("qian7@example.com"))[0]
        assert mail["subject"] == f"【连心桥·新】受理 {case_id}"
    finally:
        api.put("/templates/acknowledgement:zh-CN", template, "admin")
