"""Survey use cases (民意调查): build and publish a survey, take answers (online, by link
token, from a case's citizen, or entered by a clerk from a call), results, their publication
after the close, and satisfaction surveys sent to a sample of the citizens of closed cases.
The rules are in `surveys.py`."""

import random
import re
import secrets
import uuid

from lianxin import settings
from lianxin.access import code_matches
from lianxin.auth import OFFICE_ROLES
from lianxin.clock import isoformat
from lianxin.errors import Forbidden, NotFound, ValidationFailed, WrongState
from lianxin.events import event_id_for, make_event

from . import store
from . import surveys as rules

S, A, T = "surveys", "survey_answers", "survey_tokens"
MANAGERS = ("clerk", "dispatcher", "supervisor", "admin")
PHONE_CLERKS = ("clerk", "dispatcher", "supervisor", "admin")
MAX_SAMPLE = 500


def _may_manage(actor):
    if actor["role"] not in MANAGERS:
        raise Forbidden(f"a {actor['role']} may not run surveys", {"allowed": list(MANAGERS)})


def _event(type_, now, survey, actor, data=None, case_id=None, event_id=None):
    return make_event(
        type_,
        now=now,
        case_id=case_id,
        units=[survey.get("unit") or settings.OFFICE_UNIT],
        actor=actor,
        data={"survey_id": survey["_id"], "title": survey["title"], **(data or {})},
        event_id=event_id,
    )


def create(db, now, actor, body):
    _may_manage(actor)
    doc = {
        "_id": f"SV-{uuid.uuid4().hex[:12]}",
        "title": body["title"],
        "intro": body.get("intro", ""),
        "purpose": body.get("purpose", "opinion"),
        "unit": body.get("unit"),
        "questions": body["questions"],
        "opens_at": body["opens_at"],
        "closes_at": body["closes_at"],
        "identity": body.get("identity", "anonymous"),
        "once_per": body.get("once_per"),
        "status": "draft",
        "results_published": False,
        "closed_noted": False,
        "created_by": actor["username"],
        "created_at": now,
        "sample": None,
    }
    if doc["purpose"] == "satisfaction":
        doc["once_per"] = "case"  # the case's citizen answers, with the tracking number and code
    rules.check_definition(doc)
    store.insert(db, None, now, S, doc, [])
    return view(doc, now)


def view(s, now, staff=True):
    out = {
        "id": s["_id"],
        "title": s["title"],
        "intro": s.get("intro", ""),
        "purpose": s.get("purpose", "opinion"),
        "unit": s.get("unit"),
        "questions": s["questions"],
        "opens_at": isoformat(s["opens_at"]),
        "closes_at": isoformat(s["closes_at"]),
        "identity": s.get("identity"),
        "once_per": s.get("once_per"),
        "status": s["status"],
        "phase": rules.phase(s, now),
        "results_published": s.get("results_published", False),
    }
    if staff and s.get("sample"):
        out["sample"] = {
            k: (isoformat(v) if k in ("from", "to") else v) for k, v in s["sample"].items()
        }
    return out


def publish(db, publisher, now, actor, sid):
    _may_manage(actor)
    s = store.get(db, S, sid, "survey")
    if s["status"] != "draft":
        raise WrongState("published already", {"status": s["status"]})
    after = {**s, "status": "published", "published_at": now}
    event = _event(
        "survey.published", now, s, actor["username"], {"closes_at": isoformat(s["closes_at"])}
    )
    return view(store.save(db, publisher, now, S, s, after, [event]), now)


def get(db, now, sid, actor=None):
    s = store.get(db, S, sid, "survey")
    if actor is None and s["status"] != "published":
        raise NotFound(f"no survey {sid}", {})
    if actor is not None and actor["role"] not in OFFICE_ROLES:
        raise Forbidden("staff of the office only", {})
    return view(s, now, staff=actor is not None)


def list_surveys(db, now, actor=None):
    query = {} if actor else {"status": "published"}
    found = sorted(db[S].find(query), key=lambda s: (s["opens_at"], s["_id"]), reverse=True)
    return {"items": [view(s, now, staff=actor is not None) for s in found]}


