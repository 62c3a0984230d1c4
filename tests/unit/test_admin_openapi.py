"""The admin part of the OpenAPI document (issue 13 §5, issue 16): a concrete path per admin
collection with its request and response schemas, and a response schema for every 200/201 of
the admin endpoints."""

import pytest

from gateway.admin_api import OWNERS
from gateway.app import create_app
from gateway.openapi import build_spec
from lianxin.admin import COLLECTIONS


@pytest.fixture(scope="module")
def spec():
    return build_spec(create_app({"AMQP_URI": "memory://", "MONGO_URI": "mongodb://127.0.0.1:1/"}))


def test_every_collection_has_concrete_paths_with_schemas(spec):
    paths = spec["paths"]
    assert not [p for p in paths if p.startswith("/api/v1/{")]  # no catch-all path
    for name, (_, _, key) in COLLECTIONS.items():
        collection, item = paths[f"/api/v1/{name}"], paths[f"/api/v1/{name}/{{{key}}}"]
        assert {"get", "post"} <= set(collection) and {"get", "put", "delete"} <= set(item)
        body = collection["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body["$ref"].split("/")[-1] in spec["components"]["schemas"]
        listed = collection["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert listed["type"] == "array" and listed["items"]["$ref"].endswith("Item")
    users = spec["components"]["schemas"]["UserItem"]["properties"]
    assert users["password"]["writeOnly"] and users["password_set"]["readOnly"]


def test_an_api_key_is_answered_once_and_never_asked_for(spec):
    schemas = spec["components"]["schemas"]
    assert "key" not in schemas["ApiKey"]["properties"]
    created = spec["paths"]["/api/v1/api-keys"]["post"]["responses"]["201"]
    issued = created["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert issued == "ApiKeyIssued" and schemas[issued]["properties"]["key"]["readOnly"]


def test_every_admin_answer_has_a_schema(spec):
    admin_ops = [
        (path, method, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if isinstance(op, dict) and "admin" in op.get("tags", [])
    ]
    assert len(admin_ops) >= 9 * 5 + 4
    for path, method, op in admin_ops:
        for status in ("200", "201"):
            if status in op["responses"]:
                content = op["responses"][status].get("content", {})
                assert content.get("application/json", {}).get("schema"), (path, method, status)


def test_one_map_says_which_service_answers_each_collection():
    assert set(OWNERS) == set(COLLECTIONS) | {"admin-log"}
