"""Notifications and integration (docs/contract.md §8, §9): the event feed, the inbox, a case's
delivery log, and the admin's view of webhook deliveries with replay."""

from flask import jsonify, request
from marshmallow import Schema, fields, validate

from lianxin.schemas import load_or_raise

from .auth import staff
from .common import api, rpc


class FeedQuerySchema(Schema):
    after = fields.String(
        load_default="0",
        validate=validate.Regexp(
            r"^[0-9]{1,18}$", error="a cursor from this feed (0 for the start)"
        ),
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class InboxQuerySchema(Schema):
    unread = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class DeliveryQuerySchema(Schema):
    status = fields.String(
        validate=validate.OneOf(
            ("pending", "sending", "sent", "retrying", "dead", "failed", "skipped")
        )
    )
    subscription = fields.String(validate=validate.Length(max=64))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


@api.get("/events")
def events():
    """The durable event feed.
    ---
    get:
      summary: Events in order after a cursor (§9 envelopes); resume from next_cursor
      tags: [integration]
      security: [{bearer: []}]
      parameters: [{in: query, schema: FeedQuerySchema}]
      responses:
        200: {description: "{items: [envelope…], next_cursor}"}
        401: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff()
    query = load_or_raise(FeedQuerySchema(), request.args.to_dict())
    return jsonify(rpc("notify", "events", actor, query["after"], query["limit"]))


@api.get("/inbox")
def inbox():
    """The caller's in-app inbox.
    ---
    get:
      summary: My messages, newest first, with the unread count
      tags: [notifications]
      security: [{bearer: []}]
      parameters: [{in: query, schema: InboxQuerySchema}]
      responses:
        200: {description: "{unread, items: [{id, title, body, case_id, created_at, read}]}"}
        401: {content: {application/json: {schema: Error}}}
    """
    actor = staff()
    query = load_or_raise(InboxQuerySchema(), request.args.to_dict())
    return jsonify(rpc("notify", "inbox", actor, query["unread"], query["limit"]))


@api.post("/inbox/<path:message_id>/read")
def inbox_read(message_id):
    """Mark a message read.
    ---
    post:
      summary: Mark one of my messages read
      tags: [notifications]
      security: [{bearer: []}]
      parameters: [{in: path, name: message_id, required: true, schema: {type: string}}]
      responses:
        200: {description: "{id, read}"}
        404: {content: {application/json: {schema: Error}}}
    """
    return jsonify(rpc("notify", "mark_read", staff(), message_id))


@api.get("/cases/<case_id>/deliveries")
def case_deliveries(case_id):
    """A case's delivery log.
    ---
    get:
      summary: Every message and webhook delivery of a case, with outcome and attempts (staff)
      tags: [notifications]
      security: [{bearer: []}]
      parameters: [{in: path, name: case_id, required: true, schema: {type: string}}]
      responses:
        200: {description: "{items: [{channel, recipient, template, status, attempts, …}]}"}
        404: {content: {application/json: {schema: Error}}}
    """
    return jsonify(rpc("notify", "case_deliveries", case_id, staff()))


@api.get("/webhook-deliveries")
def webhook_deliveries():
    """Webhook deliveries (dead letters with ?status=dead).
    ---
    get:
      summary: Webhook deliveries with their attempts; status=dead lists the dead letters (admin)
      tags: [integration]
      security: [{bearer: []}]
      parameters: [{in: query, schema: DeliveryQuerySchema}]
      responses:
        200: {description: "{items: [...]}"}
        403: {content: {application/json: {schema: Error}}}
    """
    actor = staff("admin")
    query = load_or_raise(DeliveryQuerySchema(), request.args.to_dict())
    return jsonify(
        rpc(
            "notify",
            "webhook_deliveries",
            actor,
            query.get("status"),
            query.get("subscription"),
            query["limit"],
        )
    )


@api.post("/deliveries/<path:delivery_id>/replay")
def replay(delivery_id):
    """Replay a dead delivery.
    ---
    post:
      summary: Send a dead or failed delivery again, its attempts counted afresh (admin)
      tags: [integration]
      security: [{bearer: []}]
      parameters: [{in: path, name: delivery_id, required: true, schema: {type: string}}]
      responses:
        200: {description: the delivery}
        404: {content: {application/json: {schema: Error}}}
        409: {content: {application/json: {schema: Error}}}
    """
    return jsonify(rpc("notify", "replay", staff("admin"), delivery_id))
