"""Notify use cases: turn events into deliveries, send each once, log every outcome."""
import logging
from datetime import timedelta

from pymongo.errors import DuplicateKeyError

from lianxin import settings

from . import messages

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
SEND_CLAIM = 120  # seconds a sender may take before another may try


def template_for(db, name, lang):
    return (db.templates.find_one({"_id": f"{name}:{lang}"})
            or db.templates.find_one({"_id": f"{name}:zh-CN"}))


def deliver(db, mailer, now, event, message, lang):
    """Send `message` for `event` unless it was sent already (SPEC §8: never twice for the
    same event and recipient). Every attempt and its outcome is in `deliveries`."""
    key = f"{event['event_id']}:{message.template}:{message.recipient}"
    try:
        db.deliveries.insert_one({
            "_id": key, "event_id": event["event_id"], "event_type": event["type"],
            "case_id": event.get("case_id"), "template": message.template,
            "channel": message.channel, "recipient": message.recipient,
            "recipient_kind": message.recipient_kind, "status": "pending", "attempts": 0,
            "created_at": now, "event": event})
    except DuplicateKeyError:
        pass
    # Take the delivery for sending, so that two handlers of one redelivered event cannot
    # both send it; a sender that died lets go when its claim expires.
    claimed = db.deliveries.find_one_and_update(
        {"_id": key, "$or": [{"status": {"$in": ["pending", "retrying"]}},
                             {"status": "sending", "claimed_until": {"$lt": now}}]},
        {"$set": {"status": "sending", "claimed_until": now + timedelta(seconds=SEND_CLAIM)}})
    if claimed is None:
        return "duplicate"
    template = template_for(db, message.template, lang)
    if template is None:
        db.deliveries.update_one({"_id": key}, {"$set": {"status": "failed",
                                                         "error": "no template"}})
        log.error("no template %s", message.template)
        return "failed"
    subject, body = messages.render(template, message.values)
    try:
        mailer.send(message.recipient, subject, body, key)
    except Exception as exc:
        attempts = db.deliveries.find_one({"_id": key})["attempts"] + 1
        db.deliveries.update_one({"_id": key}, {"$set": {
            "status": "failed" if attempts >= MAX_ATTEMPTS else "retrying",
            "error": str(exc), "attempts": attempts,
            "next_attempt_at": now + timedelta(seconds=30 * 2 ** attempts)}})
        log.warning("delivery %s failed: %s", key, exc)
        return "retrying"
    db.deliveries.update_one({"_id": key}, {"$set": {"status": "sent", "sent_at": now,
                                                     "subject": subject},
                                            "$inc": {"attempts": 1}})
    return "sent"


def on_case_assigned(db, mailer, now, event, tz, public_url, lang):
    case = db.cases.find_one({"_id": event["case_id"]})
    if case is None:
        log.warning("notify: no case %s", event["case_id"])
        return []
    lead = db.units.find_one({"_id": event["data"]["lead_unit"]})
    ack = db.ack_codes.find_one({"_id": case["_id"]})
    outcomes = []
    for message in messages.messages_for_assignment(event, case, lead, ack and ack["code"],
                                                    tz, public_url):
        outcomes.append(deliver(db, mailer, now, event, message, lang))
        if message.template == "acknowledgement" and outcomes[-1] in ("sent", "duplicate"):
            db.ack_codes.delete_one({"_id": case["_id"]})
    return outcomes


def acknowledge_waiting(db, mailer, now, wait_seconds, public_url, lang, limit=100):
    """Acknowledge cases that have waited `wait_seconds` without a unit (manual queue)."""
    cutoff = now - timedelta(seconds=wait_seconds)
    sent = 0
    for ack in db.ack_codes.find({"at": {"$lt": cutoff}}).limit(limit):
        if ack.get("waiting_ack"):
            continue
        case = db.cases.find_one({"_id": ack["_id"]})
        message = case and case["status"] == "received" and \
            messages.message_for_waiting_case(case, ack["code"], public_url)
        if message:
            event = {"event_id": f"waiting-{case['_id']}", "type": "case.received",
                     "case_id": case["_id"]}
            if deliver(db, mailer, now, event, message, lang) in ("sent", "duplicate"):
                sent += 1
            else:
                continue
        # Keep the code: the dated acknowledgement on assignment still needs it.
        db.ack_codes.update_one({"_id": ack["_id"]}, {"$set": {"waiting_ack": True}})
    return sent


class Directory:
    """Who is who, read from the store when a supervision event needs recipients."""

    def __init__(self, db, office_unit):
        self.db, self.office_unit = db, office_unit

    def _unit(self, unit_id):
        return self.db.units.find_one({"_id": unit_id}) if unit_id else None

    def unit_name(self, unit_id):
        return (self._unit(unit_id) or {}).get("name", unit_id or "")

    def unit_email(self, unit_id):
        return (self._unit(unit_id) or {}).get("email")

    def unit_leader_emails(self, unit_id):
        emails = [u["email"] for u in self.db.users.find({"role": "unit_leader", "unit": unit_id})
                  if u.get("email") and u.get("active", True)]
        return emails or [e for e in [self.unit_email(unit_id)] if e]

    def leader_email(self, leader_id):
        leader = self.db.leaders.find_one({"_id": leader_id}) if leader_id else None
        return (leader or {}).get("email")

    def office_email(self):
        return self.unit_email(self.office_unit)


def on_supervision_event(db, mailer, now, event, tz, lang, office_unit):
    case = db.cases.find_one({"_id": event["case_id"]}) if event.get("case_id") else None
    return [deliver(db, mailer, now, event, message, lang)
            for message in messages.messages_for_supervision(
                event, case, Directory(db, office_unit), tz)]


def retry_due(db, mailer, now, tz, public_url, lang, limit=100):
    """Retry deliveries that failed, with back-off, by re-handling their event."""
    again = 0
    for d in db.deliveries.find({"status": "retrying", "next_attempt_at": {"$lt": now}}).limit(limit):
        if d["event_type"] == "case.assigned":
            on_case_assigned(db, mailer, now, d["event"], tz, public_url, lang)
            again += 1
        elif d["event_type"].startswith("supervision."):
            on_supervision_event(db, mailer, now, d["event"], tz, lang, settings.OFFICE_UNIT)
            again += 1
    return again
