"""Walk-throughs of docs/contract.md §3 over HTTP, with every service a process on the real bus and
store."""

import pytest

from lianxin.clock import parse_iso
from tests.helpers import wait_for

pytestmark = pytest.mark.e2e

CASE = {
    "kind": "complaint",
    "topic": "environment",
    "title": "化工厂排污",
    "content": "河边化工厂夜间排放污水。",
    "citizen": {"name": "赵六", "phone": "13900001111", "email": "zhao6@example.com"},
}


def submit(county, queued=False, **changes):
    r = county.api.post("/cases", {**CASE, **changes})
    assert r.status_code == 201, r.text
    receipt = r.json()
    wait_for(
        lambda: county.db.cases.find_one(
            {
                "_id": receipt["id"],
                **({"routing.queued": True} if queued else {"status": "assigned"}),
            }
        )
    )
    return receipt["id"], receipt["access_code"]


def to_answered(county, case_id):
    api = county.api
    api.act(case_id, "claim", "env_handler")
    api.act(case_id, "progress", "env_handler", {"note": "已现场检查"})
    api.act(case_id, "reply", "env_handler", {"outcome": "resolved", "opinion": "已责令停产整改"})
    api.act(case_id, "reply/sign", "env_leader")
    return api.act(case_id, "review", "supervisor", {"approve": True})


def test_happy_path_to_closed(county):
    api = county.api
    case_id, code = submit(county)
    case = api.get(f"/cases/{case_id}", "env_handler").json()
    assert case["assignment"]["lead_unit"] == "environment_bureau"
    answered = to_answered(county, case_id)
    assert answered["status"] == "answered" and answered["reply"]["delivered_at"]
    closed = api.act(
        case_id,
        "visit",
        "supervisor",
        {"method": "phone", "satisfaction": "satisfied", "note": "满意"},
    )
    assert closed["status"] == "closed"
    assert closed["return_visit"]["satisfaction"] == "satisfied"
    assert closed["reply"]["handler"] == "env_handler"
    assert closed["reply"]["signed_by"] == "env_leader"
    actions = [e["action"] for e in closed["timeline"]]
    assert actions == [
        "received",
        "route",
        "claim",
        "progress",
        "draft_reply",
        "sign_reply",
        "approve_reply",
        "close",
    ]
    public = api.get(f"/cases/{case_id}", params={"code": code}).json()
    assert public["answer"]["outcome"] == "resolved"
    assert "env_handler" not in str(public) and "已现场检查" not in str(public)
    assert county.db.clocks.find_one({"case_id": case_id})["stopped_at"] is not None


def test_a_rejected_reply_goes_back_with_the_clock_running(county):
    api = county.api
    case_id, _ = submit(county)
    due = county.db.cases.find_one({"_id": case_id})["assignment"]["due_at"]
    api.act(case_id, "claim", "env_handler")
    api.act(case_id, "reply", "env_handler", {"outcome": "explained", "opinion": "不属实"})
    api.act(case_id, "reply/sign", "env_leader")
    rejected = api.act(
        case_id, "review", "supervisor", {"approve": False, "comment": "未说明检测结果"}
    )
    assert rejected["status"] == "in_progress"
    assert rejected["reply"]["signed_by"] is None and rejected["rejections_count"] == 1
    stored = county.db.cases.find_one({"_id": case_id})
    assert stored["assignment"]["due_at"] == due  # the clock keeps running
    assert county.db.clocks.find_one({"case_id": case_id})["stopped_at"] is None
    api.act(
        case_id,
        "reply",
        "env_handler",
        {"outcome": "explained", "opinion": "经检测水质达标，已向群众解释"},
    )
    api.act(case_id, "reply/sign", "env_leader")
    assert api.act(case_id, "review", "supervisor", {"approve": True})["status"] == "answered"


def test_return_refused_then_accepted_to_another_unit(county):
    api = county.api
    case_id, _ = submit(county)
    api.act(case_id, "return", "env_handler", {"reason": "属于住建部门职责"})
    refused = api.act(
        case_id, "return/decision", "dispatcher", {"accept": False, "comment": "属于你单位职责"}
    )
    assert refused["status"] == "assigned"
    assert refused["assignment"]["lead_unit"] == "environment_bureau"
    api.act(case_id, "return", "env_handler", {"reason": "确属住建部门职责"})
    accepted = api.act(
        case_id, "return/decision", "dispatcher", {"accept": True, "lead_unit": "housing_bureau"}
    )
    assert accepted["status"] == "assigned"
    assert accepted["assignment"]["lead_unit"] == "housing_bureau"
    assert accepted["returns_count"] == 2
    assert api.get(f"/cases/{case_id}", "env_handler").status_code == 404
    assert api.act(case_id, "claim", "housing_handler")["status"] == "in_progress"


