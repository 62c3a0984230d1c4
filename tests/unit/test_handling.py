"""The rules of handling a case (docs/contract.md §3/§5), each action run the way the service runs
it — role, scope, state, rule, compare-and-set, event — on the case store's in-memory twin: no
broker, no store, milliseconds."""

from datetime import datetime, timedelta, timezone

import pytest

from lianxin import cases
from lianxin.casestore import MemoryCaseStore
from lianxin.errors import Forbidden, NotFound, WrongState
from services.handling import rules as handling
from services.routing import handlers as routing

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 in Beijing
HANDLER = {"username": "h", "role": "handler", "unit": "env", "name": "h"}
OTHER_HANDLER = {"username": "o", "role": "handler", "unit": "housing", "name": "o"}
LEADER = {"username": "l", "role": "unit_leader", "unit": "env", "name": "l"}
CO_HANDLER = {"username": "c", "role": "handler", "unit": "water", "name": "c"}
SUPERVISOR = {"username": "s", "role": "supervisor", "unit": "office", "name": "s"}
CITIZEN = {"username": "citizen", "role": "citizen", "unit": None, "name": "citizen"}


class Publisher:
    def __init__(self):
        self.events = []

    def publish(self, event):
        self.events.append(event)


def a_case(status="assigned", **extra):
    return {
        "_id": "LX-20261123-000001",
        "version": 3,
        "status": status,
        "kind": "complaint",
        "topic": "environment",
        "flags": [],
        "timeline": [],
        "assignment": {
            "lead_unit": "env",
            "co_units": ["water"],
            "leader": "li",
            "assigned_at": T0,
            "clock_started_at": T0,
            "claimed_at": None,
            "due_at": T0 + timedelta(days=7),
            "extended_to": None,
        },
        **extra,
    }


class World:
    def __init__(self, case):
        self.store, self.publisher = MemoryCaseStore([case]), Publisher()
        self.id = case["_id"]

    def act(self, action, actor, rule, body=None, at=T0):
        return cases.act(
            self.store,
            self.publisher,
            at,
            self.id,
            actor,
            action,
            lambda c: rule(c, actor, body or {}, at),
        )

    @property
    def case(self):
        return self.store.get(self.id)


def test_only_the_lead_unit_claims_and_another_unit_does_not_even_see_the_case():
    w = World(a_case())
    with pytest.raises(NotFound):
        w.act("claim", OTHER_HANDLER, handling.claim)
    with pytest.raises(Forbidden):  # a co-unit sees the case but does not lead it
        w.act("claim", CO_HANDLER, handling.claim)
    claimed = w.act("claim", HANDLER, handling.claim)
    assert claimed["status"] == "in_progress" and claimed["version"] == 4
    assert claimed["assignment"]["claimed_at"] == T0
    assert [e["type"] for e in w.publisher.events] == ["case.claimed"]
    assert claimed["outbox"] == []  # published, then taken out of the outbox
    with pytest.raises(WrongState):  # claimed once
        w.act("claim", HANDLER, handling.claim)


def test_one_extension_and_an_approved_one_moves_the_due_date_and_the_yellow_mark():
    w = World(a_case("in_progress"))
    w.act("request_extension", HANDLER, handling.request_extension, {"days": 5, "reason": "检测"})
    with pytest.raises(WrongState):
        w.act(
            "request_extension", HANDLER, handling.request_extension, {"days": 5, "reason": "再延"}
        )
    w.act("decide_extension", SUPERVISOR, handling.decide_extension, {"approve": True})
    a = w.case["assignment"]
    assert a["extended_to"] == T0 + timedelta(days=12)
    assert a["yellow_at"] == T0 + timedelta(days=12) * 0.8
    assert cases.due_at(w.case) == T0 + timedelta(days=12) and w.case["extensions"] == 1
    with pytest.raises(WrongState):  # nothing pending any more
        w.act("decide_extension", SUPERVISOR, handling.decide_extension, {"approve": False})


def test_no_signature_without_outcome_opinion_handler_and_the_co_units_input():
    """三不结案."""
    w = World(a_case("in_progress"))
    with pytest.raises(WrongState) as missing:
        w.act("sign_reply", LEADER, handling.sign_reply)
    assert set(missing.value.details["missing"]) == {"outcome", "opinion"}
    w.act(
        "draft_reply", HANDLER, handling.draft_reply, {"outcome": "resolved", "opinion": "已整改"}
    )
    with pytest.raises(WrongState) as outstanding:
        w.act("sign_reply", LEADER, handling.sign_reply)
    assert outstanding.value.details == {"outstanding_co_units": ["water"]}
    w.act("co_input", CO_HANDLER, handling.co_input, {"opinion": "水质已复检"})
    signed = w.act("sign_reply", LEADER, handling.sign_reply)
    assert signed["status"] == "replied" and signed["reply"]["signed_by"] == "l"
    assert signed["reply"]["handler"] == "h"


