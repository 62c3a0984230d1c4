"""Who hears of what (docs/contract.md §8), free of I/O: for every event type a list of rules, each
a template and the audiences that receive it; `messages_for` turns an event into the messages to
send, one per (channel, recipient).

Audiences:
  citizen            the case's citizen, on the channel they came by (phone channels → SMS,
                     the others → e-mail; the other contact when that one is missing)
  citizens_all       the same for the case and every merged duplicate (统一口径、分别答复)
  lead_unit          the lead unit's mailbox, and the inbox of each of its staff
  co_units           the same for each co-handling unit
  unit_leaders       the lead unit's leaders by e-mail (its mailbox if it has none) and inbox
  leader             the leader on the case (assignment.leader), e-mail and inbox
  portfolio_leaders  the leaders whose portfolio covers the case's topic, e-mail and inbox
  office             the mass-work office's mailbox
  event_units        each unit the event names (a reception's accompanying units), as lead_unit
  booker, bookers    the citizen of the booking a reception event names, or everyone holding a
                     place or waiting for one at its session: SMS to the phone they booked
                     with, else e-mail
  commenter          who left a comment on a consultation (services/consult), if they gave a
                     contact: e-mail, else SMS
  dispatchers, supervisors   the inbox of every active user with that role

`directory` answers who is who (see handlers.Directory); `Message.values` fill the template.
"""

from dataclasses import dataclass, field
from datetime import timezone
from zoneinfo import ZoneInfo

from lianxin.auth import UNIT_ROLES as UNIT_STAFF
from lianxin.cases import due_at
from lianxin.clock import parse_iso
from lianxin.workflow import OUTCOME_WORDS

PHONE_CHANNELS = frozenset({"hotline", "visit", "reception_day", "letter", "collector"})
SATISFACTION_WORDS = {
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "dissatisfied": "不满意",
}


# The decision on a comment as the commenter reads it (services/consult/consultations.py).
DECISION_WORDS = {
    "adopted": "采纳",
    "partly_adopted": "部分采纳",
    "not_adopted": "未采纳",
    "noted": "已收悉",
}


@dataclass(frozen=True)
class Message:
    template: str  # e.g. "acknowledgement"
    channel: str  # "email" | "sms" | "inbox"
    recipient: str  # an address, a phone number or a username
    recipient_kind: str  # "citizen" | "unit" | "unit_leader" | "leader" | "office" | "staff"
    lang: str
    values: dict = field(hash=False, compare=False)
    case_id: str = None  # the submission the message is about (a merged duplicate's own id)


@dataclass(frozen=True)
class Rule:
    template: str
    audiences: tuple
    when: object = None  # predicate(event, case) → bool


def _first_assignment(event, case):
    return event["data"].get("seq", 1) == 1


def _needs_attention(event, case):
    data = event["data"]
    return data.get("urgency") == "urgent" or "collective" in (data.get("flags") or [])


def _approved(event, case):
    return bool(event["data"].get("approve"))


def _dissatisfied(event, case):
    return event["data"].get("satisfaction") == "dissatisfied"


def _unit_progress(event, case):
    return event["data"].get("kind") == "progress"


def _co_input(event, case):
    return event["data"].get("kind") == "co_input"


def _refused(event, case):
    return event["data"].get("stage") == "refused"


def _requested(event, case):
    return event["data"].get("stage") == "requested"


def _from_reception(event, case):
    return bool((case or {}).get("reception"))


def _tell_bookers(event, case):
    return bool(event["data"].get("tell_bookers"))