def test_return_accepted_to_the_queue_then_assigned_by_hand(county):
    api = county.api
    case_id, _ = submit(county)
    api.act(case_id, "return", "env_leader", {"reason": "不属于本单位"})
    queued = api.act(case_id, "return/decision", "dispatcher", {"accept": True})
    assert queued["status"] == "received" and queued["routing"]["queued"] is True
    assigned = api.act(
        case_id,
        "assign",
        "dispatcher",
        {"lead_unit": "chengguan_town", "co_units": ["environment_bureau"]},
    )
    assert assigned["assignment"]["lead_unit"] == "chengguan_town"
    assert assigned["assignment_count"] == 2


def test_extension_moves_the_deadline_supervision_uses(county):
    api = county.api
    case_id, _ = submit(county)
    api.act(case_id, "claim", "env_handler")
    before = api.get(f"/cases/{case_id}", "supervisor").json()["assignment"]["due_at"]
    api.act(case_id, "extension", "env_handler", {"days": 5, "reason": "需要第三方检测"})
    api.act(case_id, "extension", "env_handler", {"days": 5, "reason": "again"}, expect=409)
    decided = api.act(case_id, "extension/decision", "supervisor", {"approve": True})
    assert (parse_iso(decided["assignment"]["extended_to"]) - parse_iso(before)).days == 5
    clock = county.db.clocks.find_one({"case_id": case_id})
    assert clock["extended_to"] is not None
    public = api.get(f"/cases/{case_id}").status_code  # no code: not found
    assert public == 404


def test_reopen_once_then_final_dissatisfaction_goes_to_the_leader(county):
    api = county.api
    case_id, code = submit(
        county,
        people_involved=12,
        topic="land_relocation",
        title="征地补偿",
        content="征地补偿款未发放",
    )
    case = county.db.cases.find_one({"_id": case_id})
    assert case["assignment"]["leader"] == "magistrate_li" and "leader_led" in case["flags"]
    unit = case["assignment"]["lead_unit"]
    assert unit == "natural_resources_bureau"
    # the demo county has no users in that unit: create them as the admin would
    for username, role in (("nr_handler", "handler"), ("nr_leader", "unit_leader")):
        r = api.post(
            "/users",
            {
                "username": username,
                "password": "pass-word-1",
                "role": role,
                "unit": unit,
                "name": username,
            },
            "admin",
        )
        assert r.status_code in (201, 409), r.text
    api.token("nr_handler", "pass-word-1")
    api.token("nr_leader", "pass-word-1")

    def answer(opinion):
        api.act(case_id, "reply", "nr_handler", {"outcome": "explained", "opinion": opinion})
        api.act(case_id, "reply/sign", "nr_leader")
        api.act(case_id, "review", "supervisor", {"approve": True})

    api.act(case_id, "claim", "nr_handler")
    answer("补偿款已列入预算")
    r = api.post(
        f"/cases/{case_id}/feedback",
        {"satisfaction": "dissatisfied", "note": "没收到"},
        params={"code": code},
    )
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    reopened = api.get(f"/cases/{case_id}", "supervisor").json()
    assert "reopened" in reopened["flags"] and reopened["reopen_count"] == 1
    assert reopened["assignment_count"] == 2
    fresh = county.db.clocks.find_one({"_id": f"{case_id}:2"})  # a fresh clock from now
    assert fresh["state"] == "running" and fresh["seq"] == 2
    assert fresh["started_at"] >= parse_iso(reopened["assignment"]["assigned_at"])
    answer("补偿款已发放到位")
    closed = api.act(
        case_id, "visit", "supervisor", {"method": "visit", "satisfaction": "dissatisfied"}
    )
    assert closed["status"] == "closed" and closed["final_dissatisfied"] is True
    assert closed["raised_to"] == "magistrate_li"
    appeal = api.act(case_id, "appeal", "nr_leader", {"reason": "已按政策足额发放，有签收单"})
    assert appeal["appeal"]["status"] == "pending"
    decided = api.act(case_id, "appeal/decision", "supervisor", {"uphold": True})
    assert decided["return_visit"]["counts"] is False


def test_co_unit_input_blocks_signature_until_given_or_overridden(county):
    api = county.api
    case_id, _ = submit(county, queued=True, topic="other", location={})  # manual queue
    assigned = api.act(
        case_id,
        "assign",
        "dispatcher",
        {"lead_unit": "environment_bureau", "co_units": ["chengguan_town"]},
    )
    a = {
        k: parse_iso(v)
        for k, v in assigned["assignment"].items()
        if k in ("assigned_at", "due_at", "co_due_at")
    }
    assert a["co_due_at"] - a["assigned_at"] == (a["due_at"] - a["assigned_at"]) / 2
    api.act(case_id, "claim", "env_handler")
    api.act(case_id, "input", "env_handler", {"opinion": "x"}, expect=403)  # lead, not co-unit
    api.act(case_id, "reply", "env_handler", {"outcome": "resolved", "opinion": "已处理"})
    blocked = api.post(f"/cases/{case_id}/reply/sign", {}, "env_leader")
    assert blocked.status_code == 409
    assert blocked.json()["error"]["details"]["outstanding_co_units"] == ["chengguan_town"]
    signed = api.act(case_id, "reply/sign", "env_leader", {"override_reason": "镇政府逾期未反馈"})
    assert signed["status"] == "replied"

    case2, _ = submit(county, queued=True, topic="other", location={})
    api.act(
        case2,
        "assign",
        "dispatcher",
        {"lead_unit": "environment_bureau", "co_units": ["chengguan_town"]},
    )
    api.act(case2, "input", "cg_handler", {"opinion": "镇里已配合调查"})
    api.act(case2, "claim", "env_handler")
    api.act(case2, "reply", "env_handler", {"outcome": "resolved", "opinion": "已处理"})
    assert api.act(case2, "reply/sign", "env_leader")["status"] == "replied"


