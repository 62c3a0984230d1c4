"""Notify use cases: events become deliveries (docs/contract.md §8), the feed and the webhooks
mirror the bus (docs/contract.md §9), and staff read their inbox and a case's delivery log."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from pymongo.errors import ConnectionFailure

from lianxin import access, settings
from lianxin.auth import OFFICE_ROLES, UNIT_ROLES
from lianxin.cases import load as load_case
from lianxin.clock import isoformat
from lianxin.errors import Forbidden, NotFound, ValidationFailed, WrongState

from . import deliveries, journal, rules, templating
from . import inbox as inboxes
from .channels import Skipped

log = logging.getLogger(__name__)
# Events whose citizen message carries the access code (the case's first word to the
# citizen); the plain code is deleted once one of them has gone out.
CODE_TEMPLATES = ("acknowledgement", "merged", "not_accepted")


@dataclass(frozen=True)
class Config:
    tz: str
    public_url: str
    lang: str
    office_unit: str

    @classmethod
    def from_settings(cls):
        return cls(
            settings.TIMEZONE, settings.PUBLIC_URL, settings.DEFAULT_LANGUAGE, settings.OFFICE_UNIT
        )


@dataclass
class Senders:
    email: object
    sms: object
    inbox: object
    webhook: object


class Directory:
    """Who is who, read from the store (and remembered for one event). Staff are read by
    what a message needs — a unit's users in some roles, the users of a role, a leader's
    accounts — each query served by an index of `users`, so an event costs the same with
    30 accounts as with 3 000."""

    def __init__(self, db, office_unit):
        self.db, self.office_unit, self._units, self._users = db, office_unit, {}, {}

    def _unit(self, unit_id):
        if unit_id and unit_id not in self._units:
            self._units[unit_id] = self.db.units.find_one({"_id": unit_id})
        return self._units.get(unit_id) if unit_id else None

    def unit_name(self, unit_id):
        return (self._unit(unit_id) or {}).get("name", unit_id or "")

    def unit_email(self, unit_id):
        return (self._unit(unit_id) or {}).get("email")

    def _active(self, query):
        key = repr(sorted(query.items()))
        if key not in self._users:
            found = self.db.users.find(query, {"password_hash": 0})
            self._users[key] = [u for u in found if u.get("active", True)]
        return self._users[key]

    def unit_users(self, unit_id, roles):
        if not unit_id:
            return []
        return self._active({"unit": unit_id, "role": {"$in": sorted(roles)}})

    def role_users(self, role):
        return self._active({"role": role})

    def leader_email(self, leader_id):
        leader = self.db.leaders.find_one({"_id": leader_id}) if leader_id else None
        return (leader or {}).get("email")

    def leader_users(self, leader_id):
        if not leader_id:
            return []
        return self._active({"role": "leader", "leader": leader_id})

    def portfolio_leaders(self, topic):
        return list(self.db.leaders.find({"portfolio": topic})) if topic else []

    def office_email(self):
        return self.unit_email(self.office_unit)

    def case(self, case_id):
        return self.db.cases.find_one({"_id": case_id})

    def booking(self, booking_id):
        return self.db.reception_bookings.find_one({"_id": booking_id}) if booking_id else None

    def bookers(self, session_id):
        """Everyone holding a place at the session or waiting for one."""
        if not session_id:
            return []
        return list(
            self.db.reception_bookings.find(
                {"session_id": session_id, "status": {"$in": ["booked", "waitlisted"]}}
            )
        )

    def comment(self, comment_id):
        """A comment on a consultation, kept by the consult service (its contact)."""
        return self.db.consult_comments.find_one({"_id": comment_id}) if comment_id else None


# --- events → messages -----------------------------------------------------------------


def plan(db, now, event, cfg):
    """Record the deliveries `event` calls for (once, whatever happens after). Returns the
    keys of the message deliveries it calls for."""
    return _plan(db, now, event, cfg)[0]


def _plan(db, now, event, cfg, claim=False):
    """`plan`, and {key: delivery} of those this call recorded (claimed by the caller with
    `claim`: see `deliveries.create_many`)."""
    case = db.cases.find_one({"_id": event["case_id"]}) if event.get("case_id") else None
    if event.get("case_id") and case is None:
        log.warning("notify: no case %s for %s", event["case_id"], event["type"])
    ack = db.ack_codes.find_one({"_id": event["case_id"]}) if case else None
    messages = rules.messages_for(
        event,
        case,
        Directory(db, cfg.office_unit),
        tz=cfg.tz,
        public_url=cfg.public_url,
        default_lang=cfg.lang,
        access_code=ack and access.CODE_PLACEHOLDER,
    )
    docs, templates = [], {}  # an event's messages share their templates (a unit's staff)
    for m in messages:
        if (m.template, m.lang) not in templates:
            templates[m.template, m.lang] = templating.find(db, m.template, m.lang, cfg.lang)
        template = templates[m.template, m.lang]
        doc = {
            "_id": deliveries.message_key(event["event_id"], m.channel, m.recipient),
            "kind": "message",
            "event_id": event["event_id"],
            "event_type": event["type"],
            "case_id": m.case_id or event.get("case_id"),
            "channel": m.channel,
            "recipient": m.recipient,
            "recipient_kind": m.recipient_kind,
            "template": m.template,
            "lang": m.lang,
        }
        if template is None:
            doc.update(status="failed", last_error=f"no template {m.template}")
            log.error("no template %s (%s)", m.template, m.lang)
        else:
            content = templating.render(template, m.values)
            doc.update(content=content, subject=content.get("subject", ""))
        docs.append(doc)
    created = deliveries.create_many(db, now, docs, claim=claim)
    return list(dict.fromkeys(d["_id"] for d in docs)), created


def send_delivery(db, senders, now, delivery):
    """Hand one delivery to its channel (raises when the channel did not take it)."""
    channel, to, key = delivery["channel"], delivery["recipient"], delivery["_id"]
    if channel == "webhook":
        sub = db.webhooks.find_one({"_id": delivery["subscription"]})
        if sub is None or not sub.get("active", True):
            raise Skipped("the webhook subscription was removed or switched off")
        senders.webhook.send(
            sub["url"], sub["secret"], delivery["event"], key, delivery.get("sequence")
        )
        return
    content = delivery.get("content")
    if content is None:
        raise Skipped("nothing to send (no template, or the content was cleared)")
    if delivery.get("recipient_kind") == "citizen":
        # The stored text holds a placeholder; the code is opened only to be sent.
        code = access.pending_code(db, delivery.get("case_id"), settings.SECRET_KEY)
        content = access.with_code(content, code or "")
    if channel == "email":
        senders.email.send(to, content, key)
    elif channel == "sms":
        senders.sms.send(to, content, key)
    elif channel == "inbox":
        senders.inbox.send(
            to,
            content,
            key,
            now=now,
            case_id=delivery.get("case_id"),
            template=delivery.get("template"),
        )
    else:
        raise Skipped(f"unknown channel {channel}")


def attempt(db, senders, now, key, claimed=None):
    """Try delivery `key` once (`claimed`: as `plan` recorded it, claimed by this caller). A
    citizen's settled message keeps only its subject (`deliveries.attempt`), and once the
    first one carrying the access code is out, the plain code is deleted."""
    sent = []

    def send(d):
        send_delivery(db, senders, now, d)
        sent.append(d)

    status = deliveries.attempt(db, now, key, send, claimed=claimed)
    d = sent[0] if sent else None
    if (
        status == "sent"
        and d.get("recipient_kind") == "citizen"
        and d.get("template") in CODE_TEMPLATES
        and d.get("case_id")
    ):
        deliveries.until_stored(
            lambda: db.ack_codes.delete_one({"_id": d["case_id"]}), f"clean-up of delivery {key}"
        )
    return status


def on_event(db, senders, now, event, cfg):
    """An event from the bus: plan its messages, then send each (a failure is retried by the
    poller). Once planned, the event is marked so, for the re-drive."""
    keys, created = _plan(db, now, event, cfg, claim=True)
    db.notify_planned.update_one(
        {"_id": event["event_id"]}, {"$setOnInsert": {"at": now}}, upsert=True
    )
    out = {}
    for key in keys:
        d = created.get(key)
        if d is not None and d["status"] != "sending":
            out[key] = None  # recorded settled (no template): nothing to send
        else:
            out[key] = attempt(db, senders, now, key, claimed=d)
    return out


def redrive(db, senders, now, cfg, grace_seconds, batch):
    """Messages a lost (or parked) event would leave unsent — a citizen's acknowledgement, an
    answer — planned and sent after all. The feed holds every event (its consumer never acks
    one it has not recorded), so the re-drive walks the feed from its cursor, one `_id`
    lookup per event, and plans each event older than `grace_seconds` that is not marked
    planned. Starts at the end of the feed the first time. Returns how many it planned."""
    state = db.redrive_cursor.find_one({"_id": "notify"})
    if state is None:
        head = (db.journal_head.find_one({"_id": journal.HEAD}) or {}).get("seq", 0)
        db.redrive_cursor.update_one(
            {"_id": "notify"}, {"$setOnInsert": {"seq": head}}, upsert=True
        )
        return 0
    seq, planned = state["seq"], 0
    cutoff = now - timedelta(seconds=grace_seconds)
    try:
        for _ in range(batch):
            doc = db.journal.find_one({"_id": journal.key(seq + 1)})
            if doc is None or doc["recorded_at"] > cutoff:
                break
            event = doc["event"]
            if db.notify_planned.find_one({"_id": event["event_id"]}) is None:
                log.warning(
                    "re-drive: %s %s was never planned; planning it now",
                    event["type"],
                    event["event_id"],
                )
                try:
                    on_event(db, senders, now, event, cfg)
                    planned += 1
                except ConnectionFailure:
                    raise
                except Exception:  # this event's own fault: on record, and move on
                    log.exception("re-drive of %s failed", event["event_id"])
                    db.notify_planned.update_one(
                        {"_id": event["event_id"]}, {"$set": {"failed_at": now}}, upsert=True
                    )
            seq += 1
    finally:
        if seq != state["seq"]:
            db.redrive_cursor.update_one({"_id": "notify"}, {"$max": {"seq": seq}})
    return planned


def acknowledge_waiting(db, senders, now, cfg, wait_seconds, limit=100):
    """Acknowledge cases that have waited `wait_seconds` without a unit (manual queue)."""
    cutoff = now - timedelta(seconds=wait_seconds)
    done = 0
    # only those not acknowledged yet: the acknowledged stay until the case is routed, and a
    # page of them alone would hide the rest
    for ack in db.ack_codes.find({"waiting_ack": None, "at": {"$lt": cutoff}}).limit(limit):
        if ack.get("waiting_ack"):
            continue
        case = db.cases.find_one({"_id": ack["_id"]})
        contact = case and case["status"] == "received" and rules.citizen_contact(case)
        if contact:
            channel, address = contact
            lang = case.get("language") or cfg.lang
            template = templating.find(db, "acknowledgement_waiting", lang, cfg.lang)
            key = deliveries.message_key(f"waiting-{case['_id']}", channel, address)
            values = {
                "case_id": case["_id"],
                "title": case["title"],
                "access_code": access.CODE_PLACEHOLDER,
                "track_url": f"{cfg.public_url}/api/v1/cases/{case['_id']}",
            }
            deliveries.create(
                db,
                now,
                {
                    "_id": key,
                    "kind": "message",
                    "event_id": f"waiting-{case['_id']}",
                    "event_type": "case.received",
                    "case_id": case["_id"],
                    "channel": channel,
                    "recipient": address,
                    "recipient_kind": "citizen",
                    "template": "acknowledgement_waiting",
                    "lang": lang,
                    "content": templating.render(template, values) if template else None,
                },
            )
            attempt(db, senders, now, key)
            done += 1
        # Keep the code: the dated acknowledgement on assignment still needs it.
        db.ack_codes.update_one({"_id": ack["_id"]}, {"$set": {"waiting_ack": True}})
    return done


# --- the feed and the webhooks ----------------------------------------------------------


def record(db, now, event):
    """The ordered consumer's work for one event: the feed, then a delivery per matching
    webhook subscription. Returns the webhook delivery keys (created now or before)."""
    return record_many(db, now, [event])


def record_many(db, now, events):
    """`record` for events in bus order: the feed in one go (`journal.append_many`), the
    webhook deliveries of them all in one `create_many`."""
    numbers = journal.append_many(db, now, events)
    subscriptions = list(db.webhooks.find()) if events else []
    docs = [
        {
            "_id": deliveries.webhook_key(sub["_id"], event["event_id"]),
            "kind": "webhook",
            "channel": "webhook",
            "recipient": sub["url"],
            "recipient_kind": "system",
            "subscription": sub["_id"],
            "event_id": event["event_id"],
            "event_type": event["type"],
            "case_id": event.get("case_id"),
            "event": event,
            "sequence": numbers[event["event_id"]],
        }
        for event in events
        for sub in subscriptions
        if journal.matches(sub, event)
    ]
    deliveries.create_many(db, now, docs)
    return list(dict.fromkeys(d["_id"] for d in docs))


def feed(db, actor, after, limit):
    """`GET /events`: office roles see every event; a unit's staff the events of their unit."""
    try:
        after = int(after or 0)
    except (TypeError, ValueError):
        after = -1
    if after < 0:
        raise ValidationFailed(
            "the cursor is not one this feed gave", {"fields": {"after": ["not a valid cursor"]}}
        )
    if actor.get("role") in UNIT_ROLES:
        unit = actor.get("unit")
        visible = lambda e: unit in (e.get("units") or [])  # noqa: E731
    elif actor.get("role") in OFFICE_ROLES:
        visible = lambda e: True  # noqa: E731
    else:
        raise Forbidden("the event feed is for staff", {})
    events, last = journal.read(db, after, limit, visible)
    return {"items": events, "next_cursor": str(last)}


