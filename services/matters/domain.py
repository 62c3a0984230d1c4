"""Supervised matters and livelihood projects (督办事项 · 民生实事, docs/contract.md §14), free of
I/O: what a matter is, who sees it, and what each action does to it. Each action returns a
`Change` — the new status, the fields to set, the timeline entry, the event — which
`handlers.py` writes with a compare-and-set and publishes through the outbox.

Rules here:
- a milestone falls within the matter's time (not before its start, not after its end);
- a progress report's percent never goes back without a reason;
- only the lead unit reports a matter done (事结销号), and only with evidence;
- a unit claims (认领) only a matter put up for claiming; the first becomes the lead, the
  others co-units; a leader claims to lead one that has no leader yet;
- units see the matters they are responsible for and those put up for claiming; the office
  and leaders see all.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from lianxin import matter_workflow
from lianxin.auth import OFFICE_ROLES, UNIT_ROLES
from lianxin.clock import isoformat
from lianxin.errors import Forbidden, NotFound, ValidationFailed, WrongState

from . import watch

KINDS = ("instruction", "project", "cluster")  # a leader's 批示, a year's project list, cases


@dataclass
class Change:
    action: str
    status: str
    set: dict
    event: str
    data: dict = field(default_factory=dict)
    timeline: dict = field(default_factory=dict)


def _invalid(fields):
    return ValidationFailed("the matter is not valid", {"fields": fields})


def check_times(starts_at, ends_at, milestones):
    """Field errors of a matter's time and its milestones (empty: fine)."""
    errors = {}
    if ends_at <= starts_at:
        errors["ends_at"] = ["must be after starts_at"]
    for i, m in enumerate(milestones):
        if m["due_at"] > ends_at:
            errors[f"milestones.{i}.due_at"] = [
                f"after the matter's end ({isoformat(ends_at)}): a milestone falls within it"
            ]
        elif m["due_at"] < starts_at:
            errors[f"milestones.{i}.due_at"] = [
                f"before the matter's start ({isoformat(starts_at)})"
            ]
    return errors


def new_matter(matter_id, body, actor, now, units, leaders):
    """A draft matter from a validated body. `units` and `leaders` are the known ids."""
    source = dict(body.get("source") or {})
    errors = {}
    kind = body["kind"]
    if actor["role"] == "leader":
        source["leader"] = actor.get("leader")  # a leader writes down their own instruction
    if kind == "instruction" and not source.get("leader"):
        errors["source.leader"] = ["an instruction names the leader who gave it"]
    if kind == "project" and not source.get("year"):
        errors["source.year"] = ["a livelihood project belongs to the project list of a year"]
    if kind == "cluster" and not (source.get("case_ids") or source.get("alert_id")):
        errors["source.case_ids"] = ["a cluster names its cases or the alert that found them"]
    if source.get("leader") and source["leader"] not in leaders:
        errors["source.leader"] = [f"no leader {source['leader']}"]
    if body.get("leader") and body["leader"] not in leaders:
        errors["leader"] = [f"no leader {body['leader']}"]
    lead, co = body.get("lead_unit"), [u for u in body.get("co_units") or [] if u]
    for name, unit in [("lead_unit", lead)] + [(f"co_units.{i}", u) for i, u in enumerate(co)]:
        if unit and unit not in units:
            errors[name] = [f"no unit {unit}"]
    if lead in co:
        errors["co_units"] = ["the lead unit is not also a co-unit"]
    if not lead and not body.get("claimable"):
        errors["lead_unit"] = ["name the lead unit, or put the matter up for claiming"]
    starts_at = body.get("starts_at") or now
    milestones = sorted(body["milestones"], key=lambda m: m["due_at"])
    errors.update(check_times(starts_at, body["ends_at"], body["milestones"]))
    if errors:
        raise _invalid(errors)
    return {
        "_id": matter_id,
        "kind": kind,
        "title": body["title"],
        "description": body.get("description", ""),
        "topic": body.get("topic"),
        "town": body.get("town"),
        "beneficiaries": body.get("beneficiaries"),
        "source": {
            "leader": source.get("leader"),
            "case_id": source.get("case_id"),
            "alert_id": source.get("alert_id"),
            "year": source.get("year"),
            "case_ids": list(dict.fromkeys(source.get("case_ids") or [])),
        },
        "lead_unit": lead,
        "co_units": co,
        "leader": body.get("leader"),
        "claimable": bool(body.get("claimable")),
        "public": body.get("public", kind == "project"),
        "claims": [],
        "starts_at": starts_at,
        "ends_at": body["ends_at"],
        "milestones": [
            {"id": f"m{i + 1}", "title": m["title"], "due_at": m["due_at"], "done_at": None}
            for i, m in enumerate(milestones)
        ],
        "report_every_days": body.get("report_every_days", 14),
        "percent": 0,
        "progress": [],
        "last_report_at": None,
        "status": matter_workflow.initial(),
        "created_at": now,
        "created_by": actor["username"],
        "updated_at": now,
        "revision": 0,
        "timeline": [{"at": now, "action": "create", "by": actor["username"]}],
    }


