"""Which messages an event becomes, and their text (SPEC §8), free of I/O.

Templates are data (the `templates` collection, seeded from config/demo_county.yaml): one per
message and language, `{placeholders}` filled from the event and the case.
"""
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from lianxin.clock import parse_iso


@dataclass(frozen=True)
class Message:
    template: str       # e.g. "acknowledgement"
    channel: str        # "email"
    recipient: str      # an address
    recipient_kind: str  # "citizen", "unit", "leader"
    values: dict


class _Blank(dict):
    def __missing__(self, key):
        return ""


def local_time(iso, tz):
    if not iso:
        return ""
    return parse_iso(iso).astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def render(template, values):
    """(subject, body) of a template with `values`; an unknown placeholder renders empty."""
    data = _Blank(values)
    return template["subject"].format_map(data), template["body"].format_map(data)


def messages_for_assignment(event, case, lead_unit, access_code, tz, public_url):
    """`case.assigned` → the citizen's acknowledgement (first assignment only: tracking number,
    access code, promised date) and the lead unit's assignment notice."""
    data = event["data"]
    values = {"case_id": case["_id"], "title": case["title"], "topic": case["topic"],
              "due_at": local_time(data.get("due_at"), tz), "access_code": access_code or "",
              "unit_name": (lead_unit or {}).get("name", ""), "track_url":
              f"{public_url}/api/v1/cases/{case['_id']}", "kind": case["kind"]}
    out = []
    citizen = case.get("citizen") or {}
    if data.get("seq", 1) == 1 and citizen.get("email") and access_code:
        out.append(Message("acknowledgement", "email", citizen["email"], "citizen", values))
    if lead_unit and lead_unit.get("email"):
        out.append(Message("assignment", "email", lead_unit["email"], "unit", values))
    return out


def message_for_waiting_case(case, access_code, public_url):
    """A case no rule could place waits for a dispatcher: tell the citizen it was received
    (tracking number, access code) without a promised date; that follows on assignment."""
    email = (case.get("citizen") or {}).get("email")
    if not (email and access_code):
        return None
    return Message("acknowledgement_waiting", "email", email, "citizen", {
        "case_id": case["_id"], "title": case["title"], "access_code": access_code,
        "track_url": f"{public_url}/api/v1/cases/{case['_id']}"})
