"""Every path the OpenAPI document promises is routed by the gateway, with its methods — and
the other way round. (A formatter once dropped a side-effect import and with it `POST /cases`;
this is the test that would have failed.)"""

import re

import pytest

from gateway.app import create_app


@pytest.fixture(scope="module")
def app():
    return create_app({"AMQP_URI": "memory://", "MONGO_URI": "mongodb://127.0.0.1:1/"})


def paths_of(rule):
    """The paths a Flask rule serves, each variable as `{}`; an `any(a, b)` converter is
    each of its values (the admin collections share one rule, and are documented one by one)."""
    choice = re.search(r"<any\(([^)]*)\):[a-z_]+>", rule)
    if choice:
        values = [v.strip().strip("'\"") for v in choice.group(1).split(",")]
        return [p for v in values for p in paths_of(rule.replace(choice.group(0), v, 1))]
    return [re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "{}", rule)]


def routed(app):
    out = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.startswith("/api/v1/docs"):
            continue
        for path in paths_of(rule.rule):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                out.add((method.lower(), path))
    return out


def documented(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    return {
        (m, re.sub(r"\{[^}]+\}", "{}", p))
        for p, ops in spec["paths"].items()
        for m in ops
        if m != "parameters"
    }


def test_the_documented_api_and_the_routed_api_are_the_same(app):
    docs, routes = documented(app), routed(app)
    routes.discard(("get", "/api/v1/openapi.json"))
    assert ("post", "/api/v1/cases") in docs
    assert docs - routes == set(), "documented, not routed"
    assert routes - docs == set(), "routed, not documented"


def test_a_submission_reaches_its_endpoint(app):
    r = app.test_client().post("/api/v1/cases", json={"kind": "nonsense"})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "validation_failed"
