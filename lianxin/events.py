"""The event envelope of docs/contract.md §9, built in one place."""

import uuid

from .clock import isoformat

SCHEMA_VERSION = 1

CASE_EVENT_TYPES = (
    "case.received",
    "case.merged",
    "case.assigned",
    "case.claimed",
    "case.returned",
    "case.progress",
    "case.extension_requested",
    "case.extension_decided",
    "case.replied",
    "case.reply_rejected",
    "case.answered",
    "case.visited",
    "case.reopened",
    "case.closed",
    "case.instructed",
    # Not in docs/contract.md §9's list, for state changes it does not name (docs/decisions/0007):
    "case.not_accepted",
    "case.unmerged",
    "case.appealed",
    "case.appeal_decided",
    "case.attached",
)
SUPERVISION_EVENT_TYPES = (
    "supervision.reminder",
    "supervision.notice",
    "supervision.warning",
    "supervision.overdue",
)
# Reception days (docs/contract.md §13): `case_id` is null, `data.session_id` names the
# session, `units` are its accompanying units; `data` carries the public items only.
RECEPTION_EVENT_TYPES = (
    "reception.published",
    "reception.changed",  # data.kind: changed, stand_in, cancelled
    "reception.booked",  # data.booking_status: booked or waitlisted
    "reception.promoted",  # from the waiting list to a place
    "reception.booking_cancelled",
    "reception.visit",  # a step at the desk: data.booking_status waiting, received, done
    "reception.closed",
)
# Asking the public (docs/contract.md §15; services/consult). `survey.invited` carries the case
# whose citizen is asked; the others have no case.
CONSULT_EVENT_TYPES = (
    "consultation.published",
    "consultation.closed",
    "comment.received",
    "comment.held",
    "comment.moderated",
    "comment.decided",
    "comment.case_opened",
    "summary.published",
    "survey.published",
    "survey.invited",
    "survey.closed",
    "survey.results_published",
)
# Supervised matters and livelihood projects (docs/contract.md §14; services/matters). The
# envelope's case_id is null; data.matter_id names the matter.
MATTER_EVENT_TYPES = (
    "matter.created",
    "matter.published",
    "matter.claimed",
    "matter.progress",
    "matter.done_reported",
    "matter.sent_back",
    "matter.confirmed",
    "matter.seen_done",
    "matter.reminder",
    "matter.notice",
    "matter.warning",
    "matter.overdue",
)
EVENT_TYPES = (
    CASE_EVENT_TYPES
    + SUPERVISION_EVENT_TYPES
    + ("alert.raised",)
    + RECEPTION_EVENT_TYPES
    + CONSULT_EVENT_TYPES
    + MATTER_EVENT_TYPES
)


# Events whose identity is what they are about (a reminder for a unit on a day) get an id
# derived from that, so that one emitted twice is still one event to every consumer.
_NAMESPACE = uuid.UUID("6f1c3e2a-9b7d-4c1e-8f00-1a2b3c4d5e6f")


def event_id_for(key):
    return str(uuid.uuid5(_NAMESPACE, key))


def make_event(type_, *, now, case_id=None, units=(), actor="system", data=None, event_id=None):
    if type_ not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type_!r}")
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "type": type_,
        "occurred_at": isoformat(now),
        "case_id": case_id,
        "units": [u for u in units if u],
        "actor": actor,
        "data": data or {},
        "schema": SCHEMA_VERSION,
    }
