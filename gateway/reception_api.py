"""Reception days (接访, docs/contract.md §13) over HTTP: the public schedule and booking, the
office's schedule, rota and desk, closing a session, a leader's open matters. Bodies are
checked here with the shared schemas and again, with the clock and the store, by the
reception service."""

import uuid

from flask import jsonify, request

from lianxin.errors import BadRequest
from lianxin.reception_schemas import (
    BookingSchema,
    CancelSchema,
    CloseSchema,
    GenerateSchema,
    ReceptionReasonSchema,
    RuleSchema,
    ScheduleQuerySchema,
    SessionChangeSchema,
    SessionSchema,
    VisitMatterSchema,
    WalkInSchema,
)
from lianxin.schemas import load_or_raise

from . import ratelimit
from .auth import staff
from .common import api, json_body, rpc

DESK_STEPS = {"check-in": "check_in", "receive": "receive", "finish": "finish"}


def _checked(schema):
    body = json_body()
    load_or_raise(schema, body)
    return body


def _created(answer):
    response = jsonify(answer)
    response.status_code = 201
    return response


# -- the public ---------------------------------------------------------------------------


@api.get("/public/receptions")
def public_receptions():
    """The published reception schedule.
    ---
    get:
      summary: Reception days published ahead, with the five public items and every change
      description: >
        五公开: leader, accompanying units, time, place, content; places left and the waiting
        list; a session moved for a holiday says from when, a cancelled one why, and each
        change since publication (a stand-in leader, a new time or place) is listed. From
        yesterday on unless `from` says otherwise.
      tags: [receptions]
      parameters: [{in: query, schema: ScheduleQuerySchema}]
      responses:
        200: {content: {application/json: {schema: PublicScheduleSchema}}}
        422: {content: {application/json: {schema: Error}}}
        429: {content: {application/json: {schema: Error}}}
    """
    ratelimit.public()
    query = request.args.to_dict()
    load_or_raise(ScheduleQuerySchema(), query)
    return jsonify(rpc("reception", "public_schedule", query))


@api.get("/public/receptions/<session_id>")
def public_reception(session_id):
    """One published session.
    ---
    get:
      summary: A reception session as the public sees it
      tags: [receptions]
      parameters: [{in: path, name: session_id, required: true, schema: {type: string}}]
      responses:
        200: {content: {application/json: {schema: PublicSessionSchema}}}
        404: {content: {application/json: {schema: Error}}}
    """
    ratelimit.public()
    return jsonify(rpc("reception", "public_session", session_id))


@api.post("/public/receptions/<session_id>/bookings")
def book_reception(session_id):
    """Book a place.
    ---
    post:
      summary: Book a place at a reception (name, contact, what it is about)
      description: >
        Booked while places are left, else on the waiting list (`status: waitlisted`,
        `position`); 422 with `fields.session_id` when the session and its waiting list are
        full, or it is not open for booking. One booking per contact and session. The
        `cancel_code` is shown once: it cancels the booking.
      tags: [receptions]
      parameters: [{in: path, name: session_id, required: true, schema: {type: string}}]
      requestBody: {required: true, content: {application/json: {schema: BookingSchema}}}
      responses:
        201: {content: {application/json: {schema: BookingReceiptSchema}}}
        404: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
        429: {content: {application/json: {schema: Error}}}
    """
    ratelimit.booking()
    return _created(rpc("reception", "book", session_id, _checked(BookingSchema())))


@api.post("/public/receptions/<session_id>/bookings/<booking_id>/cancel")
def cancel_reception_booking(session_id, booking_id):
    """Cancel a booking with its code.
    ---
    post:
      summary: Cancel a booking; its place goes to the first on the waiting list
      tags: [receptions]
      parameters:
        - {in: path, name: session_id, required: true, schema: {type: string}}
        - {in: path, name: booking_id, required: true, schema: {type: string}}
      requestBody: {required: true, content: {application/json: {schema: CancelSchema}}}
      responses:
        200: {content: {application/json: {schema: CancelledBookingSchema}}}
        404: {content: {application/json: {schema: Error}}}
        409: {content: {application/json: {schema: Error}}}
    """
    ratelimit.feedback(booking_id)
    body = _checked(CancelSchema())
    return jsonify(rpc("reception", "cancel_booking", session_id, booking_id, body))


