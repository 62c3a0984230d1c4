"""Routing use cases: apply the rules to a received case, assign it, or queue it."""
import logging
from datetime import timedelta

from lianxin import outbox, workflow
from lianxin.clock import isoformat, parse_iso
from lianxin.events import make_event

from . import domain

log = logging.getLogger(__name__)


def load_directory(db):
    return domain.Directory(units=list(db.units.find()), leaders=list(db.leaders.find()))


def load_rules(db):
    return list(db.routing_rules.find())


def _entry(now, action, note=None, public=False, actor="routing", role=workflow.SYSTEM):
    return {"at": now, "actor": actor, "role": role, "action": action, "note": note,
            "public": public}


def route_case(db, publisher, call, now, case_id):
    """Route a received case by the rules (SPEC §4). Safe to run any number of times:
    only a case still `received` and not yet queued is touched, with a compare-and-set."""
    case = db.cases.find_one({"_id": case_id})
    if case is None:
        log.warning("route: no case %s", case_id)
        return "missing"
    if case["status"] != "received" or (case.get("routing") or {}).get("queued"):
        return "skipped"
    decision = domain.route(case, load_rules(db), load_directory(db))
    if decision.queued:
        result = db.cases.update_one(
            {"_id": case_id, "version": case["version"], "status": "received"},
            {"$set": {"routing": {"queued": True, "at": now, "fired": decision.fired,
                                  "reasons": decision.reasons}},
             "$inc": {"version": 1},
             "$push": {"timeline": _entry(now, "queued", "no routing rule found a unit; "
                                                          "waiting for manual dispatch")}})
        return "queued" if result.modified_count else "skipped"
    return assign(db, publisher, call, now, case, decision, actor="routing",
                  role=workflow.SYSTEM, action="route")


def assign(db, publisher, call, now, case, decision, actor, role, action):
    """Give a case its lead unit (and co-units, leader), start its clock, publish
    `case.assigned`. The compare-and-set on `version` makes one of two racing writers win."""
    workflow.check(action, case["status"], role)
    complexity = decision.complexity or case.get("complexity", "general")
    urgency = decision.urgency or case.get("urgency", "normal")
    seq = case.get("assignment_count", 0) + 1
    facts = {**domain.facts_of(case), "complexity": complexity, "urgency": urgency}
    facts.pop("text", None)
    clock = call("supervision", "start_clock", case["_id"], seq, facts, isoformat(now))
    due = parse_iso(clock["due_at"])
    units = [decision.lead_unit] + list(decision.co_units)
    flags = list(case.get("flags", []))
    if decision.leader and "leader_led" not in flags:
        flags.append("leader_led")
    names = {u["_id"]: u.get("name", u["_id"]) for u in db.units.find({"_id": {"$in": units}})}
    event = make_event("case.assigned", now=now, case_id=case["_id"], units=units, actor=actor,
                       data={"lead_unit": decision.lead_unit, "co_units": decision.co_units,
                             "leader": decision.leader, "due_at": clock["due_at"],
                             "policy": clock["policy"], "rules": decision.fired,
                             "complexity": complexity, "urgency": urgency, "seq": seq})
    update = outbox.with_events({
        "$set": {"status": "assigned", "complexity": complexity, "urgency": urgency,
                 "flags": flags, "assignment_count": seq,
                 "assignment": {"lead_unit": decision.lead_unit,
                                "co_units": decision.co_units, "leader": decision.leader,
                                "assigned_at": now, "claimed_at": None, "due_at": due,
                                "extended_to": None},
                 "routing": {"queued": False, "at": now, "fired": decision.fired,
                             "reasons": decision.reasons, "by": actor}},
        "$inc": {"version": 1},
        "$push": {"timeline": _entry(now, "assigned", f"转交{names.get(decision.lead_unit)}办理",
                                     public=True, actor=actor, role=role)},
    }, [event], now)
    result = db.cases.update_one(
        {"_id": case["_id"], "version": case["version"], "status": case["status"]}, update)
    if not result.modified_count:
        return "skipped"  # someone else acted first; their change stands
    outbox.flush(db, publisher, case["_id"], [event])
    return "assigned"


def reroute_stuck(db, publisher, call, now, grace_seconds, limit=200):
    """Re-drive received cases whose `case.received` never got routed (a lost message,
    routing down when it came, a failed call): the sweeper of STACK.md."""
    cutoff = now - timedelta(seconds=grace_seconds)
    done = 0
    for case in db.cases.find({"status": "received", "received_at": {"$lt": cutoff}},
                              {"routing": 1}).limit(limit):
        if (case.get("routing") or {}).get("queued"):
            continue
        try:
            if route_case(db, publisher, call, now, case["_id"]) in ("assigned", "queued"):
                done += 1
        except Exception:
            log.exception("re-routing %s failed; will try again", case["_id"])
    return done
