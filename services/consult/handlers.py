"""Consultation and notice use cases (征求意见 · 公示): publish, take comments and objections,
reports and moderation, decisions, turning a comment into a case, the summary. Each takes
its dependencies (db, publisher, now, …) as arguments; the rules are in `consultations.py`."""

import uuid
from datetime import datetime

from bson import ObjectId

from lianxin import settings
from lianxin.auth import OFFICE_ROLES, UNIT_ROLES
from lianxin.clock import isoformat
from lianxin.errors import Forbidden, NotFound, ValidationFailed, WrongState
from lianxin.events import event_id_for, make_event

from . import consultations as rules
from . import drafts, store

C, CM = "consultations", "consult_comments"
# Who runs consultations: the office's clerks, dispatchers and supervisors (and the admin);
# the responsible unit's staff decide on the comments too; a supervisor, the admin or the
# responsible unit's leader approves the summary.
MANAGERS = ("clerk", "dispatcher", "supervisor", "admin")
APPROVERS = ("supervisor", "admin")


def may_manage(actor):
    if actor["role"] not in MANAGERS:
        raise Forbidden(f"a {actor['role']} may not run consultations", {"allowed": list(MANAGERS)})


def may_decide(actor, consultation):
    if actor["role"] in MANAGERS:
        return
    if actor["role"] in UNIT_ROLES and actor.get("unit") == consultation["unit"]:
        return
    raise Forbidden("only the office or the responsible unit decides on comments", {})


def may_approve(actor, consultation):
    if actor["role"] in APPROVERS:
        return
    if actor["role"] == "unit_leader" and actor.get("unit") == consultation["unit"]:
        return
    raise Forbidden("a supervisor or the responsible unit's leader approves the summary", {})


def may_read(actor):
    if actor["role"] not in OFFICE_ROLES + UNIT_ROLES:
        raise Forbidden("staff only", {})


def consult_event(type_, now, consultation, actor, data):
    return make_event(
        type_,
        now=now,
        units=[consultation["unit"]],
        actor=actor,
        data={
            "consultation_id": consultation["_id"],
            "kind": consultation["kind"],
            "unit": consultation["unit"],
            "title": consultation["title"],
            **data,
        },
    )


# --- the consultation ---------------------------------------------------------------------


def create(db, now, actor, body):
    """A draft consultation or notice, its sections parsed from the text (not public yet)."""
    may_manage(actor)
    rules.check_period(body["opens_at"], body["closes_at"])
    if db.units.estimated_document_count() and not db.units.find_one({"_id": body["unit"]}):
        raise ValidationFailed(
            "no such unit", {"fields": {"unit": [f"unknown unit {body['unit']!r}"]}}
        )
    try:
        sections = drafts.parse_sections(body["text"]) if body["kind"] == "consultation" else []
    except ValueError as exc:
        raise ValidationFailed(str(exc), {"fields": {"text": [str(exc)]}}) from exc
    doc = {
        "_id": f"CN-{uuid.uuid4().hex[:12]}",
        "kind": body["kind"],
        "title": body["title"],
        "text": body["text"],
        "sections": sections,
        "unit": body["unit"],
        "opens_at": body["opens_at"],
        "closes_at": body["closes_at"],
        "allow_anonymous": body.get("allow_anonymous", True),
        "moderation": body.get("moderation", "post"),
        "object_to": body.get("object_to"),
        "status": "draft",
        "created_by": actor["username"],
        "created_at": now,
        "summary": None,
        "closed_noted": False,
    }
    store.insert(db, None, now, C, doc, [])
    return view(doc, now)


def publish(db, publisher, now, actor, cid):
    may_manage(actor)
    c = store.get(db, C, cid, "consultation")
    if c["status"] != "draft":
        raise WrongState("published already", {"status": c["status"]})
    after = {**c, "status": "published", "published_at": now, "published_by": actor["username"]}
    event = consult_event(
        "consultation.published",
        now,
        c,
        actor["username"],
        {
            "title": c["title"],
            "opens_at": isoformat(c["opens_at"]),
            "closes_at": isoformat(c["closes_at"]),
        },
    )
    return view(store.save(db, publisher, now, C, c, after, [event]), now)


def view(c, now, comments=None):
    out = {
        "id": c["_id"],
        "kind": c["kind"],
        "title": c["title"],
        "text": c["text"],
        "sections": c["sections"],
        "unit": c["unit"],
        "opens_at": isoformat(c["opens_at"]),
        "closes_at": isoformat(c["closes_at"]),
        "allow_anonymous": c.get("allow_anonymous", True),
        "moderation": c.get("moderation", "post"),
        "object_to": c.get("object_to"),
        "status": c["status"],
        "phase": rules.phase(c, now),
        "summary_status": (c.get("summary") or {}).get("status"),
    }
    if comments is not None:
        out["comments"] = comments
    return out