def test_a_signature_may_override_missing_co_input_with_a_reason_on_record():
    w = World(a_case("in_progress"))
    signed = w.act(
        "sign_reply",
        LEADER,
        handling.sign_reply,
        {"outcome": "explained", "opinion": "已解释政策", "override_reason": "会办单位逾期未回复"},
    )
    assert signed["status"] == "replied" and "会办意见未齐" in signed["timeline"][-1]["note"]


def _replied():
    return a_case(
        "replied",
        reply={
            "outcome": "resolved",
            "opinion": "已整改",
            "handler": "h",
            "signed_by": "l",
            "signed_at": T0,
            "delivered_at": None,
        },
    )


def test_a_rejected_reply_goes_back_with_a_comment_and_the_clock_running():
    w = World(_replied())
    with pytest.raises(WrongState):
        w.act("approve_reply", SUPERVISOR, handling.review, {"approve": False})
    back = w.act(
        "approve_reply", SUPERVISOR, handling.review, {"approve": False, "comment": "答复过于简单"}
    )
    assert back["status"] == "in_progress" and back["rejections_count"] == 1
    assert back["reply"]["signed_by"] is None and cases.clock_state(back, T0)[0] is False


def test_an_approved_reply_is_answered_and_the_citizen_reads_the_outcome():
    w = World(_replied())
    done = w.act(
        "approve_reply", SUPERVISOR, handling.review, {"approve": True}, at=T0 + timedelta(days=2)
    )
    assert done["status"] == "answered" and done["answered_at"] == T0 + timedelta(days=2)
    assert done["timeline"][-1]["public_note"] == "已答复（已解决）"


def _answered():
    case = _replied()
    case.update(status="answered", answered_at=T0)
    return case


def _visit(w, satisfaction, max_reopens=1, actor=SUPERVISOR):
    def rule(c, a, body, now):
        act, change, _ = handling.return_visit(c, a, body, now, max_reopens)
        return act, change

    return cases.act(
        w.store,
        w.publisher,
        T0,
        w.id,
        actor,
        "close",
        lambda c: rule(c, actor, {"method": "phone", "satisfaction": satisfaction}, T0),
    )


def test_a_satisfied_visit_closes_and_a_dissatisfied_one_reopens_once_then_closes_raised():
    w = World(_answered())
    assert _visit(w, "satisfied")["status"] == "closed"
    w = World(_answered())
    reopened = _visit(w, "dissatisfied")
    assert reopened["status"] == "in_progress" and reopened["reopen_count"] == 1
    assert "reopened" in reopened["flags"] and reopened["reply"] is None
    again = World({**_answered(), "reopen_count": 1})
    closed = _visit(again, "dissatisfied")
    assert closed["status"] == "closed" and closed["final_dissatisfied"] is True
    assert closed["raised_to"] == "li"


def test_nothing_closes_without_the_handler_and_signer_on_record():
    w = World({**_answered(), "reply": {"outcome": "resolved", "opinion": "x"}})
    with pytest.raises(WrongState):
        _visit(w, "satisfied")


def test_only_a_dissatisfied_rating_is_appealed_once_and_an_upheld_appeal_uncounts_it():
    visit = {"satisfaction": "dissatisfied", "counts": True}
    w = World(a_case("closed", return_visit=visit))
    w.act("appeal", LEADER, handling.appeal, {"reason": "已按政策办理"})
    with pytest.raises(WrongState):
        w.act("appeal", LEADER, handling.appeal, {"reason": "again"})
    w.act("decide_appeal", SUPERVISOR, handling.decide_appeal, {"uphold": True})
    assert w.case["appeal"]["status"] == "upheld"
    assert w.case["return_visit"]["counts"] is False
    happy = World(a_case("closed", return_visit={"satisfaction": "satisfied"}))
    with pytest.raises(WrongState):
        happy.act("appeal", LEADER, handling.appeal, {"reason": "x"})


def test_a_return_is_asked_only_within_the_claim_window(monkeypatch):
    """退单 within one working day of the assignment (Monday → Tuesday 09:00)."""
    from lianxin import settings

    monkeypatch.setattr(settings, "TIMEZONE", "Asia/Shanghai")
    deps = lambda at: cases.Deps(World(a_case()).store, Publisher(), at)  # noqa: E731
    body = {"reason": "不属于本单位职责"}
    late = deps(T0 + timedelta(days=1, hours=1))
    with pytest.raises(WrongState) as passed:
        routing.request_return(late, "request_return", "LX-20261123-000001", HANDLER, body)
    assert "claim_window_ended" in passed.value.details
    ok = deps(T0 + timedelta(hours=20))
    returned = routing.request_return(ok, "request_return", "LX-20261123-000001", HANDLER, body)
    assert returned["status"] == "return_requested" and returned["returns_count"] == 1


def test_two_people_acting_at_once_one_wins_the_other_gets_409():
    w = World(a_case())
    stale = w.case
    w.act("claim", HANDLER, handling.claim)
    with pytest.raises(WrongState):
        cases.apply(
            w.store, w.publisher, T0, stale, LEADER, "claim", handling.claim(stale, LEADER, {}, T0)
        )
