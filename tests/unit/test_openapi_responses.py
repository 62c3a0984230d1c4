"""Every 200 and 201 the API documents says what its body is (a schema, not prose), so the
fuzzing checks bodies too and a generated client can read them. The admin collections are
documented with their own schemas elsewhere (gateway/admin_api.py)."""

import json
import re

import pytest

from gateway.app import create_app


@pytest.fixture(scope="module")
def app():
    return create_app({"AMQP_URI": "memory://", "MONGO_URI": "mongodb://127.0.0.1:1/"})


@pytest.fixture(scope="module")
def document(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


def _admin_paths(app):
    out = set()
    for rule in app.url_map.iter_rules():
        if app.view_functions[rule.endpoint].__module__ == "gateway.admin_api":
            out.add(re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", rule.rule))
    return out


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if isinstance(operation, dict):
                yield path, method, operation


def test_every_200_and_201_outside_admin_has_a_response_schema(app, document):
    admin = _admin_paths(app)
    assert admin, "the admin views are found by their module"
    missing, checked = [], 0
    for path, method, operation in _operations(document):
        if path in admin:
            continue
        for status, response in operation["responses"].items():
            if str(status) not in ("200", "201"):
                continue
            checked += 1
            content = response.get("content") or {}
            if not content or not all(media.get("schema") for media in content.values()):
                missing.append(f"{method.upper()} {path} {status}")
    assert checked >= 40
    assert missing == [], "documented without a response schema"


def test_every_response_is_described_and_every_reference_resolves(document):
    schemas = document["components"]["schemas"]
    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            assert response.get("description"), f"{method.upper()} {path} {status}"
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(document)))
    assert refs and refs <= set(schemas), refs - set(schemas)


def test_a_nullable_nested_body_is_that_schema_or_null(document):
    """Not "any object or null" (apispec's OpenAPI 3.0 form), which would check nothing."""
    answer = document["components"]["schemas"]["PublicCase"]["properties"]["answer"]
    assert answer == {
        "description": "once answered",
        "anyOf": [{"$ref": "#/components/schemas/Answer"}],
        "nullable": True,
    }
    assert '{"type": "object", "nullable": true}' not in json.dumps(document)
