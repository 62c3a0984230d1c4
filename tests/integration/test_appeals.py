"""评星复议 on the leaders' read (docs/contract.md §7, `GET /assessment/appeals`): cases closed
dissatisfied through the real services, one appeal upheld by a supervisor, one pending, one
rating never appealed; the read lists the two with the rating, the appeal and the decision,
filters by state, keeps to the period and the office roles, and is the query the hot-query
list has explained (lianxin/hot_queries.py)."""

from datetime import timedelta

import pytest

from lianxin import hot_queries
from lianxin.clock import utcnow
from lianxin.errors import Forbidden
from services.reading import appeals
from tests.helpers import wait_for
from tests.integration.test_stat_rollups import (
    CG_HANDLER,
    CG_LEADER,
    LEADER,
    SUBMISSION,
    SUPERVISOR,
    _answer,
)
from tests.unit.test_response_schemas import conforms
from tests.unit.test_response_schemas import document as _document

document = _document  # the OpenAPI document, as the gateway serves it (a fixture)

pytestmark = pytest.mark.integration


def _closed_dissatisfied(rpc, db, case_id):
    """Answered, rated dissatisfied (reopened), answered again, dissatisfied again: closed."""
    visit = {"method": "phone", "satisfaction": "dissatisfied"}
    _answer(rpc, case_id)
    rpc.handling.act("return_visit", case_id, SUPERVISOR, visit)
    rpc.handling.act("draft_reply", case_id, CG_HANDLER, {"outcome": "resolved", "opinion": "复查"})
    rpc.handling.act("sign_reply", case_id, CG_LEADER, {})
    rpc.handling.act("review", case_id, SUPERVISOR, {"approve": True})
    rpc.handling.act("return_visit", case_id, SUPERVISOR, visit)
    assert db.cases.find_one({"_id": case_id})["status"] == "closed"


def test_appeals_with_their_decision_and_the_pending_one(start_services, rpc, db, document):
    start_services("intake", "routing", "handling", "supervision", "reading", "notify")
    ids = []
    for i in range(3):
        receipt = rpc.intake.submit(
            {
                **SUBMISSION,
                "title": f"路灯不亮 {i}",
                "content": f"{SUBMISSION['content']}（第{i}段，编号{i * 7919}）",
                "citizen": {"name": "市民", "phone": f"1390001{i:04d}"},
                "channel": "web",
            },
            f"key:appeal-{i}",
        )
        ids.append(receipt["id"])
    for case_id in ids:
        wait_for(lambda case_id=case_id: db.cases.find_one({"_id": case_id, "status": "assigned"}))
    for case_id in ids:
        _closed_dissatisfied(rpc, db, case_id)
    upheld, pending, never = ids
    rpc.handling.act("appeal", upheld, CG_LEADER, {"reason": "已按政策足额发放，有签收单"})
    rpc.handling.act("appeal", pending, CG_LEADER, {"reason": "诉求超出政策范围"})
    rpc.handling.act("decide_appeal", upheld, SUPERVISOR, {"uphold": True, "comment": "签收单属实"})

    now = utcnow()
    start, end = (now - timedelta(days=1)).isoformat(), (now + timedelta(days=1)).isoformat()
    out = rpc.reading.appeals(LEADER, start, end)
    assert out["counts"] == {"pending": 1, "upheld": 1, "rejected": 0}
    assert out["truncated"] is False
    assert [i["id"] for i in out["items"]] == [pending, upheld]  # waiting ones first
    first, second = out["items"]
    assert first["state"] == "pending" and first["decision"] is None
    assert first["appeal"]["reason"] == "诉求超出政策范围"
    assert first["appeal"]["by"] == "cg_leader" and first["appeal"]["at"]
    assert first["rating"]["satisfaction"] == "dissatisfied" and first["rating"]["counts"]
    assert first["unit"] == "chengguan_town" and first["unit_name"] != "chengguan_town"
    assert first["title"] == "路灯不亮 1" and first["status"] == "closed"
    assert second["state"] == "upheld"
    assert second["decision"]["upheld"] is True
    assert second["decision"]["comment"] == "签收单属实"
    assert second["decision"]["by"] == "supervisor" and second["decision"]["at"]
    assert second["rating"]["counts"] is False  # the rating no longer counts
    assert never not in {i["id"] for i in out["items"]}

    only = rpc.reading.appeals(SUPERVISOR, start, end, "pending")
    assert [i["id"] for i in only["items"]] == [pending]
    earlier = rpc.reading.appeals(
        LEADER, (now - timedelta(days=9)).isoformat(), (now - timedelta(days=2)).isoformat()
    )
    assert earlier["items"] == [] and earlier["counts"]["pending"] == 0
    for someone in (CG_HANDLER, CG_LEADER):  # units do not read the county's appeals
        with pytest.raises(Forbidden):
            rpc.reading.appeals(someone, start, end)

    # the upheld appeal takes its rating out of the satisfaction rate (§7)
    stats = rpc.reading.stats(LEADER, start, end, "unit")
    assert stats["totals"]["satisfaction_rate"]["denominator"] == 2
    weekly = rpc.reading.stats(LEADER, start, end, "week")
    assert sum(w["total"] for w in weekly["groups"]) == stats["totals"]["total"] == 3
    # the answers are those the OpenAPI document promises
    conforms(document, "GET", "/api/v1/assessment/appeals", out)
    conforms(document, "GET", "/api/v1/assessment/appeals", earlier)
    conforms(document, "GET", "/api/v1/stats", weekly)


def test_the_read_is_the_listed_hot_query():
    listed = next(q for q in hot_queries.QUERIES if q.where.startswith("services/reading/appeals"))
    built = appeals.query(hot_queries.NOW - timedelta(days=90), hot_queries.NOW, ["pending"])
    assert built == listed.filter
    assert listed.sort == appeals.SORT and listed.limit == appeals.LIMIT + 1


def test_a_period_with_more_appeals_than_the_answer_holds_keeps_the_pending_and_counts_all(
    db, monkeypatch
):
    """Pending first: the decided ones are cut, never a pending one; the counts are all."""
    monkeypatch.setattr(appeals, "LIMIT", 3)
    now = utcnow()
    for n, st in enumerate(["upheld"] * 3 + ["pending"] * 2 + ["rejected"] * 2):
        db.cases.insert_one(
            {
                "_id": f"LX-APPEAL-{n:03d}",
                "title": st,
                "status": "closed",
                # the decided ones are the newest: a cut by received time would drop pending
                "received_at": now - timedelta(days=10 if st == "pending" else 1, minutes=n),
                "appeal": {"status": st, "reason": "r", "by": "env_leader", "at": now},
            }
        )
    out = appeals.appeal_list(db, LEADER, now - timedelta(days=30), now)
    assert out["counts"] == {"pending": 2, "upheld": 3, "rejected": 2}
    assert out["truncated"] is True
    assert [i["state"] for i in out["items"]] == ["pending", "pending", "upheld"]
    only = appeals.appeal_list(db, LEADER, now - timedelta(days=30), now, "rejected")
    assert only["counts"] == {"pending": 0, "upheld": 0, "rejected": 2}
    assert only["truncated"] is False and len(only["items"]) == 2
