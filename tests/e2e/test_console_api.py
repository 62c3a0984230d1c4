"""What the web console relies on, over HTTP on the running system: `allowed_actions` on the
staff case view agrees with what the actions accept, and saved filters per user."""

import pytest

from .test_authorization_matrix import ENDPOINTS, PEOPLE, Cases

pytestmark = pytest.mark.e2e

STAFF = [username for username, _role, _scope in PEOPLE if username]
# Actions that leave the status as it is and may be repeated: tried on the shared case.
REPEATABLE = {"progress", "instruction", "input", "reply"}
# A sample of states that between them offer every action endpoint to someone.
# (`appeal` alone is left to tests/unit/test_allowed_actions.py: its case takes two rounds.)
STATES = [
    "queued",
    "co_assigned",
    "return_requested",
    "merged",
    "in_progress",
    "extension_requested",
    "replied",
    "answered",
    "appealed",
]


class ConsoleCases(Cases):
    def in_state(self, state):
        if state != "co_assigned":
            return super().in_state(state)
        case_id = self.new(queued=True)
        self.api.act(
            case_id,
            "assign",
            "dispatcher",
            {"lead_unit": "environment_bureau", "co_units": ["chengguan_town"]},
        )
        return case_id


def body_for(endpoint, cases, primary):
    body = ENDPOINTS[endpoint][1]
    if endpoint == "merge":
        return {"primary_id": primary}
    if endpoint == "reply/sign":  # co-units' input may be outstanding: sign over it, with why
        return {"outcome": "resolved", "opinion": "已处理", "override_reason": "会办单位逾期未复"}
    if endpoint == "input":
        return {"opinion": "镇里已配合调查"}
    return body


@pytest.mark.parametrize("state", STATES)
def test_allowed_actions_are_accepted_and_the_others_refused(county, state):
    api, cases = county.api, ConsoleCases(county)
    shared, primary = cases.in_state(state), cases.new()
    listed = {user: api.get(f"/cases/{shared}", user) for user in STAFF}
    listed = {
        user: r.json()["allowed_actions"] for user, r in listed.items() if r.status_code == 200
    }  # out of scope: 404, nothing to offer
    refused, accepted = {}, {}
    for user, actions in listed.items():
        for endpoint in ENDPOINTS:
            if endpoint in actions:
                continue
            r = api.post(f"/cases/{shared}/{endpoint}", body_for(endpoint, cases, primary), user)
            refused[(user, endpoint)] = r.status_code
    assert {k: v for k, v in refused.items() if v not in (403, 404, 409)} == {}
    tried = set()
    for user, actions in listed.items():
        for endpoint in actions:
            if endpoint in tried and endpoint not in REPEATABLE:
                continue  # one taker per state-changing action: it needs a case of its own
            tried.add(endpoint)
            case_id = shared if endpoint in REPEATABLE else cases.in_state(state)
            r = api.post(f"/cases/{case_id}/{endpoint}", body_for(endpoint, cases, primary), user)
            accepted[(user, endpoint)] = r.status_code
    assert {k: v for k, v in accepted.items() if v != 200} == {}
    assert state == "merged" or any(e not in ("instruction",) for _, e in accepted), accepted


def test_saved_filters_belong_to_their_user(county):
    api = county.api
    assert api.get("/me/filters").status_code == 401
    assert api.get("/me/filters", "dispatcher").json() == {"items": []}
    saved = api.put(
        "/me/filters/超期件", {"query": "status=assigned,in_progress&overdue=true"}, "dispatcher"
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["name"] == "超期件"
    assert (
        county.db.saved_filters.find_one({"_id": "dispatcher:超期件"})["query"]
        == "status=assigned,in_progress&overdue=true"
    )
    api.put(
        "/me/filters/环保",
        {"name": "环保", "query": "?topic=environment&sort=due_at"},
        "dispatcher",
    )
    replaced = api.put("/me/filters/超期件", {"query": "warning=red"}, "dispatcher").json()
    assert replaced["query"] == "warning=red"
    mine = api.get("/me/filters", "dispatcher").json()["items"]
    assert [(f["name"], f["query"]) for f in mine] == [
        ("环保", "topic=environment&sort=due_at"),
        ("超期件", "warning=red"),
    ]
    assert api.get("/me/filters", "supervisor").json() == {"items": []}
    assert api.delete("/me/filters/超期件", "supervisor").status_code == 404
    assert api.delete("/me/filters/超期件", "dispatcher").status_code == 204
    assert api.delete("/me/filters/超期件", "dispatcher").status_code == 404
    assert [f["name"] for f in api.get("/me/filters", "dispatcher").json()["items"]] == ["环保"]


@pytest.mark.parametrize(
    "name, body, field",
    [
        ("ok", {"query": "bogus=1"}, "query"),
        ("ok", {"query": "status"}, "query"),
        ("ok", {}, "query"),
        ("ok", {"query": "x" * 2001}, "query"),
        ("a:b", {"query": "status=assigned"}, "name"),
        ("ok", {"query": "status=assigned", "name": "other"}, "name"),
        ("x" * 65, {"query": "status=assigned"}, "name"),
    ],
)
def test_a_saved_filter_is_validated(county, name, body, field):
    r = county.api.put(f"/me/filters/{name}", body, "dispatcher")
    assert r.status_code == 422, r.text
    assert field in r.json()["error"]["details"]["fields"]


def test_the_filters_are_in_the_api_docs(county):
    paths = county.api.get("/openapi.json").json()["paths"]
    assert {"get"} <= set(paths["/api/v1/me/filters"])
    assert {"put", "delete"} <= set(paths["/api/v1/me/filters/{name}"])
