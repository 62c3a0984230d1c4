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


# supervision event (type, data.kind) → template and who receives it (SPEC §5, §8)
SUPERVISION = {
    ("supervision.reminder", "daily"): ("reminder", ("unit",)),
    ("supervision.notice", "unclaimed"): ("notice_unclaimed", ("office",)),
    ("supervision.notice", "supervision"): ("notice", ("unit_leaders",)),
    ("supervision.warning", "yellow"): ("warning", ("unit",)),
    ("supervision.overdue", "overdue"): ("overdue", ("unit_leaders", "leader", "office")),
    ("supervision.overdue", "co_input"): ("co_overdue", ("co_unit", "office")),
}


def messages_for_supervision(event, case, directory, tz):
    """A supervision event → its messages. `directory` answers unit emails, unit leaders'
    emails, leaders' emails and the office's email."""
    data = event["data"]
    spec = SUPERVISION.get((event["type"], data.get("kind")))
    if spec is None:
        return []
    template, audiences = spec
    unit = data.get("unit") or data.get("lead_unit")
    values = {"case_id": event.get("case_id") or "", "title": (case or {}).get("title", ""),
              "unit_name": directory.unit_name(unit), "due_at": local_time(data.get("due_at"), tz),
              "number": data.get("number", ""), "open_cases": data.get("open_cases", ""),
              "co_unit_name": directory.unit_name(data.get("co_unit")),
              "case_list": "\n".join(
                  f"  {c['case_id']} {c['title']}  剩余 {c['time_left_hours']} 小时"
                  for c in data.get("cases", []))}
    recipients = []
    for audience in audiences:
        if audience == "unit":
            recipients += [(directory.unit_email(unit), "unit")]
        elif audience == "unit_leaders":
            recipients += [(e, "unit_leader") for e in directory.unit_leader_emails(unit)]
        elif audience == "leader":
            recipients += [(directory.leader_email(data.get("leader")), "leader")]
        elif audience == "office":
            recipients += [(directory.office_email(), "office")]
        elif audience == "co_unit":
            recipients += [(directory.unit_email(data.get("co_unit")), "unit")]
    seen, out = set(), []
    for address, kind in recipients:
        if address and address not in seen:
            seen.add(address)
            out.append(Message(template, "email", address, kind, values))
    return out
