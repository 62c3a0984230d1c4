"""The API document is good enough for a well-known generator: openapi-python-client makes a
Python client from the served `/api/v1/openapi.json` (into tmp_path), and a case goes from the
citizen's submission to the citizen's rating through that client alone, with staff reading
the lists and reports on the way. Every response is also checked against the document
(schemathesis), so the response schemas are true of real bodies at every stage of a case,
not only of the bodies the fuzzing happens to reach (tests/e2e/test_fuzz.py)."""

import datetime
import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import schemathesis

from tests.helpers import wait_for

pytestmark = pytest.mark.e2e
GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "lianxin_client"
# An attachment and its thumbnail are bytes of the sniffed type; the generator reads bytes only
# from `application/octet-stream` unless told (its `content_type_overrides`).
BINARY = ("image/jpeg", "image/png", "image/webp", "application/pdf")


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if isinstance(operation, dict):
                yield method, path, operation


@pytest.fixture(scope="module")
def document(county):
    return requests.get(f"{county.url}/api/v1/openapi.json", timeout=10).json()


@pytest.fixture(scope="module")
def generated(document, tmp_path_factory):
    """The generated package, imported, and what the generator said."""
    root = tmp_path_factory.mktemp("client")
    (root / "openapi.json").write_text(json.dumps(document), encoding="utf-8")
    overrides = {"content_type_overrides": dict.fromkeys(BINARY, "application/octet-stream")}
    (root / "config.json").write_text(json.dumps(overrides), encoding="utf-8")
    run = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(root / "openapi.json"),
            "--output-path",
            str(root / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(root / "config.json"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    sys.path.insert(0, str(root))
    try:
        package = importlib.import_module(PACKAGE)
        modules = {
            info.name.rsplit(".", 1)[-1]: importlib.import_module(info.name)
            for info in pkgutil.walk_packages(package.__path__, f"{PACKAGE}.")
        }
        yield modules, run.stdout + run.stderr
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_the_generator_takes_every_operation_outside_admin(document, generated):
    modules, said = generated
    # Whatever the generator could not take, it names in a block of its own. The admin
    # collections' `/{name}` paths are being made concrete separately (gateway/admin_api.py).
    refused = [
        block
        for block in said.split("\n\n")
        if ("WARNING" in block or "Unable" in block or "Cannot" in block)
        and "within admin" not in block
    ]
    assert refused == [], "\n\n".join(refused)
    made = {
        name for name in modules if name.startswith(("get_", "post_", "put_", "patch_", "delete_"))
    }
    for method, path, operation in _operations(document):
        if "admin" in operation.get("tags", []):
            continue
        name = f"{method}_{path}".replace("/", "_").replace("-", "_")
        name = name.replace("{", "").replace("}", "").replace("__", "_")
        assert name in made, f"{method.upper()} {path} was not generated"


def test_a_case_from_submission_to_rating_through_the_generated_client(county, document, generated):
    modules, _ = generated
    m = modules
    schema = schemathesis.openapi.from_dict(document)
    checked = []

    def conforms(response):
        """Every answer the client gets is one the document describes."""
        response.read()
        operation = schema.find_operation_by_path(
            response.request.method, response.request.url.path
        )
        assert operation is not None, response.request.url
        operation.validate_response(response)
        checked.append(f"{response.request.method} {operation.path} {response.status_code}")

    def client(token=None):
        args = {
            "base_url": county.url,
            "raise_on_unexpected_status": True,
            "timeout": m["client"].httpx.Timeout(30),
            "httpx_args": {"event_hooks": {"response": [conforms]}},
        }
        if token is None:
            return m["client"].Client(**args)
        return m["client"].AuthenticatedClient(token=token, **args)

    def sign_in(username):
        answer = m["post_api_v1_auth_token"].sync(
            client=client(), body=m["login"].Login(username=username, password="demo-pass-1")
        )
        assert isinstance(answer, m["token"].Token), answer
        return client(answer.access_token)

    def act(who, action, body=None):
        module = m[f"post_api_v1_cases_case_id_{action}"]
        kwargs = {"body": body} if body is not None else {}
        answer = module.sync(case_id, client=who, **kwargs)
        assert isinstance(answer, m["staff_case"].StaffCase), answer
        return answer

    citizen = client()
    submission = m["case_submission"].CaseSubmission(
        kind=m["case_submission_kind"].CaseSubmissionKind.COMPLAINT,
        topic="environment",
        title="化工厂排污（生成的客户端）",
        content="河边化工厂夜间排放污水，气味刺鼻。",
        citizen=m["citizen"].Citizen(name="赵六", phone="13900001111"),
        public_consent=True,
    )
    receipt = m["post_api_v1_cases"].sync(client=citizen, body=submission)
    assert isinstance(receipt, m["submission_receipt"].SubmissionReceipt), receipt
    case_id, code = receipt.id, receipt.access_code

    def tracked():
        return m["get_api_v1_cases_case_id"].sync(case_id, client=citizen, code=code)

    public_case = m["public_case"].PublicCase
    assert isinstance(tracked(), public_case)
    wait_for(lambda: tracked().status.value == "assigned", timeout=30, interval=0.3)

    clerk = sign_in("clerk")
    staff_view = m["get_api_v1_cases_case_id"].sync(case_id, client=clerk)
    assert isinstance(staff_view, m["staff_case"].StaffCase), staff_view
    assert staff_view.assignment.lead_unit == "environment_bureau"
    assert staff_view.citizen.name == "赵六" and staff_view.reply is None

    handler, unit_leader, supervisor = (
        sign_in(u) for u in ("env_handler", "env_leader", "supervisor")
    )
    assert act(handler, "claim").status.value == "in_progress"
    reply = m["reply"].Reply(
        outcome=m["reply_outcome"].ReplyOutcome.RESOLVED, opinion="已责令停产整改"
    )
    drafted = act(handler, "reply", reply)
    assert drafted.reply.handler == "env_handler" and drafted.reply.signed_by is None
    signed = act(unit_leader, "reply_sign", m["sign"].Sign())
    assert signed.reply.signed_by == "env_leader"
    answered = act(supervisor, "review", m["decision"].Decision(approve=True))
    assert answered.status.value == "answered"

    seen = tracked()
    assert seen.status.value == "answered" and seen.answer.opinion == "已责令停产整改"
    rating = m["feedback"].Feedback(
        satisfaction=m["feedback_satisfaction"].FeedbackSatisfaction.SATISFIED
    )
    closed = m["post_api_v1_cases_case_id_feedback"].sync(
        case_id, client=citizen, body=rating, code=code
    )
    assert isinstance(closed, public_case) and closed.status.value == "closed"

    # What staff and the public read about it, each answer checked against the document.
    page = m["get_api_v1_cases"].sync(client=clerk, text="生成的客户端")
    assert [row.id for row in page.items] == [case_id] and page.next_cursor is None
    key = m["get_api_v1_cases_case_id"].sync(case_id, client=clerk).citizen_keys[0]
    history = m["get_api_v1_citizens_key_cases"].sync(key, client=clerk)
    assert case_id in [c.id for c in history.items]
    deliveries = m["get_api_v1_cases_case_id_deliveries"].sync(case_id, client=clerk)
    assert deliveries.items, "the citizen was told"
    assert m["get_api_v1_inbox"].sync(client=handler).items
    assert m["get_api_v1_events"].sync(client=clerk, limit=500).items
    now = datetime.datetime.now(datetime.timezone.utc)
    day = datetime.timedelta(days=1)
    stats = m["get_api_v1_stats"].sync(client=clerk, from_=now - day, to=now + day)
    assert stats.totals.closed >= 1
    assessed = m["get_api_v1_assessment"].sync(client=clerk, from_=now - day, to=now + day)
    assert "environment_bureau" in [u.unit for u in assessed.units]
    quarter = f"{now.year}Q{(now.month - 1) // 3 + 1}"
    assert m["get_api_v1_reports_bulletin"].sync(client=clerk, quarter=quarter).ranking
    assert m["get_api_v1_reports_digest"].sync(client=clerk).leaders
    assert m["get_api_v1_alerts"].sync(client=clerk).items is not None
    board = m["get_api_v1_public_cases"].sync(client=citizen)
    assert case_id in [c.id for c in board.items]
    assert m["get_api_v1_public_cases_case_id"].sync(case_id, client=citizen).answer.opinion
    assert m["get_api_v1_public_stats"].sync(client=citizen, quarter=quarter).units

    print(f"\ngenerated client: {len(checked)} responses checked against the document")
    assert len(checked) >= 25
