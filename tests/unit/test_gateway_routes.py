"""Every path the OpenAPI document promises is routed by the gateway, with its methods — and
the other way round. (A formatter once dropped a side-effect import and with it `POST /cases`;
this is the test that would have failed.)"""

import re

import pytest

from gateway.app import create_app


@pytest.fixture(scope="module")
def app():
    return create_app({"AMQP_URI": "memory://", "MONGO_URI": "mongodb://127.0.0.1:1/"})


def routed(app):
    out = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.startswith("/api/v1/docs"):
            continue
        path = re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            out.add((method.lower(), path))
    return out


def documented(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    return {(m, p) for p, ops in spec["paths"].items() for m in ops if m != "parameters"}


def test_the_documented_api_and_the_routed_api_are_the_same(app):
    docs, routes = documented(app), routed(app)
    routes.discard(("get", "/api/v1/openapi.json"))
    assert ("post", "/api/v1/cases") in docs
    assert docs - routes == set(), "documented, not routed"
    assert routes - docs == set(), "routed, not documented"


def test_a_submission_reaches_its_endpoint(app):
    r = app.test_client().post("/api/v1/cases", json={"kind": "nonsense"})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "validation_failed"
