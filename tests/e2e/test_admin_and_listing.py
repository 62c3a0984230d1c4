"""Configuration changes apply to the next case without a restart; the staff list filters,
scopes and pages correctly while cases are added."""

import pytest
import requests

from lianxin.clock import parse_iso
from tests.helpers import wait_for

from .test_lifecycle import CASE

pytestmark = pytest.mark.e2e


def test_rule_and_policy_changes_apply_to_the_next_case(county):
    api = county.api
    rule = {
        "id": "noise_to_housing",
        "name": "noise_to_housing",
        "order": 5,
        "match": {"keywords": ["施工噪音"]},
        "lead_unit": "housing_bureau",
    }
    assert (
        api.post("/routing-rules", {**rule, "match": {"colour": "red"}}, "admin").status_code == 422
    )
    assert api.post("/routing-rules", rule, "admin").status_code == 201
    dry = api.post(
        "/routing-rules/dry-run", {**CASE, "content": "工地施工噪音扰民"}, "dispatcher"
    ).json()
    assert dry["lead_unit"] == "housing_bureau" and dry["fired"] == ["noise_to_housing"]
    policy = {
        "id": "env_fast",
        "name": "env_fast",
        "order": 15,
        "match": {"topic": "environment"},
        "duration": {"days": 3},
    }
    assert api.post("/deadline-policies", policy, "admin").status_code == 201

    r = api.post("/cases", {**CASE, "content": "夜间施工噪音"})
    case = wait_for(lambda: county.db.cases.find_one({"_id": r.json()["id"], "status": "assigned"}))
    assert case["assignment"]["lead_unit"] == "housing_bureau"
    assert (case["assignment"]["due_at"] - case["assignment"]["assigned_at"]).days == 3
    assert case["routing"]["fired"] == ["noise_to_housing"]

    assert api.get("/routing-rules/noise_to_housing", "admin").json()["order"] == 5
    assert api.post("/routing-rules", rule, "admin").status_code == 409
    for path in ("/routing-rules/noise_to_housing", "/deadline-policies/env_fast"):
        assert (
            requests.delete(
                f"{api.url}{path}", headers=api.headers("admin"), timeout=10
            ).status_code
            == 204
        )
    assert api.get("/routing-rules/noise_to_housing", "admin").status_code == 404


def test_login_failures_and_bad_tokens(county):
    url = county.api.url
    bad = requests.post(
        f"{url}/auth/token", json={"username": "clerk", "password": "x"}, timeout=10
    )
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "unauthorized"
    forged = requests.get(
        f"{url}/cases", headers={"Authorization": "Bearer not.a.token"}, timeout=10
    )
    assert forged.status_code == 401


def test_filters_scope_and_cursor_pages_that_stay_correct_while_cases_arrive(county):
    api = county.api
    mine = []
    for i in range(7):
        r = api.post("/cases", {**CASE, "title": f"分页测试{i}", "location": {"town": "清水镇"}})
        mine.append(r.json()["id"])
    for case_id in mine:
        wait_for(lambda: county.db.cases.find_one({"_id": case_id, "status": "assigned"}))
    seen, cursor = [], None
    while True:
        params = {"town": "清水镇", "limit": 3, "sort": "received_at"}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/cases", "supervisor", params=params).json()
        seen += [c["id"] for c in page["items"]]
        if len(seen) == 3:  # a case arriving mid-way is not skipped and nothing repeats
            late = api.post(
                "/cases", {**CASE, "title": "分页测试late", "location": {"town": "清水镇"}}
            ).json()["id"]
            wait_for(lambda: county.db.cases.find_one({"_id": late, "status": "assigned"}))
            mine.append(late)
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(mine) and len(set(seen)) == len(seen)

    text = api.get("/cases", "supervisor", params={"text": "分页测试late"}).json()["items"]
    assert [c["id"] for c in text] == [mine[-1]]
    qs = api.get("/cases", "env_handler", params={"town": "清水镇"}).json()["items"]
    assert qs == []  # the township's cases are not the environment bureau's
    assert {
        c["lead_unit"]
        for c in api.get("/cases", "env_handler", params={"limit": 200}).json()["items"]
    } <= {"environment_bureau"}
    overdue = api.get("/cases", "supervisor", params={"overdue": "true"}).json()["items"]
    assert overdue == []  # nothing is past its deadline yet
    due_sorted = api.get(
        "/cases", "supervisor", params={"sort": "due_at", "status": "assigned", "limit": 200}
    ).json()["items"]
    dues = [parse_iso(c["due_at"]) for c in due_sorted]
    assert dues == sorted(dues)
    bad = api.get("/cases", "supervisor", params={"cursor": "garbage"})
    assert bad.status_code == 400
