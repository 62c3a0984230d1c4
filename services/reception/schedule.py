"""The schedule of reception days (接访, docs/contract.md §13), free of I/O: recurring rules
that generate sessions, the working-day policy of each rule, the rota (补位), what may be
changed after publication and how a change is recorded, and the five public items (五公开).

In the county's practice leaders receive every Monday, a joint reception of the court,
procuratorate, police, justice and petitions bureau sits on the 10th, the portfolio leader
with department heads on the 15th, township leaders on Tuesdays and Wednesdays. A rule says
which days (`pattern`), and what happens to a day that is not a working day (`holiday`):
`next_working_day` moves the session to the next working day, `cancel` keeps it on the
schedule as cancelled, so the public sees why there is none that day.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lianxin.clock import isoformat

HOLIDAY_POLICIES = ("next_working_day", "cancel")
# What the office may change on a published session; each change is kept and shown.
CHANGEABLE = (
    "date",
    "start",
    "end",
    "place",
    "content",
    "topics",
    "accompanying_units",
    "capacity",
)
# Changes the people who booked must hear of (the time, the place, who receives them).
TOLD_TO_BOOKERS = ("date", "start", "end", "place", "leader", "status")
OPEN_FOR_BOOKING = ("published",)
# A schedule is made at most a year ahead, a quarter at a time (a county publishes its
# reception days monthly or quarterly; this bounds what one request writes).
HOW_FAR_AHEAD_DAYS = 366
GENERATE_AT_ONCE_DAYS = 92


def nominal_dates(pattern, first, last):
    """The days a rule's pattern names between `first` and `last` (inclusive), before any
    working-day rule: `{"every": "week", "weekdays": [1]}` (ISO weekdays, 1 = Monday) or
    `{"every": "month", "day": 10}`."""
    out, day = [], first
    while day <= last:
        if pattern["every"] == "week" and day.isoweekday() in pattern["weekdays"]:
            out.append(day)
        elif pattern["every"] == "month" and day.day == pattern["day"]:
            out.append(day)
        day += timedelta(days=1)
    return out


def next_working_day(day, is_working_day):
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def planned_days(rule, first, last, is_working_day):
    """[(nominal day, actual day or None when cancelled)] for `rule` in [first, last].

    A day moved onto a day the rule already holds a session on is dropped (a township's
    Tuesday and Wednesday both in a holiday become one session, not two on one day)."""
    out, taken = [], set()
    for day in nominal_dates(rule["pattern"], first, last):
        actual = day
        if not is_working_day(day):
            actual = (
                next_working_day(day, is_working_day)
                if rule.get("holiday", "next_working_day") == "next_working_day"
                else None
            )
        if actual is not None and actual in taken:
            continue
        if actual is not None:
            taken.add(actual)
        out.append((day, actual))
    return out


def session_id(rule_id, nominal):
    return f"{rule_id}-{nominal:%Y%m%d}"


def local_span(day, start, end, tz):
    """(starts_at, ends_at) in UTC of a session held on `day` from `start` to `end` (HH:MM)."""
    zone = ZoneInfo(tz)

    def at(hhmm):
        h, m = (int(x) for x in hhmm.split(":"))
        return datetime.combine(day, time(h, m), zone).astimezone(ZoneInfo("UTC"))

    return at(start), at(end)


def new_session(sid, fields, now, tz, rule_id=None, nominal=None, cancelled_reason=None):
    """A draft session document from its fields (date as YYYY-MM-DD, start/end as HH:MM)."""
    day = date.fromisoformat(fields["date"])
    starts_at, ends_at = local_span(day, fields["start"], fields["end"], tz)
    rota = list(fields.get("rota") or [])
    leader = fields.get("leader") or (rota[0] if rota else None)
    if leader and leader not in rota:
        rota.insert(0, leader)
    waiting = fields.get("waiting_list")
    waiting = fields["capacity"] if waiting is None else waiting
    doc = {
        "_id": sid,
        "version": 1,
        "rule": rule_id,
        "status": "cancelled" if cancelled_reason else "draft",
        "cancel_reason": cancelled_reason,
        "date": fields["date"],
        "nominal_date": (nominal or day).isoformat(),
        "moved_from": nominal.isoformat() if nominal and nominal != day else None,
        "start": fields["start"],
        "end": fields["end"],
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": fields["place"],
        "leader": leader,
        "rota": rota,
        "declined": [],
        "accompanying_units": list(fields.get("accompanying_units") or []),
        "topics": list(fields.get("topics") or []),
        "content": fields.get("content") or "",
        "town": fields.get("town"),
        "capacity": fields["capacity"],
        # Places and waiting-list places left, taken by conditional $inc (bookings.py); the
        # waiting list is as long as the room is big unless the session says otherwise.
        "waiting_list_size": waiting,
        "places_left": fields["capacity"],
        "waiting_left": waiting,
        "booked": 0,
        "waitlisted": 0,
        "waiting_seq": 0,
        "changes": [],
        "created_at": now,
        "published_at": None,
        "closing": None,
    }
    return doc


def sessions_from_rule(rule, first, last, now, tz, is_working_day):
    """The session documents `rule` generates in [first, last], drafts (or cancelled)."""
    out = []
    for nominal, actual in planned_days(rule, first, last, is_working_day):
        fields = {**rule, "date": (actual or nominal).isoformat()}
        reason = None if actual else "holiday"
        out.append(
            new_session(
                session_id(rule["_id"], nominal),
                fields,
                now,
                tz,
                rule_id=rule["_id"],
                nominal=nominal,
                cancelled_reason=reason,
            )
        )
    return out


def timing_errors(fields, now, tz):
    """{field: [reason]} for a session's date and times: not in the past, end after start."""
    errors = {}
    if not all(fields.get(k) for k in ("date", "start", "end")):
        return errors
    starts_at, ends_at = local_span(
        date.fromisoformat(fields["date"]), fields["start"], fields["end"], tz
    )
    if starts_at <= now:
        errors["date"] = ["the session would be in the past"]
    if ends_at <= starts_at:
        errors["end"] = ["the session must end after it starts"]
    return errors


