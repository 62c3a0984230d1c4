"""Which staff actions a user may take on a case now (`allowed_actions` on the staff view), so
that a screen offers exactly those and never copies the state machine.

An action endpoint (the path suffix of `POST /api/v1/cases/{id}/<suffix>`) is allowed when one
of the workflow actions it can lead to passes `lianxin.workflow` (role and state), the case is
in the actor's scope, and the rule the owning service adds beyond the table holds (lead unit
only, one extension, the claim window of 退单, a pending request to decide…). Those rules are
the same as in `services/handling/rules.py`, `services/routing/handlers.py` and
`services/intake/dispatch.py`; `tests/unit/test_allowed_actions.py` runs those rules over every
state × role to keep the two in step.
"""

from . import settings, workflow
from .auth import UNIT_ROLES
from .calendar import add_working_days

# endpoint suffix → the workflow actions it may end in (a decision picks one of a pair)
ENDPOINTS = {
    "assign": ("assign",),
    "claim": ("claim",),
    "return": ("request_return",),
    "return/decision": ("accept_return", "refuse_return", "redispatch"),
    "not-accept": ("not_accept",),
    "input": ("co_input",),
    "progress": ("progress",),
    "extension": ("request_extension",),
    "extension/decision": ("decide_extension",),
    "reply": ("draft_reply",),
    "reply/sign": ("sign_reply",),
    "review": ("approve_reply", "reject_reply"),
    "visit": ("close", "reopen"),
    "instruction": ("instruct",),
    "merge": ("merge",),
    "unmerge": ("unmerge",),
    "appeal": ("appeal",),
    "appeal/decision": ("decide_appeal",),
}


def _assignment(case):
    return case.get("assignment") or {}


def is_lead_unit(case, actor):
    unit = actor.get("unit")
    return bool(unit) and unit == _assignment(case).get("lead_unit")


def is_co_unit(case, actor):
    unit = actor.get("unit")
    return bool(unit) and unit in (_assignment(case).get("co_units") or [])


def claim_window_ends(case, tz=None, days=None):
    """退单 is possible until this many working days after the assignment."""
    return add_working_days(
        _assignment(case)["assigned_at"],
        settings.CLAIM_WINDOW_WORKING_DAYS if days is None else days,
        tz or settings.TIMEZONE,
    )


def _within_claim_window(case, actor, now):
    return bool(_assignment(case).get("assigned_at")) and now <= claim_window_ends(case)


def _pending(key):
    return lambda case, actor, now: (case.get(key) or {}).get("status") == "pending"


def _reply_on_record(case, actor, now):
    """Nothing is closed without the handler and the signer on record (三不结案)."""
    reply = case.get("reply") or {}
    return bool(reply.get("handler") and reply.get("signed_by"))


def _appealable(case, actor, now):
    return (case.get("return_visit") or {}).get("satisfaction") == "dissatisfied" and not case.get(
        "appeal"
    )


def _lead(*more):
    return lambda case, actor, now: is_lead_unit(case, actor) and all(
        rule(case, actor, now) for rule in more
    )


# What the owning service checks beyond role, state and scope, per endpoint.
RULES = {
    "claim": _lead(),
    "return": _lead(_within_claim_window),
    "input": lambda case, actor, now: is_co_unit(case, actor),
    "progress": _lead(),
    "extension": _lead(lambda case, actor, now: not case.get("extension")),
    "extension/decision": _pending("extension"),
    "reply": _lead(),
    # The leader may write the reply while signing, and sign over missing co-unit input
    # with a reason: the form asks for what is missing, so the action is offered.
    "reply/sign": _lead(),
    "visit": _reply_on_record,
    "appeal": _lead(_appealable),
    "appeal/decision": _pending("appeal"),
}


def in_scope(case, actor):
    """Unit staff act only on cases their unit leads or co-handles (docs/contract.md §1)."""
    if actor["role"] in UNIT_ROLES:
        a = _assignment(case)
        return actor.get("unit") in [a.get("lead_unit"), *(a.get("co_units") or [])]
    return True


def allowed_actions(case, actor, now):
    """The endpoint suffixes `actor` may post to for `case` at `now`, in ENDPOINTS order."""
    if not in_scope(case, actor):
        return []
    allowed = []
    for endpoint, actions in ENDPOINTS.items():
        if not any(workflow.allowed(a, case["status"], actor["role"]) for a in actions):
            continue
        rule = RULES.get(endpoint)
        if rule is None or rule(case, actor, now):
            allowed.append(endpoint)
    return allowed
