"""Routing use cases: the rules on a received case, the dispatcher's hand, the return (退单) and its
ruling. Each staff action is `use_case(deps, action, case_id, actor, body)` (lianxin/cases.Deps)."""

import logging
from datetime import timedelta

from lianxin import allowed, cases, casestore, settings, workflow
from lianxin.cases import Change, unassigned
from lianxin.clock import isoformat, parse_iso
from lianxin.errors import Forbidden, ValidationFailed, WrongState
from lianxin.schemas import COLLECTIVE_THRESHOLD

from . import domain

log = logging.getLogger(__name__)
ROUTER = {"username": "routing", "role": workflow.SYSTEM, "unit": None, "name": "routing"}


def load_directory(db):
    return domain.Directory(units=list(db.units.find()), leaders=list(db.leaders.find()))


def load_rules(db):
    return list(db.routing_rules.find())


def route_case(db, publisher, call, now, case_id):
    """Route a received case by the rules (docs/contract.md §4). Safe to run any number of times:
    only a case still `received` and not yet queued is touched, with a compare-and-set.
    Once the case needs routing no more, its `unrouted` note (intake's) is removed."""
    result = _route(db, publisher, call, now, case_id)
    if result != "conflict":
        db.unrouted.delete_one({"_id": case_id})
    return result


def _route(db, publisher, call, now, case_id):
    case = db.cases.find_one({"_id": case_id})
    if case is None:
        log.warning("route: no case %s", case_id)
        return "missing"
    if case["status"] != "received" or (case.get("routing") or {}).get("queued"):
        return "skipped"
    directory = load_directory(db)
    decision = domain.route(case, load_rules(db), directory)
    if decision.queued:
        queued = casestore.for_db(db).apply(
            case,
            casestore.Write(
                set={
                    "routing": {
                        "queued": True,
                        "at": now,
                        "fired": decision.fired,
                        "reasons": decision.reasons,
                    }
                },
                push={
                    "timeline": cases.timeline_entry(
                        now,
                        ROUTER,
                        "queued",
                        "no routing rule found a unit; waiting for manual dispatch",
                    )
                },
            ),
            [],
            now,
        )
        return "queued" if queued else "conflict"
    try:
        cases.apply(
            db,
            publisher,
            now,
            case,
            ROUTER,
            "route",
            assignment_change(db, call, now, case, decision, ROUTER, directory.units),
            reload=False,
        )
    except WrongState:
        return "conflict"  # someone else acted first; the next look sees what they did
    return "assigned"


def assignment_change(db, call, now, case, decision, actor, units=None):
    """Give a case its lead unit (and co-units, leader) and start the clock of this
    assignment with supervision, which owns deadlines (docs/decisions/0004). `units`: the
    units read already (the router's directory), else the lead unit is read."""
    complexity = decision.complexity or case.get("complexity", "general")
    # 首问负责: the leader who received the citizen stays on the case, whatever a rule or a
    # dispatcher names (docs/contract.md §13).
    leader = (case.get("reception") or {}).get("leader") or decision.leader
    urgency = decision.urgency or case.get("urgency", "normal")
    seq = case.get("assignment_count", 0) + 1
    facts = {**domain.facts_of(case), "complexity": complexity, "urgency": urgency}
    facts.pop("text", None)
    facts.pop("received_by", None)
    clock = call("supervision", "start_clock", case["_id"], seq, facts, isoformat(now))
    if units is not None:
        unit = next((u for u in units if u["_id"] == decision.lead_unit), {})
    else:
        unit = db.units.find_one({"_id": decision.lead_unit}) or {}
    change = Change(
        "case.assigned",
        public_note=f"转交{unit.get('name', decision.lead_unit)}办理",
        note="; ".join(decision.fired) or None,
        set={
            "complexity": complexity,
            "urgency": urgency,
            "assignment_count": seq,
            "assignment": {
                "lead_unit": decision.lead_unit,
                "co_units": decision.co_units,
                "leader": leader,
                "assigned_at": now,
                "claimed_at": None,
                "due_at": parse_iso(clock["due_at"]),
                "extended_to": None,
                "clock_started_at": now,
                "yellow_at": cases.yellow_at(now, parse_iso(clock["due_at"])),
                "co_due_at": parse_iso(clock["co_due_at"]) if decision.co_units else None,
            },
            "routing": {
                "queued": False,
                "at": now,
                "fired": decision.fired,
                "reasons": decision.reasons,
                "by": actor["username"],
            },
        },
        data={
            "lead_unit": decision.lead_unit,
            "co_units": decision.co_units,
            "leader": leader,
            "due_at": clock["due_at"],
            "policy": clock["policy"],
            "rules": decision.fired,
            "complexity": complexity,
            "urgency": urgency,
            "seq": seq,
        },
    )
    if leader:
        change.add_to_set["flags"] = "leader_led"
    return change


