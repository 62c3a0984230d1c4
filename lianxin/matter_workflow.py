"""The state machine of a supervised matter (docs/contract.md §14): one table of what may
happen to a matter, from which state, by which role — the same shape as the case's
(`lianxin/workflow.py`). Every status a matter has comes from this table, written only by
`services/matters/handlers.py`.

draft → published (put up: units may claim it) → in progress (the first report) ⇄ at risk
(a milestone overdue or progress stale: the sweep; a report that clears it) → done (the lead
unit's 事结销号 report with evidence) → confirmed (a supervisor; only now is it closed), or
back to in progress with a reason.
"""

from .auth import UNIT_ROLES
from .errors import Forbidden, WrongState

STATES = ("draft", "published", "in_progress", "at_risk", "done", "confirmed")
# The matter is being worked on: its milestones and reports are watched.
RUNNING = ("published", "in_progress", "at_risk")
# What the public board shows.
PUBLIC_STATES = RUNNING + ("done", "confirmed")
SYSTEM = "system"

# action: (from-states, to-state or None when the state does not change, roles allowed)
TRANSITIONS = {
    # A leader's instruction (批示件) is written down by the leader or by the office; the
    # project list of a year and clusters of cases by the office.
    "create": ((), "draft", ("supervisor", "leader")),
    "publish": (("draft",), "published", ("supervisor",)),
    # 认领: a unit takes on a project put up for claiming; a leader claims to lead it.
    "claim": (RUNNING, None, UNIT_ROLES + ("leader",)),
    # The first report starts the work; later ones keep the state, or clear a risk.
    "start": (("published",), "in_progress", UNIT_ROLES),
    "progress": (("in_progress", "at_risk"), None, UNIT_ROLES),
    "recover": (("at_risk",), "in_progress", UNIT_ROLES),
    # Raised by the sweep when a milestone is overdue or the reports have gone stale.
    "flag_risk": (("published", "in_progress"), "at_risk", (SYSTEM,)),
    # 事结销号: the lead unit reports it done with evidence; a supervisor confirms or sends back.
    "report_done": (("in_progress", "at_risk"), "done", UNIT_ROLES),
    "confirm": (("done",), "confirmed", ("supervisor",)),
    "send_back": (("done",), "in_progress", ("supervisor",)),
}


def _spec(action):
    try:
        return TRANSITIONS[action]
    except KeyError:
        raise ValueError(f"unknown matter action {action!r}")


def initial():
    return TRANSITIONS["create"][1]


def check_role(action, role):
    if role not in _spec(action)[2]:
        raise Forbidden(f"a {role} may not {action.replace('_', ' ')} a matter", {"action": action})


def check_state(action, state):
    from_states, to_state, _ = _spec(action)
    if state not in from_states:
        raise WrongState(
            f"cannot {action.replace('_', ' ')} a matter that is {state}",
            {"action": action, "status": state, "allowed_from": list(from_states)},
        )
    return to_state or state


def check(action, state, role):
    check_role(action, role)
    return check_state(action, state)


def allowed(action, state, role):
    try:
        check(action, state, role)
        return True
    except (WrongState, Forbidden):
        return False
