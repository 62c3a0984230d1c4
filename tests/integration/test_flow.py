"""The first path through every service, on the real broker and store."""

import pytest

from tests.helpers import wait_for

pytestmark = pytest.mark.integration

SUBMISSION = {
    "kind": "complaint",
    "topic": "environment",
    "title": "河道污染",
    "content": "清水镇化工厂夜间向河道排放污水，气味刺鼻。",
    "location": {"town": "清水镇"},
    "citizen": {"name": "张三", "phone": "13812341234", "email": "zhang@example.com"},
}


def test_submission_is_routed_clocked_and_acknowledged(start_services, rpc, db, mailbox, event_tap):
    start_services("intake", "routing", "supervision", "notify")
    receipt = rpc.intake.submit(SUBMISSION, "key:flow-1")
    case_id = receipt["id"]

    case = wait_for(lambda: db.cases.find_one({"_id": case_id, "status": "assigned"}))
    assert case["assignment"]["lead_unit"] == "qingshui_town"
    assert case["routing"]["fired"] == ["town_government"]
    assert (case["assignment"]["due_at"] - case["assignment"]["assigned_at"]).days == 7

    ack = wait_for(lambda: mailbox.to("zhang@example.com"))
    assert case_id in ack[0]["subject"]
    assert receipt["access_code"] in ack[0]["body"]
    unit_mail = wait_for(lambda: mailbox.to("qsz@demo-county.gov.cn"))
    assert case_id in unit_mail[0]["subject"]

    types = [e["type"] for e in event_tap.drain(wait=1) if e["case_id"] == case_id]
    assert types == ["case.received", "case.assigned"]
