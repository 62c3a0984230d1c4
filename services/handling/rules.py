"""The rules of handling a case (docs/contract.md §3), free of I/O: each returns the Change an
action makes, or raises why it may not. The state/role check is `lianxin.workflow`; these add what
the table cannot say (lead unit only, one extension, 三不结案, reopen once…)."""

from datetime import timedelta

from lianxin.allowed import is_co_unit, is_lead_unit
from lianxin.cases import Change, clock_start, due_at, yellow_at
from lianxin.errors import Forbidden, WrongState
from lianxin.workflow import OUTCOME_WORDS, OUTCOMES


def lead_unit(case):
    return (case.get("assignment") or {}).get("lead_unit")


def require_lead_unit(case, actor):
    if not is_lead_unit(case, actor):
        raise Forbidden("only the lead unit may do this", {"lead_unit": lead_unit(case)})


def claim(case, actor, body, now):
    require_lead_unit(case, actor)
    return Change(
        "case.claimed",
        set={"assignment.claimed_at": now},
        public_note="承办单位已签收，正在办理",
        data={"unit": actor["unit"]},
    )


def progress(case, actor, body, now):
    require_lead_unit(case, actor)
    entry = {"at": now, "by": actor["username"], "unit": actor["unit"], "note": body["note"]}
    return Change(
        "case.progress", note=body["note"], push={"progress": entry}, data={"kind": "progress"}
    )


def co_input(case, actor, body, now):
    unit = actor.get("unit")
    if not is_co_unit(case, actor):
        raise Forbidden("only a co-handling unit gives input (会办意见)", {"unit": unit})
    return Change(
        "case.progress",
        note=body["opinion"],
        set={f"co_inputs.{unit}": {"opinion": body["opinion"], "by": actor["username"], "at": now}},
        data={"kind": "co_input", "unit": unit},
    )


def request_extension(case, actor, body, now):
    require_lead_unit(case, actor)
    if case.get("extension"):
        raise WrongState("a case may have one extension request", {"extension": "exists"})
    return Change(
        "case.extension_requested",
        note=body["reason"],
        set={
            "extension": {
                "days": body["days"],
                "reason": body["reason"],
                "requested_by": actor["username"],
                "requested_at": now,
                "status": "pending",
            }
        },
        data={"days": body["days"]},
    )


def decide_extension(case, actor, body, now):
    ext = case.get("extension") or {}
    if ext.get("status") != "pending":
        raise WrongState("no extension request is waiting for a decision", {})
    changes = {
        "extension.status": "approved" if body["approve"] else "denied",
        "extension.decided_by": actor["username"],
        "extension.decided_at": now,
        "extension.comment": body.get("comment"),
    }
    data = {"approve": body["approve"]}
    if body["approve"]:
        new_due = due_at(case) + timedelta(days=ext["days"])
        changes["assignment.extended_to"] = new_due
        changes["assignment.yellow_at"] = yellow_at(clock_start(case), new_due)
        data["extended_to"] = new_due.strftime("%Y-%m-%dT%H:%M:%SZ")
    return Change(
        "case.extension_decided",
        note=body.get("comment"),
        set=changes,
        inc={"extensions": 1} if body["approve"] else {},
        data=data,
    )


def draft_reply(case, actor, body, now):
    require_lead_unit(case, actor)
    return Change(
        "case.progress",
        note="答复意见草稿",
        set={
            "reply": {
                "outcome": body["outcome"],
                "opinion": body["opinion"],
                "handler": actor["username"],
                "drafted_at": now,
                "signed_by": None,
                "signed_at": None,
                "delivered_at": None,
            }
        },
        data={"kind": "reply_drafted", "outcome": body["outcome"]},
    )


def sign_reply(case, actor, body, now):
    """三不结案: no signature without an outcome and a non-empty opinion; the unit leader may
    write the reply while signing; outstanding co-unit input blocks unless overridden."""
    require_lead_unit(case, actor)
    reply = dict(case.get("reply") or {})
    if body.get("outcome") or body.get("opinion"):
        reply.update({k: body[k] for k in ("outcome", "opinion") if body.get(k)})
        reply.setdefault("handler", None)
        reply["handler"] = reply["handler"] or actor["username"]
    if reply.get("outcome") not in OUTCOMES or not (reply.get("opinion") or "").strip():
        raise WrongState(
            "a reply needs an outcome and a handling opinion before it is signed",
            {"missing": [k for k in ("outcome", "opinion") if not reply.get(k)]},
        )
    if not reply.get("handler"):
        raise WrongState("the responsible handler must be on record", {})
    missing = [
        u
        for u in case["assignment"].get("co_units") or []
        if u not in (case.get("co_inputs") or {})
    ]
    override = (body.get("override_reason") or "").strip()
    if missing and not override:
        raise WrongState(
            "co-handling units have not given their input", {"outstanding_co_units": missing}
        )
    reply.update(signed_by=actor["username"], signed_at=now, delivered_at=None)
    note = f"签发；会办意见未齐，理由：{override}" if missing else "签发"
    return Change(
        "case.replied",
        note=note,
        set={"reply": reply},
        data={"outcome": reply["outcome"], "override": bool(missing)},
    )