# -- the schedule (office) ----------------------------------------------------------------


@api.get("/reception-rules")
def reception_rules():
    """Recurring rules.
    ---
    get:
      summary: The recurring rules that generate sessions (office)
      tags: [receptions]
      security: [{bearer: []}]
      responses:
        200: {content: {application/json: {schema: RuleListSchema}}}
        403: {content: {application/json: {schema: Error}}}
    """
    return jsonify(rpc("reception", "rules", staff()))


@api.post("/reception-rules")
def create_reception_rule():
    """Add a recurring rule.
    ---
    post:
      summary: Add or replace a recurring rule (every Monday, the 10th, Tuesdays and Wednesdays…)
      tags: [receptions]
      security: [{bearer: []}]
      requestBody: {required: true, content: {application/json: {schema: RuleSchema}}}
      responses:
        201: {content: {application/json: {schema: RuleViewSchema}}}
        403: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff()
    return _created(rpc("reception", "save_rule", actor, _checked(RuleSchema())))


@api.put("/reception-rules/<rule_id>")
def save_reception_rule(rule_id):
    """Replace a recurring rule.
    ---
    put:
      summary: Replace the recurring rule `rule_id`
      tags: [receptions]
      security: [{bearer: []}]
      parameters: [{in: path, name: rule_id, required: true, schema: {type: string}}]
      requestBody: {required: true, content: {application/json: {schema: RuleSchema}}}
      responses:
        200: {content: {application/json: {schema: RuleViewSchema}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff()
    body = {**json_body(), "id": rule_id}
    load_or_raise(RuleSchema(), body)
    return jsonify(rpc("reception", "save_rule", actor, body, rule_id))


@api.delete("/reception-rules/<rule_id>")
def delete_reception_rule(rule_id):
    """Delete a recurring rule.
    ---
    delete:
      summary: Delete a recurring rule (the sessions it made stay)
      tags: [receptions]
      security: [{bearer: []}]
      parameters: [{in: path, name: rule_id, required: true, schema: {type: string}}]
      responses:
        204: {description: deleted}
        404: {content: {application/json: {schema: Error}}}
    """
    rpc("reception", "delete_rule", staff(), rule_id)
    return "", 204


@api.post("/receptions/generate")
def generate_receptions():
    """Generate sessions from the rules.
    ---
    post:
      summary: The sessions the rules give between two days (drafts, or published at once)
      description: >
        A day that is not a working day is moved to the next working day or cancelled, as
        the rule says. A session generated before is left as it is; past days are skipped.
      tags: [receptions]
      security: [{bearer: []}]
      requestBody: {required: true, content: {application/json: {schema: GenerateSchema}}}
      responses:
        200: {content: {application/json: {schema: GeneratedSessionsSchema}}}
        403: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff()
    return jsonify(rpc("reception", "generate", actor, _checked(GenerateSchema())))


@api.get("/receptions")
def list_receptions():
    """The schedule for staff.
    ---
    get:
      summary: Sessions (drafts too), for the office; a unit's staff see those it accompanies
      tags: [receptions]
      security: [{bearer: []}]
      parameters: [{in: query, schema: ScheduleQuerySchema}]
      responses:
        200: {content: {application/json: {schema: StaffScheduleSchema}}}
        401: {content: {application/json: {schema: Error}}}
    """
    actor = staff()
    query = request.args.to_dict()
    load_or_raise(ScheduleQuerySchema(), query)
    return jsonify(rpc("reception", "list_sessions", actor, query))


@api.post("/receptions")
def create_reception():
    """Put one session on the schedule.
    ---
    post:
      summary: A session by hand (not in the past; `publish` to publish at once)
      tags: [receptions]
      security: [{bearer: []}]
      requestBody: {required: true, content: {application/json: {schema: SessionSchema}}}
      responses:
        201: {content: {application/json: {schema: StaffSessionSchema}}}
        403: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff()
    return _created(rpc("reception", "create_session", actor, _checked(SessionSchema())))


@api.get("/receptions/open-matters")
def reception_open_matters():
    """What is still open from a leader's receptions.
    ---
    get:
      summary: The cases raised at a leader's receptions that are not closed (首问负责)
      description: A leader gets their own list; the office names the leader.
      tags: [receptions]
      security: [{bearer: []}]
      parameters: [{in: query, name: leader, schema: {type: string}}]
      responses:
        200: {content: {application/json: {schema: OpenMattersSchema}}}
        403: {content: {application/json: {schema: Error}}}
    """
    return jsonify(rpc("reception", "open_matters", staff(), request.args.get("leader")))


@api.get("/receptions/<session_id>")
def get_reception(session_id):
    """One session for staff.
    ---
    get:
      summary: A session with its rota, closing report and (office) its visits
      tags: [receptions]
      security: [{bearer: []}]
      parameters: [{in: path, name: session_id, required: true, schema: {type: string}}]
      responses:
        200: {content: {application/json: {schema: StaffSessionSchema}}}
        404: {content: {application/json: {schema: Error}}}
    """
    return jsonify(rpc("reception", "session", staff(), session_id))


@api.patch("/receptions/<session_id>")
def change_reception(session_id):
    """Change a session.
    ---
    patch:
      summary: Change a session; after publication each change is kept, shown, and told
      description: >
        A new date, time or place is told to everyone who booked. A capacity below the places
        already booked, or a time in the past, is 422 with the field.
      tags: [receptions]
      security: [{bearer: []}]
      parameters: [{in: path, name: session_id, required: true, schema: {type: string}}]
      requestBody: {required: true, content: {application/json: {schema: SessionChangeSchema}}}
      responses:
        200: {content: {application/json: {schema: StaffSessionSchema}}}
        409: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff()
    return jsonify(rpc("reception", "change", actor, session_id, _checked(SessionChangeSchema())))


def _session_action(session_id, method, schema=None):
    actor = staff()
    if schema is None:
        return jsonify(rpc("reception", method, actor, session_id))
    return jsonify(rpc("reception", method, actor, session_id, _checked(schema)))


@api.post("/receptions/<session_id>/publish")
def publish_reception(session_id):
    """Publish a session.
    ---
    post:
      summary: Put a draft on the public schedule; the leader and the units are told
      tags: [receptions]
      security: [{bearer: []}]
      parameters: [{in: path, name: session_id, required: true, schema: {type: string}}]
      responses:
        200: {content: {application/json: {schema: StaffSessionSchema}}}
        409: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
    """
    return _session_action(session_id, "publish")


@api.post("/receptions/<session_id>/stand-in")
def stand_in_reception(session_id):
    """The receiving leader cannot come.
    ---
    post:
      summary: The next leader on the rota stands in (补位); shown as a change, bookers told
      tags: [receptions]
      security: [{bearer: []}]
      parameters: [{in: path, name: session_id, required: true, schema: {type: string}}]
      requestBody: {required: true, content: {application/json: {schema: ReceptionReasonSchema}}}
      responses:
        200: {content: {application/json: {schema: StaffSessionSchema}}}
        409: {content: {application/json: {schema: Error}}}
    """
    return _session_action(session_id, "replace_leader", ReceptionReasonSchema())


@api.post("/receptions/<session_id>/cancel")
def cancel_reception(session_id):
    """Cancel a session.
    ---
    post:
      summary: Cancel a session; it stays on the public schedule as cancelled, bookers told
      tags: [receptions]
      security: [{bearer: []}]
      parameters: [{in: path, name: session_id, required: true, schema: {type: string}}]
      requestBody: {required: true, content: {application/json: {schema: ReceptionReasonSchema}}}
      responses:
        200: {content: {application/json: {schema: StaffSessionSchema}}}
        409: {content: {application/json: {schema: Error}}}
    """
    return _session_action(session_id, "cancel_session", ReceptionReasonSchema())


@api.post("/receptions/<session_id>/close")
def close_reception(session_id):
    """Close a session.
    ---
    post:
      summary: Close a session; the leader gets what is still open from their receptions
      description: >
        Records people received, cases registered, solved on the spot, and notes.
      tags: [receptions]
      security: [{bearer: []}]
      parameters: [{in: path, name: session_id, required: true, schema: {type: string}}]
      requestBody: {content: {application/json: {schema: CloseSchema}}}
      responses:
        200: {content: {application/json: {schema: StaffSessionSchema}}}
        409: {content: {application/json: {schema: Error}}}
    """
    return _session_action(session_id, "close", CloseSchema())


# -- the desk -----------------------------------------------------------------------------


@api.post("/receptions/<session_id>/walk-ins")
def reception_walk_in(session_id):
    """Someone came without a booking.
    ---
    post:
      summary: Open a visit for a walk-in, straight into the waiting room
      tags: [receptions]
      security: [{bearer: []}]
      parameters: [{in: path, name: session_id, required: true, schema: {type: string}}]
      requestBody: {required: true, content: {application/json: {schema: WalkInSchema}}}
      responses:
        201: {content: {application/json: {schema: ReceptionVisitSchema}}}
        409: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff()
    return _created(rpc("reception", "walk_in", actor, session_id, _checked(WalkInSchema())))


@api.post("/receptions/<session_id>/visits/<booking_id>/<step>")
def reception_desk_step(session_id, booking_id, step):
    """One step at the desk.
    ---
    post:
      summary: "check-in → waiting, receive → received, finish → done; cancel (office)"
      tags: [receptions]
      security: [{bearer: []}]
      parameters:
        - {in: path, name: session_id, required: true, schema: {type: string}}
        - {in: path, name: booking_id, required: true, schema: {type: string}}
        - in: path
          name: step
          required: true
          schema: {type: string, enum: [check-in, receive, finish, cancel]}
      responses:
        200: {content: {application/json: {schema: ReceptionVisitSchema}}}
        404: {content: {application/json: {schema: Error}}}
        409: {content: {application/json: {schema: Error}}}
    """
    actor = staff()
    if step == "cancel":
        return jsonify(rpc("reception", "cancel_booking", session_id, booking_id, {}, actor))
    if step not in DESK_STEPS:
        raise BadRequest("no such step", {"steps": sorted(DESK_STEPS) + ["cancel"]})
    return jsonify(rpc("reception", "desk_action", actor, session_id, booking_id, DESK_STEPS[step]))


@api.post("/receptions/<session_id>/visits/<booking_id>/matters")
def reception_matter(session_id, booking_id):
    """Register a matter the citizen raised.
    ---
    post:
      summary: Register the matter as a case (channel reception_day) naming the receiving leader
      description: >
        Solved on the spot (`solved_on_the_spot`) it is registered answered, the leader's
        answer on record; otherwise routed and assigned by formal notice, general matters
        within a week, major within two (deadline policies). `existing_case` links the visit
        to the citizen's open case instead. `Idempotency-Key` makes a retry answer the same
        case.
      tags: [receptions]
      security: [{bearer: []}]
      parameters:
        - {in: path, name: session_id, required: true, schema: {type: string}}
        - {in: path, name: booking_id, required: true, schema: {type: string}}
        - {in: header, name: Idempotency-Key, schema: {type: string, maxLength: 200}}
      requestBody: {required: true, content: {application/json: {schema: VisitMatterSchema}}}
      responses:
        201: {content: {application/json: {schema: SubmissionReceipt}}}
        403: {content: {application/json: {schema: Error}}}
        409: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff()
    body = _checked(VisitMatterSchema())
    key = request.headers.get("Idempotency-Key", "").strip()[:200]
    request_key = f"key:reception:{key}" if key else f"req:{uuid.uuid4()}"
    return _created(
        rpc("reception", "raise_matter", actor, session_id, booking_id, body, request_key)
    )
