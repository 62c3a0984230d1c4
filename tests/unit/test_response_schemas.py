"""The response schemas are true of the case at every stage of its life: a case born by intake's
rule is handled by the handling rules on the case store's in-memory twin (claim, co-input,
extension, a rejected and an approved reply, a reopening, a final dissatisfied closing, an
appeal, an instruction), and after each step the staff view is checked against the documented
answer of an action and the citizen's view against the tracking answer — as schemathesis
checks a live response. No broker, no store."""

import json
from datetime import timedelta

import pytest
import requests
import schemathesis
from schemathesis.core.transport import Response

from gateway.app import create_app
from lianxin import cases
from lianxin.casestore import MemoryCaseStore
from services.handling import rules as handling
from services.intake import domain
from services.reading import queries
from tests.unit.test_handling import (
    CO_HANDLER,
    HANDLER,
    LEADER,
    SUPERVISOR,
    T0,
    Publisher,
)

CLERK = {"username": "k", "role": "clerk", "unit": "office", "name": "k"}
MAGISTRATE = {"username": "m", "role": "leader", "unit": None, "leader": "li", "name": "m"}
CASE_ID = "LX-20261123-000001"


@pytest.fixture(scope="module")
def document():
    app = create_app({"AMQP_URI": "memory://", "MONGO_URI": "mongodb://127.0.0.1:1/"})
    return schemathesis.openapi.from_dict(app.test_client().get("/api/v1/openapi.json").get_json())


def conforms(document, method, path, body, status=200):
    request = requests.Request(method, f"http://lianxin.test{path}").prepare()
    response = Response(
        status_code=status,
        headers={"content-type": ["application/json"]},
        content=json.dumps(body).encode(),
        request=request,
        elapsed=0.0,
        verify=True,
    )
    document.find_operation_by_path(method, path).validate_response(response)


def a_new_case(kind="complaint", actor=domain.CITIZEN, **submission):
    case = domain.new_case(
        CASE_ID,
        {
            "channel": "web",
            "kind": kind,
            "topic": "environment",
            "title": "化工厂排污",
            "content": "河边化工厂夜间排放污水。",
            "location": {"town": "chengguan", "address": "河边路 1 号"},
            "citizen": {"name": "赵六", "phone": "13900001111", "anonymous": False},
            **submission,
        },
        "123456",
        T0,
        actor=actor,
    )
    return {**case, "citizen_keys": ["key-1"]}


def routed(case):
    """As routing leaves it: a lead unit, a co-unit, the clock started."""
    due = T0 + timedelta(days=7)
    return {
        **case,
        "status": "assigned",
        "assignment_count": 1,
        "assignment": {
            "lead_unit": "env",
            "co_units": ["water"],
            "leader": "li",
            "assigned_at": T0,
            "claimed_at": None,
            "due_at": due,
            "extended_to": None,
            "clock_started_at": T0,
            "yellow_at": cases.yellow_at(T0, due),
            "co_due_at": T0 + timedelta(days=3),
        },
        "routing": {"queued": False, "at": T0, "fired": ["topic"], "reasons": ["环保"]},
    }


def test_the_views_of_a_case_at_every_stage_are_what_the_document_says(document):
    store, publisher = MemoryCaseStore([a_new_case()]), Publisher()
    stages = []

    def check(case, now):
        for actor in (SUPERVISOR, HANDLER):
            conforms(
                document,
                "POST",
                f"/api/v1/cases/{CASE_ID}/claim",
                cases.staff_view(case, actor, now),
            )
        conforms(document, "GET", f"/api/v1/cases/{CASE_ID}", cases.public_view(case, now))
        row = queries.summary(case, now)
        conforms(document, "GET", "/api/v1/cases", {"items": [row], "next_cursor": None})
        stages.append(case["status"])

    def step(action, actor, rule, body=None, days=0, **kw):
        now = T0 + timedelta(days=days, hours=1)
        case = cases.act(
            store,
            publisher,
            now,
            CASE_ID,
            actor,
            action,
            lambda c: rule(c, actor, body or {}, now, **kw),
        )
        check(case, now)
        return case

    def visit(satisfaction, days):
        def rule(c, actor, body, now):
            action, change, _ = handling.return_visit(c, actor, body, now, 1)
            return action, change

        return step(
            "close", SUPERVISOR, rule, {"method": "phone", "satisfaction": satisfaction}, days
        )

    def answer(days):
        reply = {"outcome": "resolved", "opinion": "已责令停产整改"}
        step("draft_reply", HANDLER, handling.draft_reply, reply, days)
        step("sign_reply", LEADER, handling.sign_reply, {}, days)
        return step("approve_reply", SUPERVISOR, handling.review, {"approve": True}, days)

    check(store.get(CASE_ID), T0)  # received, before routing
    store.cases[CASE_ID] = routed(store.get(CASE_ID))
    check(store.get(CASE_ID), T0 + timedelta(days=6))  # yellow
    check(store.get(CASE_ID), T0 + timedelta(days=8))  # overdue
    step("claim", HANDLER, handling.claim)
    step("progress", HANDLER, handling.progress, {"note": "已现场检查"})
    step("co_input", CO_HANDLER, handling.co_input, {"opinion": "水务局配合监测"})
    step("request_extension", HANDLER, handling.request_extension, {"days": 5, "reason": "待检测"})
    step("decide_extension", SUPERVISOR, handling.decide_extension, {"approve": True})
    step("draft_reply", HANDLER, handling.draft_reply, {"outcome": "explained", "opinion": "x"})
    step("sign_reply", LEADER, handling.sign_reply, {}, 1)
    step("approve_reply", SUPERVISOR, handling.review, {"approve": False, "comment": "再查"}, 1)
    answer(2)
    assert visit("dissatisfied", 3)["status"] == "in_progress"  # reopened
    answer(4)
    closed = visit("dissatisfied", 5)
    assert closed["final_dissatisfied"] is True
    step("appeal", LEADER, handling.appeal, {"reason": "已按政策办理"}, 6)
    step("decide_appeal", SUPERVISOR, handling.decide_appeal, {"uphold": True}, 7)
    step("instruct", MAGISTRATE, handling.instruct, {"text": "请督查室跟踪"}, 8)
    assert stages[-1] == "closed" and "answered" in stages and "replied" in stages


def test_a_case_answered_on_the_spot_and_a_report_seen_by_a_unit_fit_the_document(document):
    born = a_new_case(kind="consultation", actor=CLERK, channel="hotline")
    direct = domain.direct_answer(
        born, {"outcome": "explained", "opinion": "已当场解释"}, CLERK, T0
    )
    conforms(
        document, "POST", f"/api/v1/cases/{CASE_ID}/claim", cases.staff_view(direct, CLERK, T0)
    )
    conforms(document, "GET", f"/api/v1/cases/{CASE_ID}", cases.public_view(direct, T0))
    report = routed(a_new_case(kind="report"))
    withheld = cases.staff_view(report, HANDLER, T0)
    assert withheld["citizen"] == {"withheld": True}
    conforms(document, "POST", f"/api/v1/cases/{CASE_ID}/claim", withheld)


def test_a_body_that_breaks_the_document_is_caught(document):
    """The check above can fail: a staff view without its allowed actions does not pass."""
    view = cases.staff_view(routed(a_new_case()), SUPERVISOR, T0)
    del view["allowed_actions"]
    with pytest.raises(Exception, match="allowed_actions"):
        conforms(document, "POST", f"/api/v1/cases/{CASE_ID}/claim", view)
