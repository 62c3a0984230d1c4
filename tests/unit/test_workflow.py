"""The state machine table (docs/contract.md §3)."""

import pytest

from lianxin import workflow
from lianxin.errors import Forbidden, WrongState


def test_routing_moves_a_received_case_to_assigned():
    assert workflow.check("route", "received", workflow.SYSTEM) == "assigned"


def test_a_wrong_state_is_a_conflict_and_a_wrong_role_is_forbidden():
    with pytest.raises(WrongState):
        workflow.check("route", "assigned", workflow.SYSTEM)
    with pytest.raises(Forbidden):
        workflow.check("sign_reply", "in_progress", "handler")


def test_every_transition_names_known_states():
    for action, (sources, target, roles) in workflow.TRANSITIONS.items():
        assert set(sources) <= set(workflow.STATES), action
        assert target is None or target in workflow.STATES, action
        assert roles, action


def test_leaders_may_instruct_in_every_state():
    assert all(workflow.allowed("instruct", s, "leader") for s in workflow.STATES)
