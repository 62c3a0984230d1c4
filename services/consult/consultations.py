"""The rules of a consultation on a draft (征求意见) and of a notice (公示): when it takes
comments, moderation (held, shown, hidden; reports that hold a comment), the decision on every
comment, and the summary (采纳情况说明) generated from those decisions. Pure: no store, no
bus; `now` is an argument."""

from lianxin.errors import ValidationFailed, WrongState
from lianxin.masking import mask_name, mask_phone, mask_text

KINDS = ("consultation", "notice")
MODERATION = ("post", "pre")  # shown at once, moderated after; or held until a moderator shows it
STATUSES = ("shown", "held", "hidden")
REPORT_REASONS = ("spam", "offensive", "off_topic")
# 采纳 / 部分采纳 / 不予采纳（说明理由）/ 已收悉
DECISIONS = ("adopted", "partly_adopted", "not_adopted", "noted")
DECISION_WORDS = {
    "adopted": "采纳",
    "partly_adopted": "部分采纳",
    "not_adopted": "未采纳",
    "noted": "已收悉",
}
QUOTED = ("adopted", "partly_adopted")


def phase(consultation, now):
    """draft (not published), scheduled (published, not open yet), open, closed."""
    if consultation.get("status") != "published":
        return "draft"
    if now < consultation["opens_at"]:
        return "scheduled"
    return "open" if now < consultation["closes_at"] else "closed"


def check_period(opens_at, closes_at):
    if closes_at <= opens_at:
        raise ValidationFailed(
            "the period must end after it starts",
            {"fields": {"closes_at": ["must be after opens_at"]}},
        )


def check_comment(consultation, now, body):
    """Raise unless `body` may be taken as a comment on `consultation` now: 409 outside the
    period, 422 for a section that does not exist or an anonymous comment where a contact is
    required."""
    current = phase(consultation, now)
    if current != "open":
        raise WrongState(
            "this consultation is closed"
            if current == "closed"
            else "this is not open for comment",
            {"phase": current},
        )
    section = body.get("section")
    if section and section not in {s["id"] for s in consultation.get("sections", [])}:
        raise ValidationFailed(
            "no such section", {"fields": {"section": [f"unknown section {section!r}"]}}
        )
    if body.get("anonymous") and not consultation.get("allow_anonymous", True):
        raise ValidationFailed(
            "this consultation asks for a contact",
            {"fields": {"contact": ["give a phone or an e-mail"]}},
        )


def new_comment(comment_id, consultation, body, now, request_key):
    contact = None if body.get("anonymous") else body.get("contact")
    return {
        "_id": comment_id,
        "consultation_id": consultation["_id"],
        "kind": "objection" if consultation["kind"] == "notice" else "comment",
        "section": body.get("section"),
        "text": body["text"],
        "contact": contact,
        "anonymous": contact is None,
        "status": "held" if consultation.get("moderation") == "pre" else "shown",
        "moderation": None,
        "reports": [],
        "reports_cleared": 0,
        "decision": None,
        "case_id": None,
        "received_at": now,
        "request_key": request_key,
        "history": [{"at": now, "action": "received", "by": "citizen"}],
    }


def report(comment, reason, reporter, now, hold_after):
    """A citizen reports a comment. One reporter counts once. A shown comment with
    `hold_after` reports since a moderator last looked at it is held until a moderator decides.
    Returns (the comment, whether this report held it)."""
    if reason not in REPORT_REASONS:
        raise ValidationFailed("no such reason", {"fields": {"reason": list(REPORT_REASONS)}})
    if any(r["by"] == reporter for r in comment["reports"]):
        return comment, False
    comment = {
        **comment,
        "reports": comment["reports"] + [{"reason": reason, "by": reporter, "at": now}],
    }
    fresh = len(comment["reports"]) - comment.get("reports_cleared", 0)
    if comment["status"] == "shown" and fresh >= hold_after:
        comment["status"] = "held"
        comment["moderation"] = {"status": "held", "reason": "reports", "by": "system", "at": now}
        comment["history"] = comment["history"] + [
            {"at": now, "action": "held", "by": "system", "reason": f"{fresh} reports"}
        ]
        return comment, True
    return comment, False


def check_moderation(status, reason):
    if status not in STATUSES:
        raise ValidationFailed("no such status", {"fields": {"status": list(STATUSES)}})
    if status != "shown" and not (reason or "").strip():
        raise ValidationFailed(
            "give the reason", {"fields": {"reason": ["required to hold or hide"]}}
        )