# --- who sees and who acts -------------------------------------------------------------


def units_of(matter):
    return [u for u in [matter.get("lead_unit"), *(matter.get("co_units") or [])] if u]


def visible(matter, actor):
    if matter is None:
        return False
    if actor["role"] in OFFICE_ROLES:
        return True
    if actor["role"] in UNIT_ROLES:
        if actor.get("unit") in units_of(matter):
            return True
        return matter.get("claimable") and matter["status"] in matter_workflow.RUNNING
    return False


def check_visible(matter, actor, matter_id):
    if not visible(matter, actor):
        raise NotFound(f"no matter {matter_id}", {})


def _responsible(matter, actor, lead_only=False):
    units = [matter.get("lead_unit")] if lead_only else units_of(matter)
    if actor.get("unit") not in units:
        who = "the lead unit" if lead_only else "a responsible unit"
        raise Forbidden(f"only {who} may do this", {"units": units})


def event_data(matter, **more):
    return {
        "matter_id": matter["_id"],
        "title": matter["title"],
        "matter_kind": matter["kind"],
        "lead_unit": matter.get("lead_unit"),
        "co_units": matter.get("co_units") or [],
        "leader": matter.get("leader"),
        "status": matter["status"],
        **more,
    }


def _entry(action, actor, now, **more):
    return {"at": now, "action": action, "by": actor["username"], **more}


# --- actions ---------------------------------------------------------------------------


def publish(matter, actor, now):
    status = matter_workflow.check("publish", matter["status"], actor["role"])
    return Change(
        "publish",
        status,
        {"published_at": now, "last_report_at": None},
        "matter.published",
        data=event_data({**matter, "status": status}),
        timeline=_entry("publish", actor, now),
    )


def claim(matter, actor, now):
    matter_workflow.check("claim", matter["status"], actor["role"])
    claim_doc = {"by": actor["username"], "at": now}
    if actor["role"] == "leader":
        if matter.get("leader") == actor.get("leader"):
            raise WrongState("you already lead this matter", {"leader": matter.get("leader")})
        if matter.get("leader"):
            raise WrongState("another leader leads this matter", {"leader": matter["leader"]})
        claim_doc["leader"] = actor.get("leader")
        fields_ = {"leader": actor.get("leader")}
        more = {"claimed_by_leader": actor.get("leader")}
    else:
        unit = actor.get("unit")
        if not matter.get("claimable"):
            raise WrongState("this matter is not put up for claiming", {"claimable": False})
        if unit in units_of(matter):
            raise WrongState("your unit is already responsible for this matter", {"unit": unit})
        claim_doc["unit"] = unit
        if matter.get("lead_unit"):
            fields_ = {"co_units": [*matter.get("co_units", []), unit]}
            claim_doc["as"] = "co_unit"
        else:
            fields_ = {"lead_unit": unit}
            claim_doc["as"] = "lead_unit"
        more = {"claimed_by_unit": unit, "as": claim_doc["as"]}
    fields_["claims"] = [*matter.get("claims", []), claim_doc]
    after = {**matter, **fields_}
    return Change(
        "claim",
        matter["status"],
        fields_,
        "matter.claimed",
        data=event_data(after, **more),
        timeline=_entry("claim", actor, now, **more),
    )


def overdue_milestones(matter, now):
    return [m for m in matter["milestones"] if not m.get("done_at") and m["due_at"] <= now]


def stale(matter, now):
    """Have the reports gone stale (two report periods with none)?"""
    since = matter.get("last_report_at") or matter.get("published_at")
    if since is None:
        return False
    return now >= since + timedelta(days=2 * matter.get("report_every_days", 14))