def _contact_key(contact):
    contact = contact or {}
    if contact.get("phone"):
        return "p:" + re.sub(r"\D", "", contact["phone"])[-11:]
    if contact.get("email"):
        return "e:" + contact["email"].strip().lower()
    return None


def _once_id(db, s, body, request_key):
    """The answer's `_id`: the same for the same contact, token or case, so the store's unique
    `_id` keeps it to one answer; otherwise one per request."""
    once, sid = s.get("once_per"), s["_id"]
    if once == "contact":
        key = _contact_key(body.get("contact"))
        if key is None:
            raise ValidationFailed(
                "give a phone or an e-mail", {"fields": {"contact": ["required"]}}
            )
        return store.derived_id("SA", sid, key, secret=settings.CITIZEN_KEY_SECRET)
    if once == "token":
        token = body.get("token") or ""
        if not db[T].find_one(
            {"_id": store.derived_id("TK", sid, token, secret=settings.SECRET_KEY)}
        ):
            raise NotFound("this survey link is not valid", {})
        return store.derived_id("SA", sid, "token", token, secret=settings.SECRET_KEY)
    if once == "case":
        case_id = body.get("case_id") or ""
        sample = (s.get("sample") or {}).get("case_ids") or []
        case = db.cases.find_one({"_id": case_id}) if case_id in sample else None
        if case is None or not code_matches(case, body.get("code")):
            raise NotFound("no invitation for this tracking number and access code", {})
        return store.derived_id("SA", sid, "case", case_id, secret=settings.SECRET_KEY)
    return store.derived_id("SA", sid, "req", request_key, secret=settings.SECRET_KEY)


def answer(db, now, sid, body, request_key, actor=None):
    """One answer, kept once: a retry of the same request answers as the first time, a second
    answer of the same contact, token or case is 409; after the close 409. A clerk (`actor`)
    enters the answers of a phone call."""
    s = store.get(db, S, sid, "survey")
    if s["status"] != "published":
        raise NotFound(f"no survey {sid}", {})
    if actor is not None and actor["role"] not in PHONE_CLERKS:
        raise Forbidden("a clerk enters phone answers", {})
    rules.check_open(s, now)
    answers = rules.clean_answers(s, body.get("answers"))
    contact = body.get("contact") if s.get("identity") == "contact" else None
    if s.get("identity") == "contact" and not _contact_key(contact) and actor is None:
        raise ValidationFailed("give a phone or an e-mail", {"fields": {"contact": ["required"]}})
    answer_id = _once_id(db, s, body, request_key)
    doc = {
        "_id": answer_id,
        "survey_id": sid,
        "answers": answers,
        "contact": contact,
        "case_id": body.get("case_id") if s.get("once_per") == "case" else None,
        "channel": "phone" if actor else "web",
        "entered_by": actor["username"] if actor else None,
        "received_at": now,
        "request_key": request_key,
    }
    if not store.insert(db, None, now, A, doc, []):
        existing = db[A].find_one({"_id": answer_id})
        if existing is None or existing.get("request_key") != request_key:
            raise WrongState("this survey was answered already", {})
    return {"id": answer_id, "survey_id": sid}


def _answers(db, sid):
    return list(db[A].find({"survey_id": sid}))


def results(db, now, sid, actor=None):
    """Staff see the results any time; the public once the office published them (after the
    close). A satisfaction survey shows the return-visit figures of its period beside."""
    s = store.get(db, S, sid, "survey")
    if actor is None and not s.get("results_published"):
        raise NotFound("the results of this survey are not published", {})
    if actor is not None and actor["role"] not in OFFICE_ROLES:
        raise Forbidden("staff of the office only", {})
    out = {"survey": view(s, now, staff=actor is not None), **rules.results(s, _answers(db, sid))}
    if s.get("purpose") == "satisfaction" and s.get("sample"):
        out["return_visits"] = return_visits(db, s["sample"])
    return out