def _checked_decision(db, body):
    """A dispatcher's assignment, checked against the directory (422 on unknown names)."""
    errors = {}
    units = [body["lead_unit"], *body.get("co_units", [])]
    known = {u["_id"] for u in db.units.find({"_id": {"$in": units}})}
    unknown = [u for u in units if u not in known]
    if unknown:
        errors["lead_unit" if body["lead_unit"] in unknown else "co_units"] = [
            f"unknown unit(s): {', '.join(unknown)}"
        ]
    if body.get("leader") and not db.leaders.find_one({"_id": body["leader"]}):
        errors["leader"] = [f"unknown leader {body['leader']!r}"]
    if errors:
        raise ValidationFailed("the assignment is not valid", {"fields": errors})
    return domain.Decision(
        lead_unit=body["lead_unit"],
        co_units=[u for u in body.get("co_units", []) if u != body["lead_unit"]],
        leader=body.get("leader"),
        complexity=body.get("complexity"),
        urgency=body.get("urgency"),
        fired=["manual"],
    )


def assign(deps, action, case_id, actor, body):
    """The dispatcher assigns from the manual queue, or re-routes an assigned case."""
    db, call, now = deps.db, deps.call, deps.now
    decision = _checked_decision(db, body)
    return cases.act(
        db,
        deps.publisher,
        now,
        case_id,
        actor,
        action,
        lambda case: assignment_change(db, call, now, case, decision, actor),
    )


def request_return(deps, action, case_id, actor, body):
    """退单: the lead unit asks, with a reason, within the claim window (1 working day)."""
    now = deps.now

    def decide(case):
        if not allowed.is_lead_unit(case, actor):
            raise Forbidden("only the lead unit may ask to return a case", {})
        ends = allowed.claim_window_ends(case, settings.TIMEZONE)
        if now > ends:
            raise WrongState(
                "the claim window has passed; ask the office by other means",
                {"claim_window_ended": isoformat(ends)},
            )
        count = case.get("returns_count", 0) + 1
        change = Change(
            "case.returned",
            note=body["reason"],
            inc={"returns_count": 1},
            set={
                "return_request": {
                    "reason": body["reason"],
                    "at": now,
                    "by": actor["username"],
                    "unit": actor["unit"],
                }
            },
            data={"stage": "requested", "reason": body["reason"], "returns": count},
        )
        if count >= settings.RETURNS_FLAG_AT:
            change.add_to_set["flags"] = "repeatedly_returned"
        return change

    return cases.act(deps.db, deps.publisher, now, case_id, actor, action, decide)


