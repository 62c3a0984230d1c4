"""An attacker's checklist (docs/security.md), each attack a test, against the running system:
the gateway under gunicorn and every service a process, on the real broker and store."""

import base64
import json
import sys
import time
import uuid
from datetime import datetime, timezone

import jwt
import pytest
import requests
from nameko.testing.utils import find_free_port

from tests.helpers import wait_for

pytestmark = pytest.mark.e2e

OLD_DEFAULT_SECRET = "lianxin-local-development-secret-change-me"
# Markers that must never reach a unit: the whistle-blower's name, phone and e-mail.
WB = {"name": "举报人甲乙丙", "phone": "13900001111", "email": "whistle-9f3@example.com"}
REPORT = {
    "kind": "report",
    "topic": "environment",
    "title": "企业偷排举报",
    "content": "某化工厂夜间通过暗管向河道偷排废水。",
    "location": {},
    "citizen": WB,
    "public_consent": False,
}
COMPLAINT = {
    "kind": "complaint",
    "topic": "environment",
    "title": "河道异味",
    "content": "河道每天傍晚有刺鼻气味。",
    "location": {},
    "citizen": {"name": "王五", "email": "wang5@example.com"},
    "public_consent": False,
}


def _claims(sub="admin", role="admin", **extra):
    now = int(time.time())
    return {
        "sub": sub,
        "role": role,
        "unit": None,
        "leader": None,
        "name": sub,
        "ver": 0,
        "jti": uuid.uuid4().hex[:16],
        "iat": now,
        "exp": now + 3600,
        **extra,
    }


def _status(county, token, path="/users"):
    return requests.get(
        f"{county.url}/api/v1{path}", timeout=10, headers={"Authorization": f"Bearer {token}"}
    ).status_code


def _submit(county, body):
    r = requests.post(f"{county.url}/api/v1/cases", json=body, timeout=30)
    assert r.status_code == 201, r.text
    return r.json()


def _assigned(county, case_id):
    return wait_for(
        lambda: county.db.cases.find_one({"_id": case_id, "status": "assigned"}), timeout=30
    )


def test_forged_token_signed_with_the_old_published_secret_is_refused(county):
    token = jwt.encode(_claims(), OLD_DEFAULT_SECRET, algorithm="HS256")
    assert _status(county, token) == 401


def test_forged_token_with_alg_none_is_refused(county):
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(_claims()).encode()).rstrip(b"=").decode()
    assert _status(county, f"{header}.{body}.") == 401


def test_forged_token_signed_with_another_key_is_refused(county):
    assert _status(county, jwt.encode(_claims(), "x" * 64, algorithm="HS256")) == 401
    assert _status(county, jwt.encode(_claims(), "x" * 64, algorithm="HS512")) == 401


def test_token_for_a_user_who_does_not_exist_is_refused(county):
    # Even with the right secret (an insider's leak): no account stands behind it.
    import os

    token = jwt.encode(_claims(sub="ghost"), os.environ["LX_SECRET_KEY"], algorithm="HS256")
    assert _status(county, token) == 401


def test_expired_token_is_refused(county):
    import os

    past = int(time.time()) - 7200
    token = jwt.encode(
        _claims(iat=past, exp=past + 60), os.environ["LX_SECRET_KEY"], algorithm="HS256"
    )
    assert _status(county, token) == 401


def _new_user(county, role="clerk", unit="mass_work_office", password="attack-test-pass-1"):
    username = f"u{uuid.uuid4().hex[:8]}"
    r = county.api.post(
        "/users",
        {"username": username, "role": role, "unit": unit, "name": username, "password": password},
        "admin",
    )
    assert r.status_code == 201, r.text
    r = requests.post(
        f"{county.url}/api/v1/auth/token",
        timeout=10,
        json={"username": username, "password": password},
    )
    assert r.status_code == 200, r.text
    return username, r.json()["access_token"]