def moderate(comment, status, reason, actor, now):
    """A moderator shows, holds or hides a comment; holding or hiding needs a reason (the
    citizen may ask why). The reports so far count as seen: only new ones hold it again."""
    check_moderation(status, reason)
    entry = {"status": status, "reason": reason or None, "by": actor["username"], "at": now}
    return {
        **comment,
        "status": status,
        "moderation": entry,
        "reports_cleared": len(comment["reports"]),
        "history": comment["history"]
        + [{"at": now, "action": status, "by": actor["username"], "reason": reason or None}],
    }


def decide(comment, decision, reason, actor, now):
    """The office's decision on a comment. Not adopted needs the reason the commenter is told.
    A hidden comment (spam, abuse) takes none; a decision may be corrected until the summary
    is published (the caller checks that)."""
    if decision not in DECISIONS:
        raise ValidationFailed("no such decision", {"fields": {"decision": list(DECISIONS)}})
    if decision == "not_adopted" and not (reason or "").strip():
        raise ValidationFailed(
            "say why it is not adopted", {"fields": {"reason": ["required when not adopted"]}}
        )
    if comment["status"] == "hidden":
        raise WrongState("a hidden comment takes no decision; show it first", {"status": "hidden"})
    entry = {"decision": decision, "reason": reason or None, "by": actor["username"], "at": now}
    return {
        **comment,
        "decision": entry,
        "history": comment["history"]
        + [{"at": now, "action": "decided", "by": actor["username"], "decision": decision}],
    }


def counted(comment):
    """The comments the summary accounts for: all but the hidden ones."""
    return comment["status"] != "hidden"


def summarize(consultation, comments):
    """The summary's figures and its draft text, from the decisions: counts by section and by
    decision, the adopted and partly adopted comments quoted (masked), what is undecided."""
    sections = [{"id": None, "label": None, "heading": "整体意见"}] + list(
        consultation.get("sections", [])
    )
    rows = {
        s["id"]: {
            "section": s["id"],
            "heading": s["heading"],
            "label": s.get("label"),
            "total": 0,
            **{d: 0 for d in DECISIONS},
            "undecided": 0,
        }
        for s in sections
    }
    totals = {"total": 0, **{d: 0 for d in DECISIONS}, "undecided": 0}
    quoted = []
    for c in sorted(
        (c for c in comments if counted(c)), key=lambda c: (c["received_at"], c["_id"])
    ):
        decision = (c.get("decision") or {}).get("decision") or "undecided"
        row = rows.get(c.get("section")) or rows[None]
        for bucket in (row, totals):
            bucket["total"] += 1
            bucket[decision] += 1
        if decision in QUOTED:
            quoted.append(
                {
                    "comment_id": c["_id"],
                    "section": c.get("section"),
                    "heading": row["heading"],
                    "decision": decision,
                    "text": mask_text(c["text"]),
                    "reason": c["decision"].get("reason"),
                }
            )
    by_section = [r for r in rows.values() if r["total"] or r["section"] is not None]
    return {
        "totals": totals,
        "by_section": by_section,
        "quoted": quoted,
        "text": draft_text(consultation, totals),
    }


def draft_text(consultation, totals):
    word = "公示期间" if consultation["kind"] == "notice" else "征求意见期间"
    parts = "，".join(f"{DECISION_WORDS[d]}{totals[d]}条" for d in DECISIONS if totals[d])
    return (
        f"《{consultation['title']}》{word}共收到有效意见{totals['total']}条"
        + (f"，其中{parts}" if parts else "")
        + "。对未采纳的意见，已逐条说明理由。"
    )


def public_comment(comment):
    """A comment as anyone sees it: masked as on the public board, never the e-mail."""
    contact = comment.get("contact") or {}
    decision = comment.get("decision") or {}
    return {
        "id": comment["_id"],
        "section": comment.get("section"),
        "kind": comment["kind"],
        "text": mask_text(comment["text"]),
        "author": None
        if comment.get("anonymous")
        else {"name": mask_name(contact.get("name")), "phone": mask_phone(contact.get("phone"))},
        "received_at": comment["received_at"],
        "decision": {"decision": decision["decision"], "reason": decision.get("reason")}
        if decision
        else None,
    }
