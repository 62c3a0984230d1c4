"""Intake rules, free of I/O: tracking numbers, access codes, the new case and its public view."""

from zoneinfo import ZoneInfo

from lianxin import workflow
from lianxin.access import hash_access_code
from lianxin.auth import CITIZEN
from lianxin.cases import timeline_entry, unassigned
from lianxin.schemas import COLLECTIVE_THRESHOLD


def tracking_number(local_day, seq):
    """`LX-YYYYMMDD-NNNNNN`: the county's local day and that day's sequence number."""
    if not 0 < seq <= 999_999:
        raise ValueError("daily sequence exhausted")
    return f"LX-{local_day:%Y%m%d}-{seq:06d}"


def local_day(now, tz="Asia/Shanghai"):
    return now.astimezone(ZoneInfo(tz)).date()


def new_case(case_id, submission, access_code, now, actor=CITIZEN):
    """The document of a freshly received case (docs/contract.md §2), before routing."""
    salt, digest = hash_access_code(access_code)
    flags = []
    if submission.get("people_involved", 1) >= COLLECTIVE_THRESHOLD:
        flags.append("collective")
    if submission["kind"] == "report":
        flags.append("confidential")  # 举报: identity never shown to units
    return {
        "_id": case_id,
        "version": 1,
        "status": workflow.initial("submit" if actor["role"] == "citizen" else "register"),
        "channel": submission["channel"],
        "kind": submission["kind"],
        "topic": submission["topic"],
        "title": submission["title"],
        "content": submission["content"],
        "location": submission.get("location") or {},
        "citizen": submission["citizen"],
        "public_consent": submission.get("public_consent", False),
        "people_involved": submission.get("people_involved", 1),
        "urgency": submission.get("urgency", "normal"),
        "language": submission.get("language", "zh-CN"),
        "complexity": submission.get("complexity", "general"),
        # raised at a reception day: its session and receiving leader (首问负责)
        "reception": submission.get("reception"),
        "origin": submission.get("origin"),  # a consultation's comment it was opened from
        "flags": flags,
        "received_at": now,
        "received_by": actor.get("unit"),  # the registering clerk's unit (谁先收到谁负责)
        "access_salt": salt,
        "access_hash": digest,
        "assignment": unassigned(),
        "reply": None,
        "return_visit": None,
        "primary_id": None,
        "duplicates": [],
        "timeline": [timeline_entry(now, actor, "received", public_note="已受理")],
    }


def event_facts(case):
    """What `case.received` carries: enough to route, nothing about the citizen."""
    return {
        "channel": case["channel"],
        "kind": case["kind"],
        "topic": case["topic"],
        "town": (case.get("location") or {}).get("town"),
        "urgency": case["urgency"],
        "flags": case["flags"],
        "people_involved": case["people_involved"],
    }


def direct_answer(case, answer, actor, now):
    """直办: the clerk answered on the spot; the case is born answered, the clerk on record as
    handler and signer, and still gets its return visit."""
    case = dict(case)
    case["status"] = workflow.check("direct_answer", case["status"], actor["role"])
    case["reply"] = {
        "outcome": answer["outcome"],
        "opinion": answer["opinion"],
        "handler": actor["username"],
        "signed_by": actor["username"],
        "signed_at": now,
        "delivered_at": now,
        "direct": True,
    }
    case["answered_at"] = now
    case["timeline"] = case["timeline"] + [
        timeline_entry(now, actor, "direct_answer", "直办", public_note="已当场答复")
    ]
    return case