# (event type, data.kind or None) → rules. Every docs/contract.md §9 type has an entry; an empty
# list says on purpose that nobody is messaged (the event still reaches webhooks and the feed).
RULES = {
    # The acknowledgement waits for the assignment, which gives it the promised date; a case
    # left in the manual queue gets one without a date after LX_ACK_WAIT_SECONDS.
    ("case.received", None): [Rule("received_attention", ("dispatchers",), _needs_attention)],
    ("case.merged", None): [Rule("merged", ("citizen",))],
    ("case.unmerged", None): [Rule("unmerged", ("citizen",))],
    ("case.not_accepted", None): [Rule("not_accepted", ("citizen",))],
    # A photo or a document: on the timeline, the feed and webhooks; nobody is messaged.
    ("case.attached", None): [],
    ("case.assigned", None): [
        Rule("acknowledgement", ("citizen",), _first_assignment),
        # a matter from a reception day: the formal assignment notice (交办通知) naming the
        # receiving leader, first so that it is the one each recipient gets
        Rule("reception_assignment", ("lead_unit", "co_units", "leader"), _from_reception),
        Rule("assignment", ("lead_unit", "co_units", "leader")),
    ],
    ("case.claimed", None): [Rule("claimed", ("citizen",))],
    ("case.returned", None): [
        Rule("return_requested", ("dispatchers",), _requested),
        Rule("return_refused", ("lead_unit",), _refused),
    ],
    ("case.progress", None): [
        Rule("progress", ("citizen",), _unit_progress),
        Rule("co_input", ("lead_unit",), _co_input),
    ],
    ("case.extension_requested", None): [Rule("extension_requested", ("supervisors",))],
    ("case.extension_decided", None): [
        Rule("extension_decided", ("lead_unit",)),
        Rule("extension_citizen", ("citizen",), _approved),
    ],
    ("case.replied", None): [Rule("replied", ("supervisors",))],
    ("case.reply_rejected", None): [Rule("reply_rejected", ("lead_unit",))],
    ("case.answered", None): [Rule("answer", ("citizens_all",))],
    ("case.visited", None): [Rule("visited", ("lead_unit",))],
    ("case.reopened", None): [
        Rule("reopened", ("lead_unit", "unit_leaders")),
        Rule("reopened_citizen", ("citizen",)),
    ],
    ("case.closed", None): [
        Rule("closed", ("lead_unit",)),
        Rule("closed_dissatisfied", ("unit_leaders", "leader"), _dissatisfied),
    ],
    ("case.instructed", None): [Rule("instructed", ("unit_leaders", "lead_unit", "office"))],
    ("case.appealed", None): [Rule("appealed", ("supervisors",))],
    ("case.appeal_decided", None): [Rule("appeal_decided", ("unit_leaders",))],
    ("supervision.reminder", "daily"): [Rule("reminder", ("lead_unit",))],
    ("supervision.notice", "unclaimed"): [Rule("notice_unclaimed", ("office", "dispatchers"))],
    ("supervision.notice", "supervision"): [Rule("notice", ("unit_leaders",))],
    ("supervision.warning", "yellow"): [Rule("warning", ("lead_unit",))],
    ("supervision.overdue", "overdue"): [Rule("overdue", ("unit_leaders", "leader", "office"))],
    ("supervision.overdue", "co_input"): [Rule("co_overdue", ("co_unit", "office"))],
    ("alert.raised", None): [Rule("alert", ("portfolio_leaders", "office", "dispatchers"))],
    # Reception days (docs/contract.md §13): bookers hear on the contact they booked with.
    ("reception.published", None): [Rule("reception_published", ("leader", "event_units"))],
    ("reception.changed", None): [
        Rule("reception_changed", ("bookers",), _tell_bookers),
        Rule("reception_changed_staff", ("leader", "event_units")),
    ],
    ("reception.booked", None): [Rule("reception_booked", ("booker",))],
    ("reception.promoted", None): [Rule("reception_promoted", ("booker",))],
    ("reception.booking_cancelled", None): [],
    ("reception.visit", None): [],
    ("reception.closed", None): [Rule("reception_closed", ("leader", "office"))],
    # Asking the public (services/consult). The commenter with a contact hears the decision on
    # their comment; a satisfaction survey's invitation goes to the case's citizen; the office
    # hears of a comment held by reports and of a closed consultation or survey. The other
    # consult events reach the feed and webhooks only.
    ("consultation.published", None): [],
    ("consultation.closed", None): [Rule("consultation_closed", ("office", "lead_unit"))],
    ("comment.received", None): [],
    ("comment.held", None): [Rule("comment_held", ("office",))],
    ("comment.moderated", None): [],
    ("comment.decided", None): [Rule("comment_decided", ("commenter",))],
    ("comment.case_opened", None): [],
    ("summary.published", None): [],
    ("survey.published", None): [],
    ("survey.invited", None): [Rule("survey_invitation", ("citizen",))],
    ("survey.closed", None): [Rule("survey_closed", ("office",))],
    ("survey.results_published", None): [],
    # Supervised matters (docs/contract.md §14; services/matters): data names the lead unit,
    # co-units and leader, as an assignment does.
    ("matter.created", None): [],
    ("matter.published", None): [Rule("matter_published", ("lead_unit", "co_units", "leader"))],
    ("matter.claimed", None): [Rule("matter_claimed", ("supervisors",))],
    ("matter.progress", None): [Rule("matter_progress", ("leader",))],
    ("matter.done_reported", None): [Rule("matter_done_reported", ("supervisors", "leader"))],
    ("matter.sent_back", None): [Rule("matter_sent_back", ("lead_unit", "unit_leaders"))],
    ("matter.confirmed", None): [Rule("matter_confirmed", ("lead_unit", "leader", "office"))],
    ("matter.seen_done", None): [],
    ("matter.reminder", "milestone"): [Rule("matter_reminder", ("lead_unit",))],
    ("matter.notice", "progress_due"): [Rule("matter_report_due", ("unit_leaders",))],
    ("matter.warning", "yellow"): [Rule("matter_warning", ("lead_unit",))],
    ("matter.warning", "stale"): [Rule("matter_stale", ("unit_leaders", "office"))],
    ("matter.overdue", "milestone"): [Rule("matter_overdue", ("unit_leaders", "leader", "office"))],
}


