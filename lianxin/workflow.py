"""The case state machine (docs/contract.md §3): one table of what may happen to a case, from which
state, by which role. Every status a case ever has comes from this table: a new case's from
`initial`, every later one from `check_state`, written only by `lianxin/cases.py`
(tests/unit/test_state_machine_door.py reads the code to hold everyone to it).
"""

from .auth import UNIT_ROLES
from .errors import Forbidden, WrongState

STATES = (
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
# The unit still owes the answer: the clock runs, warnings and overdue apply.
OWING_STATES = ("assigned", "in_progress", "return_requested")

SYSTEM = "system"

# How a unit's reply settles the matter (docs/contract.md §3), and the words the citizen reads for
# each.
OUTCOMES = ("resolved", "explained", "unfounded")
OUTCOME_WORDS = {"resolved": "已解决", "explained": "已解释", "unfounded": "反映不实"}

# action: (from-states, to-state or None when the state does not change, roles allowed)
TRANSITIONS = {
    # A citizen's own submission: web, mobile, mailbox, Open311.
    "submit": ((), "received", ("citizen",)),
    # Registration by the office: hotline, letter, visit, reception day, collector.
    "register": ((), "received", ("clerk",)),
    # 分流转办: automatic routing, or the dispatcher's hand (also re-routing an assigned case).
    "route": (("received",), "assigned", (SYSTEM,)),
    "assign": (("received", "assigned"), "assigned", ("dispatcher",)),
    # 直办: a clerk answers a consultation on the spot; it still gets its return visit.
    "direct_answer": (("received",), "answered", ("clerk",)),
    # 不予受理: in litigation, outside jurisdiction — with a reason the citizen is told.
    "not_accept": (("received", "assigned"), "not_accepted", ("dispatcher",)),
    # 一稿多投: the same matter from the same citizen is merged into the first case.
    "merge": (("received", "assigned"), "merged", (SYSTEM, "dispatcher")),
    "unmerge": (("merged",), "received", ("dispatcher",)),
    "claim": (("assigned",), "in_progress", UNIT_ROLES),
    # 退单: a misrouted case goes back, with a reason, within the claim window; the
    # dispatcher re-dispatches it (to the queue, or straight to another unit) or refuses.
    "request_return": (("assigned",), "return_requested", UNIT_ROLES),
    "accept_return": (("return_requested",), "received", ("dispatcher",)),
    "redispatch": (("return_requested",), "assigned", ("dispatcher",)),
    "refuse_return": (("return_requested",), "assigned", ("dispatcher",)),
    "progress": (("in_progress",), None, UNIT_ROLES),
    # 会办意见: co-handling units give their input while the lead unit works.
    "co_input": (("assigned", "in_progress"), None, UNIT_ROLES),
    "request_extension": (("in_progress",), None, UNIT_ROLES),
    "decide_extension": (("in_progress", "replied"), None, ("supervisor",)),
    "draft_reply": (("in_progress",), None, UNIT_ROLES),
    # Only a reply signed by the unit leader moves the case on (三不结案).
    "sign_reply": (("in_progress",), "replied", ("unit_leader",)),
    "approve_reply": (("replied",), "answered", ("supervisor",)),
    # A rejected reply goes back to the unit; the clock keeps running.
    "reject_reply": (("replied",), "in_progress", ("supervisor",)),
    # 回访: satisfied → closed; dissatisfied → reopened (once by default), then closed as
    # dissatisfied and raised to the overseeing leader.
    "close": (("answered",), "closed", ("supervisor", "citizen")),
    "reopen": (("answered",), "in_progress", ("supervisor", "citizen")),
    # 批示: leaders may instruct at any state.
    "instruct": (STATES, None, ("leader",)),
    # Photos and documents (docs/contract.md §17): the citizen's, a clerk's scanned letter,
    # the unit's evidence — while the case is still being dealt with.
    "attach": (
        tuple(s for s in STATES if s not in ("closed", "merged", "not_accepted")),
        None,
        ("citizen", "clerk", "dispatcher", "handler", "unit_leader", "supervisor"),
    ),
    # 评星复议: a unit contests a dissatisfied rating; a supervisor decides whether it counts.
    "appeal": (("closed",), None, ("unit_leader",)),
    "decide_appeal": (("closed",), None, ("supervisor",)),
}


def _spec(action: str) -> tuple[tuple[str, ...], str | None, tuple[str, ...]]:
    try:
        return TRANSITIONS[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}")


def initial(action: str) -> str:
    """The status a case is born with by `action` (a submission or a registration)."""
    from_states, to_state, _ = _spec(action)
    if from_states or to_state is None:
        raise ValueError(f"{action!r} does not create a case")
    return to_state


def check_role(action: str, role: str) -> None:
    """Raise Forbidden if `role` may never do `action`."""
    if role not in _spec(action)[2]:
        raise Forbidden(f"a {role} may not {action.replace('_', ' ')}", {"action": action})


def check_state(action: str, state: str) -> str:
    """Return the state after `action` from `state`, or raise WrongState."""
    from_states, to_state, _ = _spec(action)
    if state not in from_states:
        raise WrongState(
            f"cannot {action.replace('_', ' ')} a case that is {state}",
            {"action": action, "status": state, "allowed_from": list(from_states)},
        )
    return to_state or state


def check(action: str, state: str, role: str) -> str:
    """Return the state after `action`; raise Forbidden or WrongState if it may not happen."""
    check_role(action, role)
    return check_state(action, state)


def allowed(action: str, state: str, role: str) -> bool:
    try:
        check(action, state, role)
        return True
    except (WrongState, Forbidden):
        return False