def test_token_of_a_deleted_user_is_refused_at_once(county):
    username, token = _new_user(county)
    assert _status(county, token, "/cases") == 200
    assert county.api.delete(f"/users/{username}", "admin").status_code == 204
    assert _status(county, token, "/cases") == 401


def test_token_of_a_deactivated_user_and_after_a_role_change_is_refused(county):
    username, token = _new_user(county)
    user = county.api.get(f"/users/{username}", "admin").json()
    body = {k: user[k] for k in ("role", "unit", "name")}
    assert (
        county.api.put(f"/users/{username}", {**body, "active": False}, "admin").status_code == 200
    )
    assert _status(county, token, "/cases") == 401
    other, token2 = _new_user(county)
    assert (
        county.api.put(
            f"/users/{other}", {**body, "name": other, "role": "dispatcher"}, "admin"
        ).status_code
        == 200
    )
    assert _status(county, token2, "/cases") == 401


def test_sign_out_revokes_the_token_and_a_password_change_the_older_ones(county):
    username, token = _new_user(county)
    r = requests.post(
        f"{county.url}/api/v1/auth/token",
        timeout=10,
        json={"username": username, "password": "attack-test-pass-1"},
    )
    second = r.json()["access_token"]
    r = requests.post(
        f"{county.url}/api/v1/auth/logout", timeout=10, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 204
    assert _status(county, token, "/cases") == 401
    assert _status(county, second, "/cases") == 200  # another session stays signed in
    r = requests.post(
        f"{county.url}/api/v1/auth/password",
        timeout=10,
        headers={"Authorization": f"Bearer {second}"},
        json={"current_password": "attack-test-pass-1", "new_password": "another-long-password"},
    )
    assert r.status_code == 200, r.text
    assert _status(county, second, "/cases") == 401
    assert _status(county, r.json()["access_token"], "/cases") == 200


def test_the_first_admin_must_change_the_password_before_anything_else(county):
    from lianxin.clock import utcnow
    from services.accounts import accounts

    county.db.users.update_one({"role": "admin"}, {"$set": {"role": "admin_demo"}})
    try:
        assert accounts.ensure_admin(county.db, "root", "first-admin-password", utcnow())
    finally:
        county.db.users.update_one({"role": "admin_demo"}, {"$set": {"role": "admin"}})
    r = requests.post(
        f"{county.url}/api/v1/auth/token",
        timeout=10,
        json={"username": "root", "password": "first-admin-password"},
    )
    assert r.status_code == 200 and r.json()["must_change_password"] is True
    token = r.json()["access_token"]
    r = requests.get(
        f"{county.url}/api/v1/users", timeout=10, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "password_change_required"
    r = requests.post(
        f"{county.url}/api/v1/auth/password",
        timeout=10,
        headers={"Authorization": f"Bearer {token}"},
        json={"current_password": "first-admin-password", "new_password": "first-admin-password"},
    )
    assert r.status_code == 422  # not the same one again
    r = requests.post(
        f"{county.url}/api/v1/auth/password",
        timeout=10,
        headers={"Authorization": f"Bearer {token}"},
        json={
            "current_password": "first-admin-password",
            "new_password": "the-admins-own-password",
        },
    )
    assert r.status_code == 200 and r.json()["must_change_password"] is False
    assert _status(county, r.json()["access_token"], "/users") == 200


def test_unit_staff_cannot_read_or_act_on_another_units_case(county):
    case_id = _submit(county, COMPLAINT)["id"]
    case = _assigned(county, case_id)
    assert case["assignment"]["lead_unit"] == "environment_bureau"
    assert county.api.get(f"/cases/{case_id}", "housing_handler").status_code == 404
    r = county.api.post(f"/cases/{case_id}/claim", {}, "housing_handler")
    assert r.status_code == 404
    listed = county.api.get("/cases", "housing_handler").json()["items"]
    assert case_id not in {c["id"] for c in listed}


def test_a_handler_cannot_act_as_a_unit_leader(county):
    case_id = _submit(county, COMPLAINT)["id"]
    _assigned(county, case_id)
    county.api.act(case_id, "claim", "env_handler")
    county.api.act(
        case_id, "reply", "env_handler", {"outcome": "resolved", "opinion": "已责令整改。"}
    )
    r = county.api.post(f"/cases/{case_id}/reply/sign", {}, "env_handler")
    assert r.status_code == 403


def test_a_whistle_blowers_identity_reaches_no_unit(county):
    from tests.conftest import HttpRecorder

    hook = HttpRecorder()  # the environment bureau's own system, subscribed to its events
    try:
        r = county.api.post(
            "/webhooks",
            {
                "id": "env-wb",
                "url": hook.url,
                "event_types": ["case.*"],
                "units": ["environment_bureau"],
                "secret": "env-wb-secret-000001",
            },
            "admin",
        )
        assert r.status_code == 201, r.text
        receipt = _submit(county, REPORT)
        case_id = receipt["id"]
        _assigned(county, case_id)
        county.api.act(case_id, "claim", "env_handler")
        wait_for(
            lambda: [
                q
                for q in hook.requests
                if q["body"]["case_id"] == case_id and q["body"]["type"] == "case.claimed"
            ],
            timeout=30,
        )
        seen = [
            county.api.get(f"/cases/{case_id}", "env_handler"),
            county.api.get("/cases", "env_handler"),
            county.api.get(f"/cases/{case_id}/deliveries", "env_handler"),
            county.api.get("/events?after=0&limit=500", "env_handler"),
        ]
        assert all(r.status_code == 200 for r in seen), [r.text for r in seen]
        assert case_id in seen[0].text and case_id in seen[3].text
        text = "".join(r.text for r in seen) + "".join(
            q["raw"].decode() if isinstance(q["raw"], bytes) else q["raw"] for q in hook.requests
        )
        for marker in WB.values():
            assert marker not in text
    finally:
        county.api.delete("/webhooks/env-wb", "admin")
        hook.close()
    # the office's exports are not a unit's to read at all
    for path in (
        "/reports/bulletin?quarter=2026Q4&format=csv",
        "/reports/bulletin?quarter=2026Q4&format=pdf",
        "/stats?from=2026-01-01&to=2026-12-31",
        "/reports/digest",
    ):
        assert county.api.get(path, "env_handler").status_code == 403, path
    # and the office, who must protect the citizen, does see who it is
    assert WB["phone"] in county.api.get(f"/cases/{case_id}", "supervisor").text


def test_guessing_access_codes_past_the_limit_is_refused_across_two_gateways(county):
    import subprocess

    from tests.e2e.conftest import ROOT, _die_with_parent

    case_id = _submit(county, COMPLAINT)["id"]
    port = find_free_port()
    env = {**county.env, "LX_TRACKING_RATE_PER_MINUTE": "20"}
    second = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--bind",
            f"127.0.0.1:{port}",
            "gateway.wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_parent,
    )
    third_url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _up(third_url), timeout=30)
        # Two gunicorn processes on port `port` plus the county's gateway at 300 a minute:
        # the shared count stops the guesses at 20 in all, whichever process answers.
        while datetime.now(timezone.utc).second > 50:  # one minute's window for the test
            time.sleep(1)
        codes = []
        for i in range(40):
            r = requests.get(
                f"{third_url}/api/v1/cases/{case_id}", params={"code": f"GUESS{i:03d}"}, timeout=10
            )
            codes.append(r.status_code)
        assert codes.count(404) == 20 and codes.count(429) == 20, codes
        assert codes[:20] == [404] * 20
    finally:
        second.kill()
        second.wait()