def test_a_confidential_report_is_seen_by_the_unit_without_identity(county):
    api = county.api
    case_id, _ = submit(county, kind="report", title="举报偷排", content="某厂偷排")
    seen = api.get(f"/cases/{case_id}", "env_handler").json()
    assert seen["citizen"] == {"withheld": True}
    assert "13900001111" not in str(seen) and "赵六" not in str(seen)
    listed = api.get("/cases", "env_handler", params={"kind": "report"}).json()["items"]
    assert case_id in [c["id"] for c in listed] and "赵六" not in str(listed)
    office = api.get(f"/cases/{case_id}", "supervisor").json()
    assert office["citizen"]["name"] == "赵六"
    assert api.get(f"/cases/{case_id}", "cg_handler").status_code == 404


def test_two_unit_leaders_signing_at_once_one_wins(county):
    from concurrent.futures import ThreadPoolExecutor

    api = county.api
    r = api.post(
        "/users",
        {
            "username": "env_leader2",
            "password": "pass-word-2",
            "role": "unit_leader",
            "unit": "environment_bureau",
        },
        "admin",
    )
    assert r.status_code in (201, 409)
    api.token("env_leader2", "pass-word-2")
    case_id, _ = submit(county)
    api.act(case_id, "claim", "env_handler")
    api.act(case_id, "reply", "env_handler", {"outcome": "resolved", "opinion": "已处理"})
    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(
                lambda u: api.post(f"/cases/{case_id}/reply/sign", {}, u),
                ["env_leader", "env_leader2"],
            )
        )
    assert sorted(r.status_code for r in results) == [200, 409]
    case = county.db.cases.find_one({"_id": case_id})
    assert [e["action"] for e in case["timeline"]].count("sign_reply") == 1


def test_clerk_registration_direct_answer_not_accepted_merge_and_instruction(county):
    api = county.api
    r = api.post(
        "/cases",
        {
            **CASE,
            "channel": "hotline",
            "kind": "consultation",
            "topic": "education",
            "direct_answer": {"outcome": "explained", "opinion": "入学政策已电话解释"},
        },
        "clerk",
    )
    assert r.status_code == 201, r.text
    direct = api.get(f"/cases/{r.json()['id']}", "supervisor").json()
    assert direct["status"] == "answered" and direct["received_by"] == "mass_work_office"
    assert (
        api.act(
            direct["id"], "visit", "supervisor", {"method": "phone", "satisfaction": "satisfied"}
        )["status"]
        == "closed"
    )

    first, _ = submit(county)
    second, _ = submit(county)
    merged = api.act(second, "merge", "dispatcher", {"primary_id": first})
    assert merged["status"] == "merged" and merged["primary_id"] == first
    assert second in api.get(f"/cases/{first}", "dispatcher").json()["duplicates"]
    api.act(second, "merge", "dispatcher", {"primary_id": first}, expect=409)
    unmerged = api.act(second, "unmerge", "dispatcher")
    assert unmerged["status"] == "received"
    wait_for(lambda: county.db.cases.find_one({"_id": second, "status": "assigned"}))

    refused, code = submit(county)
    out = api.act(refused, "not-accept", "dispatcher", {"reason": "已进入诉讼程序"})
    assert out["status"] == "not_accepted"
    public = api.get(f"/cases/{refused}", params={"code": code}).json()
    assert "不予受理：已进入诉讼程序" in [e["note"] for e in public["timeline"]]
    noted = api.act(refused, "instruction", "leader_li", {"text": "请群工办做好解释"})
    assert noted["instructions"][0]["text"] == "请群工办做好解释"


def test_closing_gates_and_wrong_states(county):
    api = county.api
    case_id, _ = submit(county)
    api.act(
        case_id, "reply", "env_handler", {"outcome": "resolved", "opinion": "x"}, expect=409
    )  # not claimed yet
    api.act(case_id, "claim", "env_handler")
    api.act(case_id, "claim", "env_handler", expect=409)
    api.act(case_id, "reply/sign", "env_leader", expect=409)  # nothing drafted: 三不结案
    api.act(
        case_id, "visit", "supervisor", {"method": "phone", "satisfaction": "satisfied"}, expect=409
    )  # cannot close what was not answered
    r = api.post(f"/cases/{case_id}/reply", {"outcome": "resolved", "opinion": ""}, "env_handler")
    assert r.status_code == 422 and "opinion" in r.json()["error"]["details"]["fields"]