def review(case, actor, body, now):
    """Approve → answered (the clock stops, the answer goes to the citizen); reject with a
    comment → back to the unit, clock running. Returns (action, Change)."""
    if body["approve"]:
        reply = {**case["reply"], "delivered_at": now}
        word = OUTCOME_WORDS.get(reply["outcome"], reply["outcome"])
        return "approve_reply", Change(
            "case.answered",
            note=body.get("comment"),
            set={"reply": reply, "answered_at": now},
            public_note=f"已答复（{word}）",
            data={"outcome": reply["outcome"]},
        )
    if not (body.get("comment") or "").strip():
        raise WrongState("a rejected reply needs a comment for the unit", {})
    rejection = {
        "at": now,
        "by": actor["username"],
        "comment": body["comment"],
        "reply": case.get("reply"),
    }
    return "reject_reply", Change(
        "case.reply_rejected",
        note=body["comment"],
        push={"rejections": rejection},
        set={"reply.signed_by": None, "reply.signed_at": None},
        inc={"rejections_count": 1},
        data={"comment": body["comment"]},
    )


def return_visit(case, actor, body, now, max_reopens):
    """回访. Returns (action, Change, reopen?) — reopen asks the caller for a new deadline."""
    visit = {
        "at": now,
        "by": actor["username"],
        "method": body["method"],
        "satisfaction": body["satisfaction"],
        "note": body.get("note"),
        "counts": True,
    }
    reply = case.get("reply") or {}
    if not (reply.get("handler") and reply.get("signed_by")):
        raise WrongState("nothing is closed without the handler and the signer on record", {})
    if body["satisfaction"] != "dissatisfied":
        return (
            "close",
            Change(
                "case.closed",
                note=body.get("note"),
                public_note="已回访，办结",
                set={"return_visit": visit, "closed_at": now},
                push={"visits": visit},
                data={"satisfaction": body["satisfaction"]},
            ),
            False,
        )
    if case.get("reopen_count", 0) < max_reopens:
        previous = {**reply, "visit": visit}
        return (
            "reopen",
            Change(
                "case.reopened",
                note=body.get("note"),
                public_note="群众不满意，重新办理",
                set={"return_visit": visit, "reply": None},
                push={"visits": visit, "previous_replies": previous},
                add_to_set={"flags": "reopened"},
                inc={"reopen_count": 1},
                data={"satisfaction": "dissatisfied"},
            ),
            True,
        )
    leader = case["assignment"].get("leader")
    return (
        "close",
        Change(
            "case.closed",
            note=body.get("note"),
            public_note="已回访，办结（不满意）",
            set={
                "return_visit": visit,
                "closed_at": now,
                "final_dissatisfied": True,
                "raised_to": leader,
            },
            push={"visits": visit},
            add_to_set={"flags": "final_dissatisfied"},
            data={"satisfaction": "dissatisfied", "final_dissatisfied": True, "raised_to": leader},
        ),
        False,
    )


def instruct(case, actor, body, now):
    entry = {
        "at": now,
        "by": actor["username"],
        "leader": actor.get("leader"),
        "text": body["text"],
    }
    return Change(
        "case.instructed",
        note=body["text"],
        push={"instructions": entry},
        data={"text": body["text"], "leader": actor.get("leader")},
    )


def appeal(case, actor, body, now):
    require_lead_unit(case, actor)
    if (case.get("return_visit") or {}).get("satisfaction") != "dissatisfied":
        raise WrongState("only a dissatisfied rating can be appealed", {})
    if case.get("appeal"):
        raise WrongState("this rating has been appealed already", {})
    return Change(
        "case.appealed",
        note=body["reason"],
        set={
            "appeal": {
                "reason": body["reason"],
                "by": actor["username"],
                "at": now,
                "status": "pending",
            }
        },
    )


def decide_appeal(case, actor, body, now):
    """`uphold: true` upholds the unit's appeal: the dissatisfied rating no longer counts."""
    if (case.get("appeal") or {}).get("status") != "pending":
        raise WrongState("no appeal is waiting for a decision", {})
    return Change(
        "case.appeal_decided",
        note=body.get("comment"),
        set={
            "appeal.status": "upheld" if body["uphold"] else "rejected",
            "appeal.decided_by": actor["username"],
            "appeal.decided_at": now,
            "appeal.comment": body.get("comment"),
            "return_visit.counts": not body["uphold"],
        },
        data={"uphold": body["uphold"]},
    )