def rules_for(event):
    kind = event.get("data", {}).get("kind")
    if event["type"].startswith(("supervision.", "matter.")):
        return RULES.get((event["type"], kind), [])
    return RULES.get((event["type"], None), [])


def local_time(value, tz):
    if not value:
        return ""
    when = parse_iso(value) if isinstance(value, str) else value
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def event_values(event, case, directory, tz, public_url):
    """What every template of this event may use."""
    data, case = event.get("data") or {}, case or {}
    a = case.get("assignment") or {}
    unit = data.get("unit") or data.get("lead_unit") or a.get("lead_unit")
    reply = case.get("reply") or {}
    # The event's own date first (an extension or assignment it announces), else the case's.
    due = data.get("extended_to") or data.get("due_at") or due_at(case)
    return {
        "event_type": event["type"],
        "case_id": event.get("case_id") or "",
        "title": case.get("title", ""),
        "topic": case.get("topic", ""),
        "kind": case.get("kind", ""),
        "town": (case.get("location") or {}).get("town") or "",
        "unit_name": directory.unit_name(unit),
        "due_at": local_time(due, tz),
        "occurred_at": local_time(event.get("occurred_at"), tz),
        "outcome": OUTCOME_WORDS.get(reply.get("outcome") or data.get("outcome"), ""),
        "opinion": reply.get("opinion") or "",
        "satisfaction": SATISFACTION_WORDS.get(data.get("satisfaction"), ""),
        "reason": data.get("reason") or "",
        "comment": data.get("comment") or "",
        "text": data.get("text") or "",
        "primary_id": data.get("primary_id") or "",
        "approve": data.get("approve"),
        "uphold": data.get("uphold"),
        "number": data.get("number", ""),
        "open_cases": data.get("open_cases", ""),
        "co_unit_name": directory.unit_name(data.get("co_unit") or data.get("unit")),
        "cases": data.get("cases", []),
        # reception days: who received the citizen (首问负责), and when
        "leader_name": data.get("leader_name")
        or (case.get("reception") or {}).get("leader_name", ""),
        "reception_date": (case.get("reception") or {}).get("date", ""),
        "case_list": "\n".join(
            f"  {c['case_id']} {c['title']}  剩余 {c['time_left_hours']} 小时"
            for c in data.get("cases", [])
            if isinstance(c, dict)
        ),
        "people_involved": case.get("people_involved", data.get("people_involved", "")),
        "alert": data,
        "data": data,
        "track_url": f"{public_url}/api/v1/cases/{event.get('case_id') or ''}",
        "public_url": public_url,
        "consultation_id": data.get("consultation_id") or "",
        "comment_id": data.get("comment_id") or "",
        "decision": DECISION_WORDS.get(data.get("decision"), ""),
        "consultation_url": f"{public_url}/consult/{data.get('consultation_id') or ''}",
        "survey_id": data.get("survey_id") or "",
        "survey_url": f"{public_url}/surveys/{data.get('survey_id') or ''}"
        + (f"?case={event.get('case_id')}" if event.get("case_id") else ""),
        "responses": data.get("responses", ""),
    }


