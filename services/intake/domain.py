"""Intake rules, free of I/O: tracking numbers, access codes, the new case and its public view."""
import hashlib
import hmac
import re
import secrets
from zoneinfo import ZoneInfo

from lianxin.clock import isoformat
from lianxin.schemas import COLLECTIVE_THRESHOLD

TRACKING_NUMBER = re.compile(r"^LX-\d{8}-\d{6}$")
# No 0/O, 1/I/L: a code read out over the phone must not be misheard.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
_HASH_ROUNDS = 60_000


def tracking_number(local_day, seq):
    """`LX-YYYYMMDD-NNNNNN`: the county's local day and that day's sequence number."""
    if not 0 < seq <= 999_999:
        raise ValueError("daily sequence exhausted")
    return f"LX-{local_day:%Y%m%d}-{seq:06d}"


def local_day(now, tz="Asia/Shanghai"):
    return now.astimezone(ZoneInfo(tz)).date()


def new_access_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code):
    return (code or "").strip().upper().replace(" ", "").replace("-", "")


def hash_access_code(code, salt=None):
    """The code is stored only as a salted, slow hash; returns (salt, hash) as hex."""
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", normalize_code(code).encode(), bytes.fromhex(salt),
                                 _HASH_ROUNDS)
    return salt, digest.hex()


def code_matches(case, code):
    salt, stored = case.get("access_salt"), case.get("access_hash")
    if not (salt and stored and code):
        return False
    return hmac.compare_digest(hash_access_code(code, salt)[1], stored)


def new_case(case_id, submission, access_code, now, actor="citizen"):
    """The document of a freshly received case (SPEC §2), before routing."""
    salt, digest = hash_access_code(access_code)
    flags = []
    if submission.get("people_involved", 1) >= COLLECTIVE_THRESHOLD:
        flags.append("collective")
    if submission["kind"] == "report":
        flags.append("confidential")  # 举报: identity never shown to units
    return {
        "_id": case_id,
        "version": 1,
        "status": "received",
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
        "complexity": "general",
        "flags": flags,
        "warning": "none",
        "received_at": now,
        "access_salt": salt,
        "access_hash": digest,
        "assignment": {"lead_unit": None, "co_units": [], "leader": None, "assigned_at": None,
                       "claimed_at": None, "due_at": None, "extended_to": None},
        "reply": None,
        "return_visit": None,
        "primary_id": None,
        "duplicates": [],
        "timeline": [timeline_entry(now, actor, "citizen", "received", public=True)],
    }


def timeline_entry(now, actor, role, action, note=None, public=False):
    """One line of the append-only audit trail; `public` lines are shown to the citizen."""
    return {"at": now, "actor": actor, "role": role, "action": action, "note": note,
            "public": public}


def event_facts(case):
    """What `case.received` carries: enough to route, nothing about the citizen."""
    return {"channel": case["channel"], "kind": case["kind"], "topic": case["topic"],
            "town": (case.get("location") or {}).get("town"), "urgency": case["urgency"],
            "flags": case["flags"], "people_involved": case["people_involved"]}


def due_at(case):
    a = case.get("assignment") or {}
    return a.get("extended_to") or a.get("due_at")


def public_view(case, now):
    """The citizen's view (SPEC §10 `GET /cases/{id}?code=`): status, dates, public timeline."""
    due = due_at(case)
    reply = case.get("reply") or {}
    answered = case["status"] in ("answered", "closed") and reply
    return {
        "id": case["_id"],
        "status": case["status"],
        "kind": case["kind"],
        "topic": case["topic"],
        "title": case["title"],
        "received_at": isoformat(case["received_at"]),
        "due_at": isoformat(due),
        "overdue": bool(due and case["status"] in ("assigned", "in_progress", "return_requested")
                        and now > due),
        "answer": {"outcome": reply.get("outcome"), "opinion": reply.get("opinion"),
                   "delivered_at": isoformat(reply.get("delivered_at"))} if answered else None,
        "timeline": [{"at": isoformat(e["at"]), "action": e["action"], "note": e.get("note")}
                     for e in case.get("timeline", []) if e.get("public")],
    }