def risky(matter, now):
    return bool(overdue_milestones(matter, now)) or stale(matter, now)


def progress(matter, actor, body, now):
    """A progress report: text, percent, evidence (file ids), the milestones it completes."""
    action = "start" if matter["status"] == "published" else "progress"
    status = matter_workflow.check(action, matter["status"], actor["role"])
    _responsible(matter, actor)
    percent, before = body["percent"], matter.get("percent", 0)
    errors = {}
    if percent < before and not (body.get("reason") or "").strip():
        errors["reason"] = [
            f"the percent goes back from {before} to {percent}: say why in a reason"
        ]
    ids = {m["id"] for m in matter["milestones"]}
    unknown = [i for i in body.get("milestones_done") or [] if i not in ids]
    if unknown:
        errors["milestones_done"] = [f"no milestone {', '.join(unknown)}"]
    if errors:
        raise _invalid(errors)
    done = set(body.get("milestones_done") or [])
    milestones = [
        {**m, "done_at": now, "done_by": actor["unit"]}
        if m["id"] in done and not m.get("done_at")
        else m
        for m in matter["milestones"]
    ]
    after = {**matter, "milestones": milestones, "last_report_at": now}
    if status == "at_risk" and not risky(after, now):
        status = matter_workflow.check("recover", status, actor["role"])
    report = {
        "n": len(matter.get("progress") or []) + 1,
        "at": now,
        "by": actor["username"],
        "unit": actor["unit"],
        "text": body["text"],
        "percent": percent,
        "reason": body.get("reason"),
        "evidence": list(body.get("evidence") or []),
        "milestones_done": sorted(done),
    }
    return Change(
        action,
        status,
        {
            "milestones": milestones,
            "percent": percent,
            "last_report_at": now,
            "progress": [*(matter.get("progress") or []), report],
        },
        "matter.progress",
        data=event_data(
            {**after, "status": status},
            percent=percent,
            previous_percent=before,
            text=body["text"],
            reason=body.get("reason"),
            milestones_done=sorted(done),
            evidence=report["evidence"],
        ),
        timeline=_entry(action, actor, now, percent=percent),
    )


def report_done(matter, actor, body, now):
    """事结销号, first half: the lead unit says it is done and shows the evidence."""
    status = matter_workflow.check("report_done", matter["status"], actor["role"])
    _responsible(matter, actor, lead_only=True)
    if not body.get("evidence"):
        raise _invalid({"evidence": ["a matter is reported done with its evidence"]})
    milestones = [
        m if m.get("done_at") else {**m, "done_at": now, "done_by": actor["unit"]}
        for m in matter["milestones"]
    ]
    done = {
        "at": now,
        "by": actor["username"],
        "unit": actor["unit"],
        "text": body["text"],
        "evidence": list(body["evidence"]),
    }
    return Change(
        "report_done",
        status,
        {"done": done, "milestones": milestones, "percent": 100, "last_report_at": now},
        "matter.done_reported",
        data=event_data({**matter, "status": status}, text=body["text"], evidence=done["evidence"]),
        timeline=_entry("report_done", actor, now),
    )


def confirm(matter, actor, body, now):
    status = matter_workflow.check("confirm", matter["status"], actor["role"])
    confirmation = {"at": now, "by": actor["username"], "comment": body.get("comment")}
    return Change(
        "confirm",
        status,
        {"confirmed": confirmation, "closed_at": now},
        "matter.confirmed",
        data=event_data({**matter, "status": status}, comment=body.get("comment")),
        timeline=_entry("confirm", actor, now),
    )


def send_back(matter, actor, body, now):
    status = matter_workflow.check("send_back", matter["status"], actor["role"])
    reason = (body.get("reason") or "").strip()
    if not reason:
        raise _invalid({"reason": ["say why the matter is sent back"]})
    back = {"at": now, "by": actor["username"], "reason": reason, "done": matter.get("done")}
    return Change(
        "send_back",
        status,
        {"done": None, "sent_back": [*(matter.get("sent_back") or []), back]},
        "matter.sent_back",
        data=event_data({**matter, "status": status}, reason=reason),
        timeline=_entry("send_back", actor, now, reason=reason),
    )


def flag_risk(matter, now):
    status = matter_workflow.check("flag_risk", matter["status"], matter_workflow.SYSTEM)
    return Change(
        "flag_risk",
        status,
        {},
        None,
        timeline={"at": now, "action": "flag_risk", "by": matter_workflow.SYSTEM},
    )