def change(session, field, new, now, actor, reason=None, kind="changed"):
    """The record of one change to a published session (shown to the public as a change)."""
    return {
        "at": now,
        "kind": kind,
        "field": field,
        "from": session.get(field),
        "to": new,
        "by": actor["username"],
        "reason": reason,
    }


def diff(session, fields):
    """{field: new value} of the changeable fields whose value differs."""
    return {
        k: v for k, v in fields.items() if k in CHANGEABLE and v is not None and session.get(k) != v
    }


def next_on_rota(session):
    """The leader who stands in (补位) for the receiving leader: the next on the rota after
    them who has not declined this session (wrapping round), or None."""
    rota, declined = session.get("rota") or [], set(session.get("declined") or [])
    declined.add(session.get("leader"))
    if not rota:
        return None
    here = rota.index(session["leader"]) if session.get("leader") in rota else -1
    for step in range(1, len(rota) + 1):
        candidate = rota[(here + step) % len(rota)]
        if candidate not in declined:
            return candidate
    return None


def told_to_bookers(changes):
    return any(c["field"] in TOLD_TO_BOOKERS for c in changes)


def public_view(session, names):
    """The five public items (五公开: leader, accompanying units, time, place, content), places
    left, and every change since publication. `names` maps leader, unit and topic ids to
    {name, title?}; nothing about who booked."""

    def name(x):
        return (names.get(x) or {}).get("name", x)

    def shown(field, value):
        if field == "leader":
            return name(value)
        if field in ("accompanying_units", "topics"):
            return [name(v) for v in value or []]
        return value

    leader = session.get("leader")
    return {
        "id": session["_id"],
        "status": session["status"],
        "date": session["date"],
        "start": session["start"],
        "end": session["end"],
        "moved_from": session.get("moved_from"),
        "cancel_reason": session.get("cancel_reason"),
        "place": session["place"],
        "leader": {
            "id": leader,
            "name": name(leader),
            "title": (names.get(leader) or {}).get("title", ""),
        },
        "accompanying_units": [
            {"id": u, "name": name(u)} for u in session.get("accompanying_units") or []
        ],
        "topics": [{"id": t, "name": name(t)} for t in session.get("topics") or []],
        "content": session.get("content", ""),
        "capacity": session["capacity"],
        "places_left": max(0, session.get("places_left", 0)),
        "waiting_list": session.get("waitlisted", 0),
        "changes": [
            {
                "at": isoformat(c["at"]),
                "kind": c["kind"],
                "field": c["field"],
                "from": shown(c["field"], c["from"]),
                "to": shown(c["field"], c["to"]),
                "reason": c.get("reason"),
            }
            for c in session.get("changes") or []
        ],
    }


def event_data(session, names=None):
    """What reception events carry: the public items (never who booked)."""
    names = names or {}
    return {
        "session_id": session["_id"],
        "status": session["status"],
        "date": session["date"],
        "start": session["start"],
        "end": session["end"],
        "place": session["place"],
        "leader": session.get("leader"),
        "leader_name": (names.get(session.get("leader")) or {}).get("name", session.get("leader")),
    }
