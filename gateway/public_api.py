"""The public board (网上监督, docs/contract.md §11): answered cases whose citizen agreed to
publication, masked, and the period's completion, on-time and satisfaction rates by unit. No
sign-in; rate-limited per client address."""

from flask import jsonify, request
from marshmallow import Schema, fields, validate

from lianxin.schemas import QUARTER, load_or_raise

from . import ratelimit
from .common import api, rpc
from .reports_api import report_rpc


class BoardQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    topic = fields.String(validate=validate.Length(max=64))
    unit = fields.String(validate=validate.Length(max=64))


class PublicStatsQuerySchema(Schema):
    quarter = QUARTER


@api.get("/public/cases")
def public_cases():
    """The public board.
    ---
    get:
      summary: Answered and closed cases published with the citizen's consent, masked
      tags: [public]
      parameters: [{in: query, schema: BoardQuerySchema}]
      responses:
        200:
          description: >
            {total, page, limit, items: [{id, title, content, citizen: {name, phone}, unit,
            answer, received_at, answered_at, closed_at}]}
        422: {content: {application/json: {schema: Error}}}
        429: {content: {application/json: {schema: Error}}}
    """
    ratelimit.public()
    query = load_or_raise(BoardQuerySchema(), request.args.to_dict())
    return jsonify(rpc("reading", "public_board", query))


@api.get("/public/cases/<case_id>")
def public_case(case_id):
    """One case of the public board.
    ---
    get:
      summary: A published case, masked
      tags: [public]
      parameters: [{in: path, name: case_id, required: true, schema: {type: string}}]
      responses:
        200: {description: the case}
        404: {content: {application/json: {schema: Error}}}
        429: {content: {application/json: {schema: Error}}}
    """
    ratelimit.public()
    return jsonify(rpc("reading", "public_board_case", case_id))


@api.get("/public/stats")
def public_stats():
    """The public's figures.
    ---
    get:
      summary: Completion, on-time and satisfaction rates by unit for a quarter (§7)
      tags: [public]
      parameters: [{in: query, schema: PublicStatsQuerySchema}]
      responses:
        200:
          description: >
            {quarter, units: [{unit, name, total, completion_rate, on_time_rate,
            satisfaction_rate}]}
        422: {content: {application/json: {schema: Error}}}
        429: {content: {application/json: {schema: Error}}}
    """
    ratelimit.public()
    query = load_or_raise(PublicStatsQuerySchema(), request.args.to_dict())
    return jsonify(report_rpc("reading", "public_stats", query["quarter"]))