def citizen_contact(case):
    """(channel, address) the citizen of `case` is answered on, or None."""
    citizen = case.get("citizen") or {}
    email, phone = citizen.get("email"), citizen.get("phone")
    order = (
        [("sms", phone), ("email", email)]
        if case.get("channel") in PHONE_CHANNELS
        else [("email", email), ("sms", phone)]
    )
    for channel, address in order:
        if address:
            return channel, address
    return None


def _citizen_messages(template, submissions, values, default_lang, access_code, public_url):
    """One message per (channel, address); a citizen who sent the same matter twice from one
    address hears once, with every tracking number."""
    grouped = {}
    for case in submissions:
        contact = citizen_contact(case)
        if contact:
            grouped.setdefault(contact, []).append(case)
    out = []
    for (channel, address), group in grouped.items():
        own = group[0]
        ids = [c["_id"] for c in group]
        vals = {
            **values,
            "case_id": own["_id"],
            "case_ids": "、".join(ids),
            "access_code": access_code if own["_id"] == values["case_id"] else "",
            "track_url": f"{public_url}/api/v1/cases/{own['_id']}",
            "feedback_url": f"{public_url}/api/v1/cases/{own['_id']}/feedback",
        }
        out.append(
            Message(
                template,
                channel,
                address,
                "citizen",
                own.get("language") or default_lang,
                vals,
                own["_id"],
            )
        )
    return out


def booking_contact(booking):
    """(channel, address) a booker is told on: the phone they booked with, else the e-mail."""
    citizen = booking.get("citizen") or {}
    if citizen.get("phone"):
        return "sms", citizen["phone"]
    if citizen.get("email"):
        return "email", citizen["email"]
    return None


def _booker_messages(template, audience, data, directory, values, default_lang, public_url):
    """The one booking an event is about, or everyone holding a place or waiting for one."""
    if audience == "booker":
        found = [directory.booking(data.get("booking_id"))]
    else:
        found = directory.bookers(data.get("session_id"))
    out = []
    for booking in [b for b in found if b]:
        contact = booking_contact(booking)
        if contact:
            vals = {
                **values,
                "citizen_name": (booking.get("citizen") or {}).get("name", ""),
                "booking_id": booking["_id"],
                "schedule_url": f"{public_url}/receptions",
            }
            lang = booking.get("language") or default_lang
            out.append(Message(template, contact[0], contact[1], "citizen", lang, vals))
    return out


def _commenter_messages(template, comment, values, default_lang):
    """The one who left a comment with a contact: by e-mail, else by SMS (an anonymous
    comment hears nothing)."""
    contact = (comment or {}).get("contact") or {}
    for channel, address in (("email", contact.get("email")), ("sms", contact.get("phone"))):
        if address:
            return [Message(template, channel, address, "commenter", default_lang, values)]
    return []


