"""The case state machine (SPEC §3): one table of what may happen to a case, from which
state, by which role. Every service asks `check` before it acts; nothing bypasses it.
"""
from .errors import Forbidden, WrongState

STATES = ("received", "assigned", "return_requested", "in_progress", "replied", "answered",
          "closed", "merged", "not_accepted")
OPEN_STATES = ("received", "assigned", "return_requested", "in_progress", "replied")

SYSTEM = "system"
UNIT_ROLES = ("handler", "unit_leader")

# action: (from-states, to-state or None when the state does not change, roles allowed)
TRANSITIONS = {
    # 分流转办: automatic routing, or the dispatcher's hand from the manual queue.
    "route": (("received",), "assigned", (SYSTEM,)),
    "assign": (("received",), "assigned", ("dispatcher",)),
    # 直办: a clerk answers a consultation on the spot; it still gets its return visit.
    "direct_answer": (("received",), "answered", ("clerk",)),
    # 不予受理: in litigation, outside jurisdiction — with a reason the citizen is told.
    "not_accept": (("received", "assigned"), "not_accepted", ("dispatcher",)),
    # 一稿多投: the same matter from the same citizen is merged into the first case.
    "merge": (("received", "assigned"), "merged", (SYSTEM, "dispatcher")),
    "unmerge": (("merged",), "received", ("dispatcher",)),
    "claim": (("assigned",), "in_progress", UNIT_ROLES),
    # 退单: a misrouted case goes back, with a reason, within the claim window.
    "request_return": (("assigned",), "return_requested", UNIT_ROLES),
    "accept_return": (("return_requested",), "received", ("dispatcher",)),
    "refuse_return": (("return_requested",), "assigned", ("dispatcher",)),
    "progress": (("in_progress",), None, UNIT_ROLES),
    "co_input": (("assigned", "in_progress"), None, UNIT_ROLES),
    "request_extension": (("in_progress",), None, UNIT_ROLES),
    "decide_extension": (("in_progress", "replied"), None, ("supervisor",)),
    "draft_reply": (("in_progress",), None, UNIT_ROLES),
    # Only a reply signed by the unit leader moves the case on (三不结案).
    "sign_reply": (("in_progress",), "replied", ("unit_leader",)),
    "approve_reply": (("replied",), "answered", ("supervisor",)),
    "reject_reply": (("replied",), "in_progress", ("supervisor",)),
    "return_visit": (("answered",), None, ("supervisor", "citizen")),
    "close": (("answered",), "closed", ("supervisor", "citizen", SYSTEM)),
    "reopen": (("answered",), "in_progress", ("supervisor", "citizen", SYSTEM)),
    "instruct": (STATES, None, ("leader",)),
    "appeal": (("closed",), None, ("unit_leader",)),
    "decide_appeal": (("closed",), None, ("supervisor",)),
}


def check(action, state, role):
    """Return the state after `action`; raise WrongState or Forbidden if it may not happen."""
    try:
        from_states, to_state, roles = TRANSITIONS[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}")
    if role not in roles:
        raise Forbidden(f"a {role} may not {action.replace('_', ' ')}", {"action": action})
    if state not in from_states:
        raise WrongState(f"cannot {action.replace('_', ' ')} a case that is {state}",
                         {"action": action, "status": state, "allowed_from": list(from_states)})
    return to_state or state


def allowed(action, state, role):
    try:
        check(action, state, role)
        return True
    except (WrongState, Forbidden):
        return False
