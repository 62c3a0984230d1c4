"""Property-based fuzzing of the whole HTTP API from its OpenAPI document (schemathesis), with
every service a process: every operation, with data that fits the schema and data that does
not, each request sent without a token, as the admin and as a unit's handler; a fixed number
of examples per operation and mode, derandomized, so CI stays fast and repeatable.

Checks on every response: no 5xx, the documented schema and content type where the status is
documented, and under /api/v1 every error in the contract's error shape {"error": {code, message,
details}}. (Driven through hypothesis directly: schemathesis's pytest plugin does not run
under pytest 9.)"""

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

pytestmark = pytest.mark.e2e
EXAMPLES = 10
USERS = (None, "admin", "env_handler")


def spec_error_shape(ctx, response, case):
    """Every 4xx/5xx of /api/v1 is {"error": {"code", "message", "details"}}."""
    if response.status_code >= 400 and case.path.startswith("/api/v1"):
        body = response.json()
        assert isinstance(body, dict) and set(body) == {"error"}, body
        assert {"code", "message", "details"} <= set(body["error"]), body
        assert isinstance(body["error"]["code"], str) and body["error"]["code"], body


CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    spec_error_shape,
]


def signed_in(county):
    """Fresh tokens for the callers (the fuzzed sign-in may have used up the address's
    sign-in rate for this minute: wait for the next)."""
    county.api.tokens.clear()
    for _ in range(15):
        try:
            return {user: county.api.headers(user) if user else {} for user in USERS}
        except AssertionError:
            time.sleep(5)
    return {user: county.api.headers(user) if user else {} for user in USERS}


@pytest.mark.timeout(1200)  # 3 000 requests; several minutes on a loaded machine
def test_no_operation_fails_or_breaks_its_contract(county):
    schema = schemathesis.openapi.from_url(f"{county.url}/api/v1/openapi.json")
    headers = signed_in(county)
    seen = {"operations": 0, "calls": 0, "statuses": {}, "no_negative": 0}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        seen["operations"] += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def fuzz(case):
                for user in USERS:
                    response = case.call(
                        base_url=county.url, headers={**(case.headers or {}), **headers[user]}
                    )
                    seen["calls"] += 1
                    seen["statuses"][response.status_code] = (
                        seen["statuses"].get(response.status_code, 0) + 1
                    )
                    case.validate_response(response, checks=CHECKS)

            try:
                fuzz()
            except Unsatisfiable:  # e.g. no value of a free-text path parameter is invalid
                seen["no_negative"] += 1
            except (Exception, BaseExceptionGroup) as exc:  # keep going: report them all
                failures.append(f"{operation.label} ({mode.value}): {exc}"[:2000])
        if operation.path.startswith("/api/v1/auth/"):
            # Signing out revokes the token it is sent with: without new ones, every operation
            # after this one would be called as nobody and answer 401.
            headers = signed_in(county)
    print(
        f"\nfuzzing: {seen['operations']} operations x 2 modes x up to {EXAMPLES} examples "
        f"x {len(USERS)} callers = {seen['calls']} requests; statuses "
        f"{dict(sorted(seen['statuses'].items()))}; {seen['no_negative']} operations without "
        f"invalid inputs to make; {len(failures)} failing"
    )
    assert seen["operations"] >= 45
    assert seen["statuses"].get(401, 0) < seen["calls"] / 2, "most calls were not signed in"
    assert not failures, "\n\n".join(failures)