def _staff(template, values, default_lang, email_kind, emails=(), users=()):
    out = [Message(template, "email", e, email_kind, default_lang, values) for e in emails if e]
    out += [
        Message(template, "inbox", u["_id"], "staff", u.get("language") or default_lang, values)
        for u in users
    ]
    return out


def messages_for(event, case, directory, *, tz, public_url, default_lang, access_code=None):
    """The messages `event` becomes, each (channel, recipient) once."""
    case = case or {}
    data = event.get("data") or {}
    a = case.get("assignment") or {}
    values = event_values(event, case, directory, tz, public_url)
    unit = data.get("unit") or data.get("lead_unit") or a.get("lead_unit")
    out = []
    for rule in rules_for(event):
        if rule.when and not rule.when(event, case):
            continue
        for audience in rule.audiences:
            t = rule.template
            if audience == "citizen" and case:
                out += _citizen_messages(t, [case], values, default_lang, access_code, public_url)
            elif audience == "citizens_all" and case:
                dups = [
                    d
                    for d in (directory.case(i) for i in case.get("duplicates") or [])
                    if d and d.get("primary_id") == case["_id"]
                ]
                out += _citizen_messages(
                    t, [case] + dups, values, default_lang, access_code, public_url
                )
            elif audience == "lead_unit":
                out += _staff(
                    t,
                    values,
                    default_lang,
                    "unit",
                    [directory.unit_email(unit)],
                    directory.unit_users(unit, UNIT_STAFF),
                )
            elif audience == "co_units":
                for co in a.get("co_units") or data.get("co_units") or []:
                    out += _staff(
                        t,
                        {**values, "co_unit_name": directory.unit_name(co)},
                        default_lang,
                        "unit",
                        [directory.unit_email(co)],
                        directory.unit_users(co, UNIT_STAFF),
                    )
            elif audience == "co_unit":
                co = data.get("co_unit")
                out += _staff(
                    t,
                    values,
                    default_lang,
                    "unit",
                    [directory.unit_email(co)],
                    directory.unit_users(co, UNIT_STAFF),
                )
            elif audience == "unit_leaders":
                leaders = directory.unit_users(unit, ("unit_leader",))
                emails = [u.get("email") for u in leaders if u.get("email")] or [
                    directory.unit_email(unit)
                ]
                out += _staff(t, values, default_lang, "unit_leader", emails, leaders)
            elif audience == "leader":
                leader = data.get("leader") or data.get("raised_to") or a.get("leader")
                out += _staff(
                    t,
                    values,
                    default_lang,
                    "leader",
                    [directory.leader_email(leader)],
                    directory.leader_users(leader),
                )
            elif audience == "portfolio_leaders":
                for leader in directory.portfolio_leaders(case.get("topic") or data.get("topic")):
                    out += _staff(
                        t,
                        values,
                        default_lang,
                        "leader",
                        [leader.get("email")],
                        directory.leader_users(leader["_id"]),
                    )
            elif audience in ("booker", "bookers"):
                out += _booker_messages(
                    t, audience, data, directory, values, default_lang, public_url
                )
            elif audience == "event_units":
                for u in event.get("units") or []:
                    out += _staff(
                        t,
                        {**values, "unit_name": directory.unit_name(u)},
                        default_lang,
                        "unit",
                        [directory.unit_email(u)],
                        directory.unit_users(u, UNIT_STAFF),
                    )
            elif audience == "commenter":
                out += _commenter_messages(
                    t, directory.comment(data.get("comment_id")), values, default_lang
                )
            elif audience == "office":
                out += _staff(t, values, default_lang, "office", [directory.office_email()])
            elif audience in ("dispatchers", "supervisors"):
                out += _staff(
                    t, values, default_lang, "staff", (), directory.role_users(audience[:-1])
                )
    seen, unique = set(), []
    for m in out:
        if (m.channel, m.recipient) not in seen:
            seen.add((m.channel, m.recipient))
            unique.append(m)
    return unique