def list_consultations(db, now, actor=None):
    """Staff see every one; the public the published ones."""
    query = {} if actor else {"status": "published"}
    found = sorted(db[C].find(query), key=lambda c: (c.get("opens_at"), c["_id"]), reverse=True)
    return {"items": [view(c, now) for c in found]}


def public_consultation(db, now, cid):
    """The draft and its shown comments, masked; never a draft not yet published."""
    c = store.get(db, C, cid, "consultation")
    if c["status"] != "published":  # a draft is not there for the public
        raise NotFound(f"no consultation {cid}", {})
    shown = [cm for cm in db[CM].find({"consultation_id": cid}) if cm["status"] == "shown"]
    shown.sort(key=lambda cm: (cm["received_at"], cm["_id"]))
    return view(c, now, [_iso(rules.public_comment(cm)) for cm in shown])


def _iso(d):
    """Every time as RFC 3339 (a moderation's or decision's `at` too): over RPC a datetime stays
    a datetime, and the gateway would write it as an HTTP date."""
    return {k: isoformat(v) if isinstance(v, datetime) else v for k, v in d.items()}


# --- comments -----------------------------------------------------------------------------


def comment(db, publisher, now, cid, body, request_key):
    """Take a comment (on a notice: an objection) once per request key; 409 outside the
    period. Answers {id, status}."""
    c = store.get(db, C, cid, "consultation")
    if c["status"] != "published":
        raise NotFound(f"no consultation {cid}", {})
    comment_id = store.derived_id("CM", cid, request_key, secret=settings.SECRET_KEY)
    existing = db[CM].find_one({"_id": comment_id})
    if existing is None:
        rules.check_comment(c, now, body)
        doc = rules.new_comment(comment_id, c, body, now, request_key)
        event = consult_event(
            "comment.received",
            now,
            c,
            "citizen",
            {
                "comment_id": comment_id,
                "section": doc["section"],
                "status": doc["status"],
                "comment_kind": doc["kind"],
            },
        )
        if not store.insert(db, publisher, now, CM, doc, [event]):
            existing = db[CM].find_one({"_id": comment_id})
        else:
            return {"id": comment_id, "status": doc["status"]}
    store.finish(db, publisher, CM, existing)  # a retry: what the first try left unpublished
    return {"id": existing["_id"], "status": existing["status"]}


def report(db, publisher, now, cid, comment_id, reason, reporter):
    """A citizen reports a shown comment; past LX_CONSULT_REPORTS_TO_HOLD it is held."""
    cm = comment_of(db, cid, comment_id)
    if cm["status"] != "shown":
        return {"id": comment_id, "reported": True}  # nothing to say about what is not shown
    c = store.get(db, C, cid, "consultation")
    after, held = rules.report(cm, reason, reporter, now, settings.CONSULT_REPORTS_TO_HOLD)
    events = (
        [
            consult_event(
                "comment.held",
                now,
                c,
                "system",
                {"comment_id": comment_id, "reports": len(after["reports"])},
            )
        ]
        if held
        else []
    )
    store.save(db, publisher, now, CM, cm, after, events)
    return {"id": comment_id, "reported": True}


def comment_of(db, cid, comment_id):
    cm = store.get(db, CM, comment_id, "comment")
    if cm["consultation_id"] != cid:
        raise NotFound(f"no comment {comment_id}", {})
    return cm


def staff_comment(cm):
    decision = cm.get("decision")
    return {
        "id": cm["_id"],
        "consultation_id": cm["consultation_id"],
        "kind": cm["kind"],
        "section": cm.get("section"),
        "text": cm["text"],
        "contact": cm.get("contact"),
        "anonymous": cm.get("anonymous"),
        "status": cm["status"],
        "moderation": _iso(cm["moderation"]) if cm.get("moderation") else None,
        "reports": len(cm.get("reports", [])),
        "report_reasons": sorted({r["reason"] for r in cm.get("reports", [])}),
        "decision": _iso(decision) if decision else None,
        "case_id": cm.get("case_id"),
        "received_at": isoformat(cm["received_at"]),
    }


def list_comments(db, actor, cid, query):
    """The moderation queue and the decision list: by status, decided or not, section."""
    may_read(actor)
    store.get(db, C, cid, "consultation")
    found = []
    for cm in db[CM].find({"consultation_id": cid}):
        if query.get("status") and cm["status"] != query["status"]:
            continue
        if query.get("decided") is not None and bool(cm.get("decision")) != query["decided"]:
            continue
        if query.get("section") and cm.get("section") != query["section"]:
            continue
        if query.get("reported") and not cm.get("reports"):
            continue
        found.append(cm)
    found.sort(key=lambda cm: (cm["received_at"], cm["_id"]))
    return {"items": [staff_comment(cm) for cm in found], "total": len(found)}


