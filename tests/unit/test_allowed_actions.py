"""`allowed_actions` against what the actions really accept: over every state × staff role ×
case shape, each endpoint is run through the real gateway role check and the real service
use case (routing, handling, intake) on an in-memory case, with only the final write
replaced; an endpoint is listed exactly when that run is accepted."""

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from gateway.cases_api import ACTIONS
from lianxin import allowed, cases, workflow
from lianxin.errors import Forbidden, NotFound, WrongState
from services.handling import handlers as handling
from services.intake import dispatch
from services.routing import handlers as routing

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=timezone.utc)  # a Wednesday, 14:00 in Shanghai

BODIES = {
    "assign": {"lead_unit": "U3", "co_units": []},
    "claim": {},
    "return": {"reason": "not ours"},
    "return/decision": {"accept": False, "comment": "it is yours"},
    "not-accept": {"reason": "in litigation"},
    "input": {"opinion": "agreed"},
    "progress": {"note": "visited the site"},
    "extension": {"days": 5, "reason": "needs an expert"},
    "extension/decision": {"approve": False},
    "reply": {"outcome": "resolved", "opinion": "fixed"},
    "reply/sign": {"outcome": "resolved", "opinion": "fixed", "override_reason": "urgent"},
    "review": {"approve": True},
    "visit": {"method": "phone", "satisfaction": "satisfied"},
    "instruction": {"text": "handle it this week"},
    "merge": {"primary_id": "P1"},
    "unmerge": {},
    "appeal": {"reason": "the citizen asked for something unlawful"},
    "appeal/decision": {"uphold": True},
}

ACTORS = [
    {"username": "clerk1", "role": "clerk"},
    {"username": "disp1", "role": "dispatcher"},
    {"username": "h1", "role": "handler", "unit": "U1"},
    {"username": "h2", "role": "handler", "unit": "U2"},
    {"username": "h3", "role": "handler", "unit": "U3"},
    {"username": "ul1", "role": "unit_leader", "unit": "U1"},
    {"username": "ul2", "role": "unit_leader", "unit": "U2"},
    {"username": "sup1", "role": "supervisor"},
    {"username": "lead1", "role": "leader", "leader": "L1"},
    {"username": "admin", "role": "admin"},
]


def _assignment(assigned_at):
    return {
        "lead_unit": "U1",
        "co_units": ["U2"],
        "leader": None,
        "assigned_at": assigned_at,
        "claimed_at": None,
        "due_at": assigned_at + timedelta(days=15),
        "extended_to": None,
        "clock_started_at": assigned_at,
        "yellow_at": assigned_at + timedelta(days=12),
        "co_due_at": None,
    }


SIGNED = {
    "outcome": "resolved",
    "opinion": "fixed",
    "handler": "h1",
    "drafted_at": NOW,
    "signed_by": "ul1",
    "signed_at": NOW,
    "delivered_at": None,
}
SHAPES = {
    "fresh": {},
    "unassigned": {"assignment": None},
    "queued_after_return": {
        "assignment": {
            "lead_unit": None,
            "co_units": [],
            "leader": None,
            "assigned_at": None,
            "due_at": None,
        }
    },
    "claim_window_passed": {"assignment": _assignment(NOW - timedelta(days=10))},
    "drafted": {"reply": {**SIGNED, "signed_by": None, "signed_at": None}},
    "signed": {"reply": SIGNED},
    "extension_pending": {"extension": {"days": 5, "reason": "r", "status": "pending"}},
    "extension_used": {"extension": {"days": 5, "reason": "r", "status": "approved"}},
    "co_input_given": {"co_inputs": {"U2": {"opinion": "ok"}}},
    "dissatisfied": {"reply": SIGNED, "return_visit": {"satisfaction": "dissatisfied"}},
    "appeal_pending": {
        "reply": SIGNED,
        "return_visit": {"satisfaction": "dissatisfied"},
        "appeal": {"reason": "r", "status": "pending"},
    },
    "satisfied": {"reply": SIGNED, "return_visit": {"satisfaction": "satisfied"}},
}


