"""Role × endpoint, over HTTP: every role tries every case endpoint on a case of the
environment bureau (in scope for its handler and leader) and the housing bureau's staff try
it too (out of scope). The expected status of each cell is computed from the table below,
written from docs/contract.md §1/§3/§10."""

import pytest

from tests.helpers import wait_for

from .test_lifecycle import CASE

pytestmark = pytest.mark.e2e

# who acts: (username or None for no token, role, scope)
PEOPLE = [
    (None, "anonymous", None),
    ("clerk", "clerk", "office"),
    ("dispatcher", "dispatcher", "office"),
    ("supervisor", "supervisor", "office"),
    ("leader_li", "leader", "office"),
    ("admin", "admin", "office"),
    ("env_handler", "handler", "in"),
    ("env_leader", "unit_leader", "in"),
    ("housing_handler", "handler", "out"),
    ("housing_leader", "unit_leader", "out"),
]

# endpoint → (state to prepare, body, roles allowed, expected success status)
ENDPOINTS = {
    "assign": ("queued", {"lead_unit": "environment_bureau"}, {"dispatcher"}),
    "claim": ("assigned", {}, {"handler", "unit_leader"}),
    "return": ("assigned", {"reason": "不属于本单位"}, {"handler", "unit_leader"}),
    "return/decision": (
        "return_requested",
        {"accept": False, "comment": "请继续办理"},
        {"dispatcher"},
    ),
    "not-accept": ("assigned", {"reason": "已进入诉讼程序"}, {"dispatcher"}),
    "progress": ("in_progress", {"note": "已联系群众"}, {"handler", "unit_leader"}),
    "extension": ("in_progress", {"days": 3, "reason": "需要检测"}, {"handler", "unit_leader"}),
    "extension/decision": ("extension_requested", {"approve": True}, {"supervisor"}),
    "reply": (
        "in_progress",
        {"outcome": "resolved", "opinion": "已处理"},
        {"handler", "unit_leader"},
    ),
    "reply/sign": ("drafted", {}, {"unit_leader"}),
    "review": ("replied", {"approve": True}, {"supervisor"}),
    "visit": ("answered", {"method": "phone", "satisfaction": "satisfied"}, {"supervisor"}),
    "instruction": ("in_progress", {"text": "抓紧办理"}, {"leader"}),
    "merge": ("assigned", {"primary_id": "@primary"}, {"dispatcher"}),
    "unmerge": ("merged", {}, {"dispatcher"}),
    "appeal": ("closed_dissatisfied", {"reason": "已按政策办理"}, {"unit_leader"}),
    "appeal/decision": ("appealed", {"uphold": False}, {"supervisor"}),
}
UNIT_ROLES = {"handler", "unit_leader"}


def expected(endpoint, role, scope):
    allowed = ENDPOINTS[endpoint][2]
    if role == "anonymous":
        return 401
    if role not in allowed:
        return 403
    if role in UNIT_ROLES and scope == "out":
        return 404
    return 200


class Cases:
    """Drives fresh cases of the environment bureau into a given state."""

    def __init__(self, county):
        self.county, self.api = county, county.api

    def new(self, queued=False):
        body = {**CASE, "topic": "other"} if queued else CASE
        case_id = self.api.post("/cases", body).json()["id"]
        wait_for(
            lambda: self.county.db.cases.find_one(
                {"_id": case_id, **({"routing.queued": True} if queued else {"status": "assigned"})}
            )
        )
        return case_id

    def in_state(self, state):
        act = self.api.act
        if state == "queued":
            return self.new(queued=True)
        case_id = self.new()
        steps = {
            "assigned": [],
            "return_requested": [("return", "env_handler", {"reason": "不属于本单位"})],
            "merged": [("merge", "dispatcher", {"primary_id": self.new()})],
            "in_progress": [("claim", "env_handler", {})],
            "extension_requested": [
                ("claim", "env_handler", {}),
                ("extension", "env_handler", {"days": 3, "reason": "检测"}),
            ],
            "drafted": [
                ("claim", "env_handler", {}),
                ("reply", "env_handler", {"outcome": "resolved", "opinion": "已处理"}),
            ],
        }
        steps["replied"] = steps["drafted"] + [("reply/sign", "env_leader", {})]
        steps["answered"] = steps["replied"] + [("review", "supervisor", {"approve": True})]
        unhappy = ("visit", "supervisor", {"method": "phone", "satisfaction": "dissatisfied"})
        steps["closed_dissatisfied"] = (
            steps["answered"]
            + [unhappy]
            + steps["replied"][1:]
            + [("review", "supervisor", {"approve": True}), unhappy]
        )
        steps["appealed"] = steps["closed_dissatisfied"] + [
            ("appeal", "env_leader", {"reason": "已按政策办理"})
        ]
        for action, user, body in steps[state]:
            act(case_id, action, user, body)
        return case_id


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_role_by_endpoint(county, endpoint):
    cases = Cases(county)
    state, body, _ = ENDPOINTS[endpoint]
    shared = cases.in_state(state)  # refusals change nothing, so they share one case
    if body.get("primary_id") == "@primary":
        body = {**body, "primary_id": cases.new()}
    results, wanted = {}, {}
    for username, role, scope in PEOPLE:
        want = expected(endpoint, role, scope)
        case_id = cases.in_state(state) if want == 200 else shared
        r = county.api.post(f"/cases/{case_id}/{endpoint}", body, username)
        results[username or "anonymous"] = r.status_code
        wanted[username or "anonymous"] = want
    assert results == wanted


def test_reading_and_registering_by_role(county):
    api, cases = county.api, Cases(county)
    case_id = cases.new()
    for username, role, scope in PEOPLE:
        one = api.get(f"/cases/{case_id}", username).status_code
        listing = api.get("/cases", username).status_code
        register = api.post("/cases", {**CASE, "channel": "hotline"}, username).status_code
        units = api.get("/units", username).status_code
        dry_run = api.post("/routing-rules/dry-run", CASE, username).status_code
        got = (one, listing, register, units, dry_run)
        if role == "anonymous":
            want = (404, 401, 422, 401, 401)  # a citizen cannot claim the hotline channel
        elif scope == "out":
            want = (404, 200, 403, 403, 403)
        else:
            want = (
                200,
                200,
                201 if role == "clerk" else 403,
                200 if role == "admin" else 403,
                200 if role in ("admin", "dispatcher") else 403,
            )
        assert got == want, f"{username}: {got} != {want}"