ACTIONS = {"publish", "claim", "progress", "done", "confirm", "send_back"}


def allowed_actions(matter, actor, now=None):
    """The action endpoints (`POST /matters/{id}/<action>`) this user may post now."""
    role, status, out = actor["role"], matter["status"], []
    unit = actor.get("unit")
    if matter_workflow.allowed("publish", status, role):
        out.append("publish")
    if matter_workflow.allowed("claim", status, role):
        if role == "leader" and not matter.get("leader"):
            out.append("claim")
        elif role != "leader" and matter.get("claimable") and unit not in units_of(matter):
            out.append("claim")
    if unit in units_of(matter) and (
        matter_workflow.allowed("start", status, role)
        or matter_workflow.allowed("progress", status, role)
    ):
        out.append("progress")
    if unit == matter.get("lead_unit") and matter_workflow.allowed("report_done", status, role):
        out.append("done")
    for action in ("confirm", "send_back"):
        if matter_workflow.allowed(action, status, role):
            out.append(action)
    return out


# --- views -----------------------------------------------------------------------------


def warning(matter, now):
    """red: a milestone overdue or reports stale; yellow: a milestone due within its last
    fifth; None otherwise (and for a matter not running)."""
    if matter["status"] not in matter_workflow.RUNNING:
        return None
    if risky(matter, now):
        return "red"
    return "yellow" if watch.yellow(matter, now) else None


def _times(doc, keys):
    return {k: isoformat(doc.get(k)) if doc.get(k) else doc.get(k) for k in keys}


def milestone_view(m):
    return {
        "id": m["id"],
        "title": m["title"],
        "due_at": isoformat(m["due_at"]),
        "done_at": isoformat(m.get("done_at")),
        "on_time": None if not m.get("done_at") else m["done_at"] <= m["due_at"],
    }


def report_view(r):
    return {**r, "at": isoformat(r["at"])}


def staff_view(matter, actor, now):
    out = {k: v for k, v in matter.items() if k not in ("outbox", "outbox_since", "_id")}
    out["id"] = matter["_id"]
    out.update(
        _times(
            matter,
            ("starts_at", "ends_at", "created_at", "updated_at", "published_at", "last_report_at"),
        )
    )
    out["closed_at"] = isoformat(matter.get("closed_at"))
    out["milestones"] = [milestone_view(m) for m in matter["milestones"]]
    out["progress"] = [report_view(r) for r in matter.get("progress") or []]
    out["claims"] = [{**c, "at": isoformat(c["at"])} for c in matter.get("claims") or []]
    out["timeline"] = [{**e, "at": isoformat(e["at"])} for e in matter.get("timeline") or []]
    for key in ("done", "confirmed"):
        if matter.get(key):
            out[key] = {**matter[key], "at": isoformat(matter[key]["at"])}
    out["sent_back"] = [
        {"at": isoformat(b["at"]), "by": b["by"], "reason": b["reason"]}
        for b in matter.get("sent_back") or []
    ]
    out["warning"] = warning(matter, now)
    out["allowed_actions"] = allowed_actions(matter, actor, now)
    return out


def list_item(matter, now):
    upcoming = [m for m in matter["milestones"] if not m.get("done_at")]
    return {
        "id": matter["_id"],
        "kind": matter["kind"],
        "title": matter["title"],
        "status": matter["status"],
        "lead_unit": matter.get("lead_unit"),
        "co_units": matter.get("co_units") or [],
        "leader": matter.get("leader"),
        "claimable": matter.get("claimable", False),
        "percent": matter.get("percent", 0),
        "ends_at": isoformat(matter["ends_at"]),
        "next_milestone": milestone_view(upcoming[0]) if upcoming else None,
        "last_report_at": isoformat(matter.get("last_report_at")),
        "warning": warning(matter, now),
        "year": (matter.get("source") or {}).get("year"),
    }


def matches(matter, query, actor):
    if not visible(matter, actor):
        return False
    if query.get("status") and matter["status"] != query["status"]:
        return False
    if query.get("kind") and matter["kind"] != query["kind"]:
        return False
    if query.get("unit") and query["unit"] not in units_of(matter):
        return False
    if query.get("year") and (matter.get("source") or {}).get("year") != query["year"]:
        return False
    if query.get("claimable") is not None and bool(matter.get("claimable")) != query["claimable"]:
        return False
    return True