# --- what staff read --------------------------------------------------------------------


def _delivery_out(d, hide_citizen):
    out = {
        "id": d["_id"],
        "channel": d["channel"],
        "recipient": d["recipient"],
        "recipient_kind": d.get("recipient_kind"),
        "template": d.get("template"),
        "event_id": d.get("event_id"),
        "event_type": d.get("event_type"),
        "case_id": d.get("case_id"),
        "status": d["status"],
        "attempts": d.get("attempts", 0),
        "last_error": d.get("last_error"),
        "created_at": isoformat(d.get("created_at")),
        "sent_at": isoformat(d.get("sent_at")) if d.get("sent_at") else None,
        "next_attempt_at": isoformat(d["next_attempt_at"]) if d.get("next_attempt_at") else None,
        "replays": d.get("replays", 0),
    }
    if hide_citizen and d.get("recipient_kind") == "citizen":
        out["recipient"] = "（举报人信息保密）"
        out["id"] = None
    return out


def case_deliveries(db, now, case_id, actor):
    """A case's delivery log, for staff who may see the case (docs/contract.md §1 scope); for a
    report the citizen's address is never shown to units."""
    case = load_case(db, case_id, actor)  # 404 outside the caller's scope
    hide = case.get("kind") == "report" and actor.get("role") in UNIT_ROLES
    ids = (db.case_deliveries.find_one({"_id": case_id}) or {}).get("ids", [])
    found = [db.deliveries.find_one({"_id": i}) for i in ids]
    found = sorted((d for d in found if d), key=lambda d: (d["created_at"], d["_id"]))
    return {"items": [_delivery_out(d, hide) for d in found]}