def decide_return(deps, action, case_id, actor, body):
    """Accepted → back to the manual queue, or straight to `lead_unit` with a new clock
    (`redispatch`); refused → back to the unit, the clock still running. One endpoint, three
    actions of the workflow: the body picks which."""
    db, publisher, call, now = deps.db, deps.publisher, deps.call, deps.now
    if not body["accept"]:
        return cases.act(
            db,
            publisher,
            now,
            case_id,
            actor,
            "refuse_return",
            lambda case: Change(
                "case.returned",
                note=body.get("comment"),
                data={"stage": "refused", "comment": body.get("comment")},
            ),
        )
    if body.get("lead_unit"):
        decision = _checked_decision(
            db, {"lead_unit": body["lead_unit"], "co_units": body.get("co_units", [])}
        )

        def redispatch(case):
            change = assignment_change(db, call, now, case, decision, actor)
            change.note = body.get("comment")
            change.data["returned_from"] = case["assignment"]["lead_unit"]
            return change  # straight to the new unit, not via the queue

        return cases.act(db, publisher, now, case_id, actor, "redispatch", redispatch)
    return cases.act(
        db,
        publisher,
        now,
        case_id,
        actor,
        "accept_return",
        lambda case: Change(
            "case.returned",
            note=body.get("comment"),
            set={
                "routing": {
                    "queued": True,
                    "at": now,
                    "fired": [],
                    "by": actor["username"],
                    "reasons": ["returned by the unit; waiting for manual dispatch"],
                },
                "assignment": unassigned(),
            },
            data={
                "stage": "accepted",
                "comment": body.get("comment"),
                "returned_from": case["assignment"]["lead_unit"],
            },
        ),
    )


def dry_run(db, case_body):
    """Which rule would fire for a case body, and why (docs/contract.md §4 dry-run)."""
    try:
        people = int(case_body.get("people_involved", 1))
    except (TypeError, ValueError):
        raise ValidationFailed(
            "the case body is not valid", {"fields": {"people_involved": ["not an integer"]}}
        )
    case = {
        "kind": case_body.get("kind"),
        "topic": case_body.get("topic"),
        "channel": case_body.get("channel", "web"),
        "title": case_body.get("title", ""),
        "content": case_body.get("content", ""),
        "location": case_body.get("location") or {},
        "flags": ["collective"] if people >= COLLECTIVE_THRESHOLD else [],
        "complexity": case_body.get("complexity", "general"),
        "urgency": case_body.get("urgency", "normal"),
        "received_by": case_body.get("received_by"),
    }
    decision = domain.route(case, load_rules(db), load_directory(db))
    return {
        "lead_unit": decision.lead_unit,
        "co_units": decision.co_units,
        "leader": decision.leader,
        "complexity": decision.complexity,
        "urgency": decision.urgency,
        "fired": decision.fired,
        "reasons": decision.reasons,
        "queued": decision.queued,
    }


def reroute_stuck(db, publisher, call, now, grace_seconds, limit=200):
    """Re-drive received cases whose `case.received` never got routed (a lost message,
    routing down when it came, a failed call): the sweeper of docs/platform.md §2. Reads intake's
    `unrouted` notes (the cases not routed yet), not `cases`."""
    cutoff = now - timedelta(seconds=grace_seconds)
    _note_old_unrouted(db, cutoff)
    done = 0
    for note in db.unrouted.find({"at": {"$lt": cutoff}}).limit(limit):
        # A case whose case.received is still in its outbox waits for the relay: routed
        # first, the feed would show it assigned before it was received.
        case = db.cases.find_one({"_id": note["_id"]}, {"outbox": 1})
        if case and case.get("outbox"):
            continue
        try:
            if route_case(db, publisher, call, now, note["_id"]) in ("assigned", "queued"):
                done += 1
        except Exception:
            log.exception("re-routing %s failed; will try again", note["_id"])
    return done


def _note_old_unrouted(db, cutoff):
    """Once per store: notes for received cases stored before intake wrote notes."""
    if db.upgrades.find_one({"_id": "unrouted-notes"}):
        return
    for case in db.cases.find({"status": "received"}, {"received_at": 1}):
        db.unrouted.update_one(
            {"_id": case["_id"]},
            {"$setOnInsert": {"at": case.get("received_at") or cutoff}},
            upsert=True,
        )
    db.upgrades.update_one({"_id": "unrouted-notes"}, {"$set": {"at": cutoff}}, upsert=True)


ACTIONS = {"assign": assign, "request_return": request_return, "decide_return": decide_return}
