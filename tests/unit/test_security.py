"""The pure parts of the security rules: which secrets a process starts with, sealed codes,
what a token must still match in its account, how deep a body may nest."""

import os
import subprocess
import sys

import pytest

from gateway.security import json_depth, not_text
from lianxin.access import CODE_PLACEHOLDER, seal, unseal, with_code
from lianxin.auth import token_problem

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOOD = "k" * 40
ACCOUNT = {
    "username": "u",
    "role": "clerk",
    "unit": "office",
    "leader": None,
    "active": True,
    "token_version": 2,
    "revoked": ["old1"],
}
CLAIMS = {"sub": "u", "role": "clerk", "unit": "office", "leader": None, "ver": 2, "jti": "j1"}


def _start(argv, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("LX_")}
    return subprocess.run(
        [sys.executable, *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**base, "LX_AMQP_URI": "amqp://guest:guest@127.0.0.1:1/", **env},
        timeout=60,
    )


@pytest.mark.parametrize(
    "env, named",
    [
        ({}, "LX_SECRET_KEY is not set"),
        (
            {
                "LX_SECRET_KEY": "lianxin-local-development-secret-change-me",
                "LX_CITIZEN_KEY_SECRET": GOOD,
                "LX_ADMIN_PASSWORD": "a-long-admin-pass",
            },
            "LX_SECRET_KEY is a value published",
        ),
        (
            {
                "LX_SECRET_KEY": GOOD,
                "LX_CITIZEN_KEY_SECRET": "short",
                "LX_ADMIN_PASSWORD": "a-long-admin-pass",
            },
            "LX_CITIZEN_KEY_SECRET is too short",
        ),
        ({"LX_SECRET_KEY": GOOD, "LX_CITIZEN_KEY_SECRET": GOOD}, "LX_ADMIN_PASSWORD is not set"),
        (
            {
                "LX_SECRET_KEY": GOOD,
                "LX_CITIZEN_KEY_SECRET": GOOD,
                "LX_ADMIN_PASSWORD": "admin-change-me",
            },
            "LX_ADMIN_PASSWORD is a value published",
        ),
    ],
)
def test_services_and_the_gateway_refuse_to_start_without_good_secrets(env, named):
    for argv in (["-m", "lianxin.runner", "intake"], ["-c", "import gateway.wsgi"]):
        done = _start(argv, **env)
        assert done.returncode != 0
        last = done.stderr.strip().splitlines()[-1]
        assert named in last and "refusing to start" in last, done.stderr


def test_a_delivery_claim_shorter_than_a_send_may_take_is_refused():
    good = {"LX_SECRET_KEY": GOOD, "LX_CITIZEN_KEY_SECRET": GOOD, "LX_ADMIN_PASSWORD": GOOD}
    env = {**good, "LX_DELIVERY_CLAIM_SECONDS": "10", "LX_SMTP_TIMEOUT": "10"}
    done = _start(["-m", "lianxin.runner", "notify"], **env)
    last = done.stderr.strip().splitlines()[-1]
    assert done.returncode != 0 and "LX_DELIVERY_CLAIM_SECONDS (10)" in last, done.stderr


def test_the_demo_county_loads_only_in_the_demo():
    done = _start(
        ["-m", "lianxin.demo", "--if-empty"],
        LX_SECRET_KEY=GOOD,
        LX_CITIZEN_KEY_SECRET=GOOD,
        LX_ADMIN_PASSWORD="a-long-admin-pass",
    )
    assert done.returncode != 0 and "refusing to load the demo county" in done.stderr


def test_a_sealed_code_opens_only_with_its_key_and_case():
    sealed = seal("ABCD2345", GOOD, "LX-1")
    assert "ABCD2345" not in sealed
    assert unseal(sealed, GOOD, "LX-1") == "ABCD2345"
    assert unseal(sealed, GOOD, "LX-2") is None
    assert unseal(sealed, "x" * 40, "LX-1") is None
    assert unseal(sealed[:-2] + ("00" if sealed[-2:] != "00" else "11"), GOOD, "LX-1") is None
    assert unseal("plain", GOOD, "LX-1") is None


def test_a_stored_message_gets_the_code_only_when_sent():
    content = {"subject": "s", "text": f"查询码：{CODE_PLACEHOLDER}"}
    assert with_code(content, "ABCD2345")["text"] == "查询码：ABCD2345"
    assert with_code(content, "")["text"] == "查询码："


@pytest.mark.parametrize(
    "change, problem",
    [
        ({}, None),
        ({"active": False}, "deactivated"),
        ({"token_version": 3}, "issued before a change"),
        ({"role": "dispatcher"}, "role has changed"),
        ({"unit": "other"}, "role has changed"),
        ({"revoked": ["j1"]}, "signed out"),
    ],
)
def test_a_token_stands_only_while_its_account_does(change, problem):
    found = token_problem(CLAIMS, {**ACCOUNT, **change})
    assert (found is None) if problem is None else (problem in found)
    assert "does not exist" in token_problem(CLAIMS, None)
    assert "older kind" in token_problem({**CLAIMS, "jti": None}, ACCOUNT)


def test_json_nesting_is_measured_without_recursion():
    deep = []
    for _ in range(100_000):
        deep = [deep]
    assert json_depth(deep, 20)
    assert not json_depth({"a": [1, {"b": 2}]}, 3)
    assert json_depth({"a": [1, {"b": [3]}]}, 3)


def test_a_lone_surrogate_anywhere_in_a_body_is_refused_as_not_text():
    assert not_text({"title": "路灯\ud83d"}) and not_text({"a\udc00": 1})
    assert not_text({"a": [1, {"b": ["ok", "\ud9f9"]}]})
    assert not not_text({"title": "路灯不亮 😀", "n": 3, "list": [None, True]})


def test_the_gateway_answers_a_lone_surrogate_with_400_not_500():
    from gateway.app import create_app

    client = create_app({"AMQP_URI": "memory://", "MONGO_URI": "mongodb://127.0.0.1:1/"})
    r = client.test_client().post(
        "/api/v1/cases",
        data='{"kind": "complaint", "title": "\\ud9f9"}',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_request"


def test_an_admin_item_whose_field_names_no_store_keeps_is_refused():
    from marshmallow import ValidationError

    from lianxin.admin_schemas import UnitSchema

    unit = {"id": "u1", "name": "县某局", "kind": "department"}
    for bad in ({"a.b": 1}, {"$where": 1}, {"deep": [{"k\x00": 1}]}, {"n": [[1], []]}):
        with pytest.raises(ValidationError):
            UnitSchema().load({**unit, **bad})
    assert UnitSchema().load({**unit, "note": {"ok": 1}})["note"] == {"ok": 1}