def _up(url):
    try:
        return requests.get(f"{url}/healthz", timeout=1).ok
    except requests.RequestException:
        return False


def test_oversized_and_deeply_nested_bodies_are_refused_not_crashed(county):
    big = {**COMPLAINT, "content": "x" * (2 * 1024 * 1024)}
    r = requests.post(f"{county.url}/api/v1/cases", json=big, timeout=30)
    assert r.status_code == 413 and r.json()["error"]["code"]
    deep = "[" * 100_000 + "]" * 100_000
    r = requests.post(
        f"{county.url}/api/v1/cases",
        data=deep,
        timeout=30,
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400 and "error" in r.json()
    nested = {"a": 1}
    for _ in range(50):
        nested = {"a": nested}
    r = requests.post(
        f"{county.url}/api/v1/cases", json={**COMPLAINT, "location": nested}, timeout=30
    )
    assert r.status_code == 400 and r.json()["error"]["details"]["max_depth"] == 20


def test_nosql_operator_injection_finds_nothing(county):
    r = requests.post(
        f"{county.url}/api/v1/auth/token",
        timeout=10,
        json={"username": {"$ne": ""}, "password": {"$ne": ""}},
    )
    assert r.status_code == 422
    case_id = _submit(county, COMPLAINT)["id"]
    for params in ({"code[$ne]": "x"}, {"code": '{"$ne": ""}'}, {"code": "$ne"}):
        r = requests.get(f"{county.url}/api/v1/cases/{case_id}", params=params, timeout=10)
        assert r.status_code == 404, (params, r.text)
    for params in ({"unit": '{"$ne": null}'}, {"status[$ne]": "closed"}, {"unit": "$where"}):
        r = county.api.get("/cases", "env_handler", params=params)
        assert r.status_code in (200, 422), r.text
        if r.status_code == 200:
            assert all(
                c.get("lead_unit", "environment_bureau") == "environment_bureau"
                for c in r.json()["items"]
            ), r.text
    r = county.api.post(f"/cases/{case_id}/claim", {"$set": {"status": "closed"}}, "env_handler")
    assert r.status_code in (400, 409, 422)
    assert county.db.cases.find_one({"_id": case_id})["status"] != "closed"


def test_path_traversal_serves_nothing_outside_the_static_folders(county):
    for path in (
        "/api/docs/static/../../../../etc/passwd",
        "/api/docs/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/api/docs/static/%2e%2e/%2e%2e/lianxin/settings.py",
        "/open311/v2/requests/..%2f..%2fetc%2fpasswd.json",
    ):
        r = requests.get(f"{county.url}{path}", timeout=10)
        # 400/404, or the web console's own page for a path it routes on the client
        console = r.status_code in (200, 503) and r.headers["Content-Type"].startswith("text/html")
        assert r.status_code in (400, 404) or console, (path, r.status_code)
        assert "root:" not in r.text and "SECRET_KEY" not in r.text


def test_answers_carry_strict_headers_and_no_stack_traces(county):
    r = requests.get(
        f"{county.url}/api/v1/topics", timeout=10, headers={"Origin": "https://evil.example"}
    )
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "Access-Control-Allow-Origin" not in r.headers
    r = requests.options(
        f"{county.url}/api/v1/cases",
        timeout=10,
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert r.status_code == 403 and "Access-Control-Allow-Origin" not in r.headers
    r = requests.options(
        f"{county.url}/api/v1/cases",
        timeout=10,
        headers={"Origin": county.url, "Access-Control-Request-Method": "POST"},
    )
    assert r.status_code == 204 and r.headers["Access-Control-Allow-Origin"] == county.url
    page = requests.get(f"{county.url}/api/docs", timeout=10)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "<script>" not in page.text  # no inline script for the CSP to allow
    for r in (
        requests.post(
            f"{county.url}/api/v1/cases",
            data="{",
            timeout=10,
            headers={"Content-Type": "application/json"},
        ),
        requests.get(
            f"{county.url}/api/v1/cases?limit=-1", timeout=10, headers={"Authorization": "Bearer x"}
        ),
        requests.get(f"{county.url}/api/v1/nowhere", timeout=10),
    ):
        assert r.headers["Content-Type"].startswith("application/json")
        assert "Traceback" not in r.text and 'File "' not in r.text
