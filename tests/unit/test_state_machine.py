"""Every (state, action) pair of the case state machine, allowed or refused, against a table written
here from docs/contract.md §3 (not derived from lianxin/workflow.py, so that it can disagree)."""

import pytest

from lianxin import workflow
from lianxin.errors import Forbidden, WrongState

S = (
    "received",
    "assigned",
    "return_requested",
    "in_progress",
    "replied",
    "answered",
    "closed",
    "merged",
    "not_accepted",
)

# action → {from-state: to-state}
EXPECTED = {
    "route": {"received": "assigned"},
    "assign": {"received": "assigned", "assigned": "assigned"},
    "direct_answer": {"received": "answered"},
    "not_accept": {"received": "not_accepted", "assigned": "not_accepted"},
    "merge": {"received": "merged", "assigned": "merged"},
    "unmerge": {"merged": "received"},
    "claim": {"assigned": "in_progress"},
    "request_return": {"assigned": "return_requested"},
    "accept_return": {"return_requested": "received"},
    "redispatch": {"return_requested": "assigned"},
    "refuse_return": {"return_requested": "assigned"},
    "progress": {"in_progress": "in_progress"},
    "co_input": {"assigned": "assigned", "in_progress": "in_progress"},
    "request_extension": {"in_progress": "in_progress"},
    "decide_extension": {"in_progress": "in_progress", "replied": "replied"},
    "draft_reply": {"in_progress": "in_progress"},
    "sign_reply": {"in_progress": "replied"},
    "approve_reply": {"replied": "answered"},
    "reject_reply": {"replied": "in_progress"},
    "close": {"answered": "closed"},
    "reopen": {"answered": "in_progress"},
    "instruct": {s: s for s in S},
    "appeal": {"closed": "closed"},
    "decide_appeal": {"closed": "closed"},
    "attach": {s: s for s in S if s not in ("closed", "merged", "not_accepted")},
}

ROLES = {
    "route": {"system"},
    "assign": {"dispatcher"},
    "direct_answer": {"clerk"},
    "not_accept": {"dispatcher"},
    "merge": {"dispatcher", "system"},
    "unmerge": {"dispatcher"},
    "claim": {"handler", "unit_leader"},
    "request_return": {"handler", "unit_leader"},
    "accept_return": {"dispatcher"},
    "refuse_return": {"dispatcher"},
    "redispatch": {"dispatcher"},
    "progress": {"handler", "unit_leader"},
    "co_input": {"handler", "unit_leader"},
    "request_extension": {"handler", "unit_leader"},
    "decide_extension": {"supervisor"},
    "draft_reply": {"handler", "unit_leader"},
    "sign_reply": {"unit_leader"},
    "approve_reply": {"supervisor"},
    "reject_reply": {"supervisor"},
    "close": {"supervisor", "citizen"},
    "reopen": {"supervisor", "citizen"},
    "instruct": {"leader"},
    "appeal": {"unit_leader"},
    "decide_appeal": {"supervisor"},
    "attach": {"citizen", "clerk", "dispatcher", "handler", "unit_leader", "supervisor"},
}
ALL_ROLES = (
    "citizen",
    "clerk",
    "dispatcher",
    "handler",
    "unit_leader",
    "supervisor",
    "leader",
    "admin",
    "system",
)


def test_the_table_covers_every_action():
    assert set(EXPECTED) == set(workflow.TRANSITIONS) - {"register", "submit"}
    assert set(workflow.STATES) == set(S)


def test_a_case_is_born_received_by_a_citizen_or_a_clerk():
    assert workflow.initial("submit") == workflow.initial("register") == "received"
    workflow.check_role("submit", "citizen")
    workflow.check_role("register", "clerk")
    with pytest.raises(ValueError):
        workflow.initial("claim")


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("state", S)
def test_state_action_pair(state, action):
    if state in EXPECTED[action]:
        assert workflow.check_state(action, state) == EXPECTED[action][state]
    else:
        with pytest.raises(WrongState):
            workflow.check_state(action, state)


@pytest.mark.parametrize("action", sorted(ROLES))
@pytest.mark.parametrize("role", ALL_ROLES)
def test_role_action_pair(role, action):
    if role in ROLES[action]:
        workflow.check_role(action, role)
    else:
        with pytest.raises(Forbidden):
            workflow.check_role(action, role)