def make_case(status, shape):
    case = {
        "_id": "C1",
        "status": status,
        "version": 3,
        "kind": "complaint",
        "topic": "environment",
        "channel": "web",
        "title": "河道污染",
        "content": "工厂排污",
        "urgency": "normal",
        "complexity": "general",
        "flags": [],
        "timeline": [],
        "assignment": _assignment(NOW - timedelta(hours=1)),
    }
    case.update(SHAPES[shape])
    if status in ("replied", "answered", "closed"):  # only a signed reply gets there
        case["reply"] = SIGNED
    return case


class Coll:
    def __init__(self, docs=()):
        self.docs = {d["_id"]: d for d in docs}

    def find_one(self, query, *a, **kw):
        return self.docs.get(query.get("_id")) if isinstance(query.get("_id"), str) else None

    def find(self, query=None, *a, **kw):
        ids = ((query or {}).get("_id") or {}).get("$in")
        return [d for k, d in self.docs.items() if ids is None or k in ids]

    def update_one(self, *a, **kw):
        return SimpleNamespace(modified_count=1)

    insert_one = update_one


def fake_db(case):
    primary = {**make_case("assigned", "fresh"), "_id": "P1"}
    return SimpleNamespace(
        cases=Coll([case, primary]),
        clocks=Coll(),
        deadline_policies=Coll(),
        units=Coll([{"_id": u, "name": u} for u in ("U1", "U2", "U3")]),
        leaders=Coll(),
        unrouted=Coll(),
    )


def fake_call(service, method, case_id, seq, facts, started_at):
    return {
        "due_at": "2026-12-10T06:00:00Z",
        "co_due_at": "2026-12-03T06:00:00Z",
        "policy": "default",
        "duration": {"working_days": 15},
    }


def accepted(endpoint, case, actor):
    """Post `endpoint` as the gateway does: role check, then the owning service's use case."""
    service, check, action, _schema, _summary = ACTIONS[endpoint]
    db, body = fake_db(case), BODIES[endpoint]
    try:
        workflow.check_role(check, actor["role"])
        table = {
            "routing": routing.ACTIONS,
            "handling": handling.ACTIONS,
            "intake": dispatch.ACTIONS,
        }[service]
        table[action](cases.Deps(db, None, NOW, fake_call), action, "C1", actor, body)
    except (Forbidden, NotFound, WrongState):
        return False
    return True


@pytest.fixture(autouse=True)
def no_write(monkeypatch):
    """Everything up to the compare-and-set write runs for real; the write returns the case."""
    monkeypatch.setattr(cases, "apply", lambda db, publisher, now, case, *rest: case)


def test_the_endpoint_table_covers_every_gateway_action():
    assert set(allowed.ENDPOINTS) == set(ACTIONS)
    for endpoint, (_s, check, _a, _schema, _summary) in ACTIONS.items():
        assert check in allowed.ENDPOINTS[endpoint]


@pytest.mark.parametrize("status", workflow.STATES)
def test_allowed_actions_are_exactly_those_the_services_accept(status):
    checked = 0
    for shape in SHAPES:
        for actor in ACTORS:
            case = make_case(status, shape)
            listed = allowed.allowed_actions(case, actor, NOW)
            really = [e for e in allowed.ENDPOINTS if accepted(e, make_case(status, shape), actor)]
            assert listed == really, (status, shape, actor["username"])
            checked += len(really)
    assert status in ("merged", "not_accepted") or checked > 0


def test_a_unit_sees_its_own_work_and_nothing_of_others():
    case = make_case("assigned", "fresh")
    lead = {"username": "h1", "role": "handler", "unit": "U1"}
    co = {"username": "h2", "role": "handler", "unit": "U2"}
    other = {"username": "h3", "role": "handler", "unit": "U3"}
    assert allowed.allowed_actions(case, lead, NOW) == ["claim", "return"]
    assert allowed.allowed_actions(case, co, NOW) == ["input"]
    assert allowed.allowed_actions(case, other, NOW) == []


def test_the_return_is_offered_only_within_the_claim_window():
    lead = {"username": "h1", "role": "handler", "unit": "U1"}
    assert "return" not in allowed.allowed_actions(
        make_case("assigned", "claim_window_passed"), lead, NOW
    )


def test_the_staff_view_carries_the_allowed_actions():
    view = cases.staff_view(
        make_case("replied", "signed"), {"username": "sup1", "role": "supervisor"}, NOW
    )
    assert view["allowed_actions"] == ["review"]