def return_visits(db, sample):
    """The return-visit ratings of the cases closed in the sample's period (回访满意度)."""
    counts = {"satisfied": 0, "basically_satisfied": 0, "dissatisfied": 0, "none": 0}
    for case in db.cases.find(
        {"status": "closed", "closed_at": {"$gte": sample["from"], "$lt": sample["to"]}},
        {"return_visit": 1},
    ):
        counts[((case.get("return_visit") or {}).get("satisfaction")) or "none"] += 1
    rated = counts["satisfied"] + counts["basically_satisfied"] + counts["dissatisfied"]
    good = counts["satisfied"] + counts["basically_satisfied"]
    return {
        "cases": sum(counts.values()),
        "counts": counts,
        "satisfaction_rate": {
            "numerator": good,
            "denominator": rated,
            "value": round(good / rated, 4) if rated else None,
        },
    }


def export_rows(db, actor, sid):
    if actor["role"] not in OFFICE_ROLES:
        raise Forbidden("staff of the office only", {})
    s = store.get(db, S, sid, "survey")
    found = sorted(_answers(db, sid), key=lambda a: (a["received_at"], a["_id"]))
    return {
        "header": rules.csv_header(s),
        "rows": [rules.csv_row(s, a, isoformat(a["received_at"])) for a in found],
    }


def publish_results(db, publisher, now, actor, sid):
    """The office decides to publish the results: only after the close."""
    _may_manage(actor)
    s = store.get(db, S, sid, "survey")
    if rules.phase(s, now) != "closed":
        raise WrongState(
            "results are published after the survey closes", {"phase": rules.phase(s, now)}
        )
    if s.get("results_published"):
        return view(s, now)
    event = _event("survey.results_published", now, s, actor["username"])
    return view(
        store.save(db, publisher, now, S, s, {**s, "results_published": True}, [event]), now
    )


def issue_tokens(db, now, actor, sid, count):
    """`count` link tokens for a survey answered once per link; shown once, stored keyed by
    their hash."""
    _may_manage(actor)
    s = store.get(db, S, sid, "survey")
    if s.get("once_per") != "token":
        raise WrongState("this survey is not answered by link token", {})
    tokens = [secrets.token_urlsafe(12) for _ in range(count)]
    db[T].insert_many(
        [
            {
                "_id": store.derived_id("TK", sid, t, secret=settings.SECRET_KEY),
                "survey_id": sid,
                "at": now,
            }
            for t in tokens
        ]
    )
    return {"tokens": tokens}


def sample(db, publisher, now, actor, sid, start, end, size, seed=None):
    """A satisfaction survey goes to a random sample of the citizens (with a contact) of the
    cases closed in [start, end); each gets a `survey.invited` event about their case, which
    notify turns into the message."""
    _may_manage(actor)
    s = store.get(db, S, sid, "survey")
    if s.get("purpose") != "satisfaction":
        raise WrongState("only a satisfaction survey is sent to cases' citizens", {})
    if s["status"] != "published" or s.get("sample"):
        raise WrongState("publish it first; a survey is sent once", {})
    closed = [
        c["_id"]
        for c in db.cases.find(
            {"status": "closed", "closed_at": {"$gte": start, "$lt": end}}, {"citizen": 1}
        )
        if (c.get("citizen") or {}).get("phone") or (c.get("citizen") or {}).get("email")
    ]
    closed.sort()
    chosen = sorted(random.Random(seed).sample(closed, min(size, len(closed), MAX_SAMPLE)))
    events = [
        _event(
            "survey.invited",
            now,
            s,
            actor["username"],
            case_id=case_id,
            event_id=event_id_for(f"survey.invited:{sid}:{case_id}"),
        )
        for case_id in chosen
    ]
    picked = {"from": start, "to": end, "size": size, "population": len(closed), "case_ids": chosen}
    return view(store.save(db, publisher, now, S, s, {**s, "sample": picked}, events), now)


def note_closed(db, publisher, now):
    """`survey.closed` once for each published survey whose period has ended."""
    n = 0
    for s in db[S].find({"status": "published", "closed_noted": False}):
        if now < s["closes_at"]:
            continue
        figures = rules.results(s, _answers(db, s["_id"]))
        event = _event(
            "survey.closed",
            now,
            s,
            "system",
            {"responses": figures["responses"]},
            event_id=event_id_for(f"survey.closed:{s['_id']}"),
        )
        n += store.flag(
            db,
            publisher,
            now,
            S,
            s["_id"],
            {"closed_noted": False},
            {"closed_noted": True},
            [event],
        )
    return n