def inbox(db, actor, unread_only=False, limit=50):
    items, unread = inboxes.page(db, actor["username"], unread_only, limit)
    return {
        "unread": unread,
        "items": [
            {
                "id": m["_id"],
                "title": m["title"],
                "body": m["body"],
                "case_id": m.get("case_id"),
                "template": m.get("template"),
                "created_at": isoformat(m["created_at"]),
                "read": m["read"],
            }
            for m in items
        ],
    }


def mark_read(db, now, actor, message_id):
    if not inboxes.mark_read(db, actor["username"], message_id, now):
        raise NotFound("no such message in your inbox", {"id": message_id})
    return {"id": message_id, "read": True}


def webhook_deliveries(db, actor, status=None, subscription=None, limit=100):
    if actor.get("role") != "admin":
        raise Forbidden("webhook deliveries are for the admin", {})
    query = {"kind": "webhook"}
    if status:
        query["status"] = status
    if subscription:
        query["subscription"] = subscription
    found = db.deliveries.find(query).sort([("created_at", -1), ("_id", 1)]).limit(limit)
    return {
        "items": [
            {
                **_delivery_out(d, False),
                "subscription": d.get("subscription"),
                "history": [
                    {k: isoformat(v) if hasattr(v, "tzinfo") else v for k, v in h.items()}
                    for h in d.get("history", [])
                ],
            }
            for d in found
        ]
    }


def replay(db, now, actor, key):
    if actor.get("role") != "admin":
        raise Forbidden("only the admin replays a delivery", {})
    d = db.deliveries.find_one({"_id": key})
    if d is None:
        raise NotFound("no such delivery", {"id": key})
    if d["kind"] != "webhook" and not d.get("content"):
        raise ValidationFailed(
            "this delivery's content is gone; it cannot be replayed", {"id": key}
        )
    if deliveries.replay(db, now, key) is None:
        raise WrongState("only a dead or failed delivery can be replayed", {"status": d["status"]})
    return _delivery_out(db.deliveries.find_one({"_id": key}), False)