def moderate(db, publisher, now, actor, cid, ids, status, reason):
    """Show, hold or hide comments (one or many: the queue's bulk action). Each is its own
    write; the answer lists what was done and what failed (someone acted first)."""
    may_manage(actor)
    rules.check_moderation(status, reason)
    c = store.get(db, C, cid, "consultation")
    done, failed = [], []
    for comment_id in ids:
        try:
            cm = comment_of(db, cid, comment_id)
            after = rules.moderate(cm, status, reason, actor, now)
            event = consult_event(
                "comment.moderated",
                now,
                c,
                actor["username"],
                {"comment_id": comment_id, "status": status},
            )
            store.save(db, publisher, now, CM, cm, after, [event])
            db.consult_log.insert_one(
                {
                    "_id": str(ObjectId()),  # time-ordered: the log reads in order
                    "consultation_id": cid,
                    "comment_id": comment_id,
                    "action": status,
                    "reason": reason,
                    "by": actor["username"],
                    "at": now,
                }
            )
            done.append(comment_id)
        except (WrongState, NotFound) as exc:  # a bad status or reason fails them all (422)
            failed.append({"id": comment_id, "error": exc.message})
    return {"done": done, "failed": failed}


def moderation_log(db, actor, cid):
    may_read(actor)
    entries = sorted(
        db.consult_log.find({"consultation_id": cid}), key=lambda e: (e["at"], e["_id"])
    )
    return {
        "items": [
            {k: (isoformat(v) if k == "at" else v) for k, v in e.items() if k != "_id"}
            for e in entries
        ]
    }


def decide(db, publisher, now, actor, cid, comment_id, decision, reason):
    """The decision on one comment; the commenter with a contact is told (notify, by the
    `comment.decided` event). Fixed once the summary is published."""
    c = store.get(db, C, cid, "consultation")
    may_decide(actor, c)
    if (c.get("summary") or {}).get("status") == "published":
        raise WrongState("the summary is published; decisions are final", {})
    cm = comment_of(db, cid, comment_id)
    after = rules.decide(cm, decision, reason, actor, now)
    event = consult_event(
        "comment.decided",
        now,
        c,
        actor["username"],
        {
            "comment_id": comment_id,
            "decision": decision,
            "reason": reason or "",
            "section": cm.get("section"),
        },
    )
    return staff_comment(store.save(db, publisher, now, CM, cm, after, [event]))


def to_case(db, publisher, now, actor, cid, comment_id, body, register):
    """A comment that raises a matter of its own becomes a case, registered by intake
    (`register`, its RPC); the comment keeps the case number and the case its origin."""
    c = store.get(db, C, cid, "consultation")
    cm = comment_of(db, cid, comment_id)
    if cm.get("case_id"):
        return staff_comment(cm)
    contact = cm.get("contact") or {}
    citizen = {k: contact[k] for k in ("name", "phone", "email") if contact.get(k)}
    payload = {
        "channel": "web",
        "kind": body.get("kind", "suggestion"),
        "topic": body.get("topic", "other"),
        "title": body.get("title") or f"{c['title']}：意见 {comment_id}",
        "content": cm["text"],
        "citizen": citizen if citizen.get("phone") or citizen.get("email") else {"anonymous": True},
        "origin": {"consultation_id": cid, "comment_id": comment_id},
    }
    receipt = register(payload, f"consult:{comment_id}", actor)
    cm = comment_of(db, cid, comment_id)
    after = {
        **cm,
        "case_id": receipt["id"],
        "history": cm["history"]
        + [{"at": now, "action": "case", "by": actor["username"], "case_id": receipt["id"]}],
    }
    event = consult_event(
        "comment.case_opened",
        now,
        c,
        actor["username"],
        {"comment_id": comment_id, "case_id": receipt["id"]},
    )
    return staff_comment(store.save(db, publisher, now, CM, cm, after, [event]))


def staff_consultation(db, now, actor, cid):
    may_read(actor)
    c = store.get(db, C, cid, "consultation")
    return view(c, now)


# --- the close, once -----------------------------------------------------------------------


def note_closed(db, publisher, now):
    """`consultation.closed` once for each published consultation whose period has ended
    (the event's id is derived from it: a second sweep re-emits the same event)."""
    n = 0
    for c in db[C].find({"status": "published", "closed_noted": False}):
        if now < c["closes_at"]:
            continue
        event = consult_event("consultation.closed", now, c, "system", {"title": c["title"]})
        event["event_id"] = event_id_for(f"consultation.closed:{c['_id']}")
        n += store.flag(
            db,
            publisher,
            now,
            C,
            c["_id"],
            {"closed_noted": False},
            {"closed_noted": True},
            [event],
        )
    return n
