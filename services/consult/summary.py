"""The summary of a consultation (采纳情况说明): generated from the decisions after the close,
edited by a person, approved (which publishes it); the rules are `consultations.summarize`."""

from lianxin.clock import isoformat
from lianxin.errors import NotFound, WrongState

from . import consultations as rules
from . import store
from .handlers import CM, C, consult_event, may_approve, may_decide, may_read


def generate_summary(db, publisher, now, actor, cid):
    """Generate (or regenerate) the summary from the decisions, after the period closed."""
    c = store.get(db, C, cid, "consultation")
    may_decide(actor, c)
    if rules.phase(c, now) != "closed":
        raise WrongState(
            "the summary is made after the period closes", {"phase": rules.phase(c, now)}
        )
    if (c.get("summary") or {}).get("status") == "published":
        raise WrongState("the summary is published", {})
    figures = rules.summarize(c, list(db[CM].find({"consultation_id": cid})))
    summary = {**figures, "status": "draft", "generated_at": now, "generated_by": actor["username"]}
    return summary_view(store.save(db, publisher, now, C, c, {**c, "summary": summary}))


def edit_summary(db, publisher, now, actor, cid, text):
    c = store.get(db, C, cid, "consultation")
    may_decide(actor, c)
    s = c.get("summary")
    if not s or s["status"] == "published":
        raise WrongState("generate the summary first" if not s else "the summary is published", {})
    summary = {**s, "text": text, "edited_by": actor["username"], "edited_at": now}
    return summary_view(store.save(db, publisher, now, C, c, {**c, "summary": summary}))


def approve_summary(db, publisher, now, actor, cid):
    """A person approves the summary, which publishes it. Every counted comment must have its
    decision, and the figures must still be those of the decisions (regenerate otherwise)."""
    c = store.get(db, C, cid, "consultation")
    may_approve(actor, c)
    s = c.get("summary")
    if not s or s["status"] == "published":
        raise WrongState("generate the summary first" if not s else "published already", {})
    fresh = rules.summarize(c, list(db[CM].find({"consultation_id": cid})))
    if fresh["totals"]["undecided"]:
        raise WrongState(
            "every comment needs its decision first", {"undecided": fresh["totals"]["undecided"]}
        )
    if fresh["totals"] != s["totals"]:
        raise WrongState("decisions changed since the summary was made; generate it again", {})
    summary = {**s, "status": "published", "approved_by": actor["username"], "published_at": now}
    event = consult_event("summary.published", now, c, actor["username"], {"totals": s["totals"]})
    return summary_view(store.save(db, publisher, now, C, c, {**c, "summary": summary}, [event]))


def summary_view(c, public=False):
    s = c.get("summary")
    if not s or (public and s["status"] != "published"):
        raise NotFound("no summary yet", {})
    out = {
        "consultation_id": c["_id"],
        "title": c["title"],
        "kind": c["kind"],
        "unit": c["unit"],
        "opens_at": isoformat(c["opens_at"]),
        "closes_at": isoformat(c["closes_at"]),
        "status": s["status"],
        "text": s["text"],
        "totals": s["totals"],
        "by_section": s["by_section"],
        "quoted": s["quoted"],
        "generated_at": isoformat(s.get("generated_at")),
        "published_at": isoformat(s.get("published_at")),
        "approved_by": None if public else s.get("approved_by"),
    }
    return out


def get_summary(db, actor, cid):
    if actor is not None:
        may_read(actor)
    return summary_view(store.get(db, C, cid, "consultation"), public=actor is None)
