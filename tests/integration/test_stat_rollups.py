"""Statistics rollups kept from the real flow (docs/decisions/0021): cases submitted, routed,
answered, visited, merged and reopened through the services on the real broker and store;
the rollups the events built give the figures of a recount of the cases, and rebuilding them
from the cases gives the very same documents."""

from datetime import timedelta

import pytest

from lianxin.clock import utcnow
from services.reading import reports, rollup_store
from tests.helpers import wait_for

pytestmark = pytest.mark.integration

LEADER = {"username": "leader_li", "role": "leader", "leader": "magistrate_li"}
DISPATCHER = {"username": "dispatcher", "role": "dispatcher", "unit": "mass_work_office"}
SUPERVISOR = {"username": "supervisor", "role": "supervisor", "unit": "mass_work_office"}
CG_HANDLER = {"username": "cg_handler", "role": "handler", "unit": "chengguan_town"}
CG_LEADER = {"username": "cg_leader", "role": "unit_leader", "unit": "chengguan_town"}
SUBMISSION = {
    "kind": "complaint",
    "topic": "urban_construction",
    "content": "城关镇解放路路灯坏了一个月没人修，晚上出行很不安全。",
    "location": {"town": "城关镇"},
}


def _answer(rpc, case_id):
    rpc.handling.act("claim", case_id, CG_HANDLER, {})
    rpc.handling.act(
        "draft_reply", case_id, CG_HANDLER, {"outcome": "resolved", "opinion": "已修复路灯。"}
    )
    rpc.handling.act("sign_reply", case_id, CG_LEADER, {})
    rpc.handling.act("review", case_id, SUPERVISOR, {"approve": True})


def _figures(db, now, source, start, end):
    reports.PERIOD, saved = source, reports.PERIOD
    try:
        out = {
            by: reports.stats_report(db, now, LEADER, start, end, by)
            for by in ("unit", "topic", "town", "channel", "kind", "week")
        }
        out["assessment"] = reports.assessment(db, now, LEADER, start, end)
        return out
    finally:
        reports.PERIOD = saved


def _settled(db):
    """Every case's current version is recorded and every delta folded."""
    for case in db.cases.find({}, {"version": 1}):
        seen = db.stat_cases.find_one({"_id": case["_id"]})
        if seen is None or seen["v"] != case.get("version", 1):
            return False
    return db.stat_deltas.count_documents({"folded": False}) == 0


def test_rollups_built_by_the_flow_equal_a_recount_and_a_rebuild(start_services, rpc, db):
    start_services("intake", "routing", "handling", "supervision", "reading", "notify")
    ids = []
    for i in range(8):
        receipt = rpc.intake.submit(
            {
                **SUBMISSION,
                "title": f"路灯不亮 {i}",
                "content": f"{SUBMISSION['content']}（第{i}段，编号{i * 7919}）",
                "citizen": {"name": "市民", "phone": f"1390000{i:04d}"},
                "channel": "web" if i % 2 else "mobile",
            },
            f"key:rollup-{i}",
        )
        ids.append(receipt["id"])
    for case_id in ids:
        wait_for(lambda case_id=case_id: db.cases.find_one({"_id": case_id, "status": "assigned"}))
    for case_id in ids[:5]:
        _answer(rpc, case_id)
    rpc.handling.act(
        "return_visit", ids[0], SUPERVISOR, {"method": "phone", "satisfaction": "satisfied"}
    )
    rpc.handling.act(
        "return_visit", ids[1], SUPERVISOR, {"method": "phone", "satisfaction": "dissatisfied"}
    )
    rpc.intake.act("merge", ids[7], DISPATCHER, {"primary_id": ids[6]})
    wait_for(lambda: _settled(db), timeout=60)

    now = utcnow()
    start, end = now - timedelta(days=1), now + timedelta(days=1)  # partial days: cases read
    day_start, _ = rollup_store.rollups.day_bounds(
        rollup_store.rollups.day_and_month(now, "Asia/Shanghai")[0], "Asia/Shanghai"
    )
    whole = (day_start, day_start + timedelta(days=1))  # one whole local day: its rollup
    recount = _figures(db, now, reports.Recount, *whole)
    assert recount["unit"]["totals"]["total"] == 7  # the merged one is counted in its primary
    # five answered; the dissatisfied one is reopened (owed again)
    assert recount["unit"]["totals"]["completed"] == 4
    assert recount["unit"]["totals"]["reopened"] == 1
    assert _figures(db, now, reports.FromRollups, *whole) == recount
    assert _figures(db, now, reports.FromRollups, start, end) == _figures(
        db, now, reports.Recount, start, end
    )
    built = {d["_id"]: rollup_store._load_rollup(d) for d in db.stat_rollups.find()}
    rollup_store.rebuild(db, out=lambda *_: None)
    rebuilt = {d["_id"]: rollup_store._load_rollup(d) for d in db.stat_rollups.find()}

    def strip(docs):
        return {
            k: {f: v for f, v in d.items() if f not in ("rev", "batches")} for k, d in docs.items()
        }

    assert strip(built) == strip(rebuilt)
    assert set(built) == {f"d:{d}" for d in _days(db)} | {f"m:{d[:7]}" for d in _days(db)}


def _days(db):
    return {
        rollup_store.rollups.day_and_month(c["received_at"], "Asia/Shanghai")[0]
        for c in db.cases.find({}, {"received_at": 1})
    }
