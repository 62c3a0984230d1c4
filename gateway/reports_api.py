"""What people are worried about and who is doing their job (docs/contract.md §6, §7): alerts, a
petitioner's history, statistics, unit assessment, the quarterly bulletin and the digest."""

from flask import Response, current_app, jsonify, request
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from lianxin.auth import OFFICE_ROLES
from lianxin.schemas import QUARTER, load_or_raise

from . import render
from .auth import staff
from .common import api, rpc

GROUPS = ("unit", "topic", "town", "channel", "kind", "week")


def report_rpc(service, method, *args):
    """Reports read a whole period: they get a longer timeout than a case action."""
    return current_app.extensions["lianxin.reports_rpc"].call(service, method, *args)


def _plausible(value):
    if not 1970 <= value.year <= 2999:
        raise ValidationError("must be between 1970 and 2999")


class PeriodSchema(Schema):
    from_ = fields.AwareDateTime(data_key="from", required=True, validate=_plausible)
    to = fields.AwareDateTime(required=True, validate=_plausible)

    @validates_schema
    def ordered(self, data, **kwargs):
        if "from_" in data and "to" in data and data["from_"] >= data["to"]:
            raise ValidationError("must be after from", "to")


class StatsQuerySchema(PeriodSchema):
    group_by = fields.String(load_default="unit", validate=validate.OneOf(GROUPS))


class BulletinQuerySchema(Schema):
    quarter = QUARTER
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "pdf")))


class DigestQuerySchema(Schema):
    from_ = fields.AwareDateTime(data_key="from", validate=_plausible)
    to = fields.AwareDateTime(validate=_plausible)
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "pdf")))

    @validates_schema
    def both_or_neither(self, data, **kwargs):
        if ("from_" in data) != ("to" in data):
            raise ValidationError(
                "give both from and to, or neither (the last ten days)",
                "to" if "from_" in data else "from",
            )
        if "from_" in data and data["from_"] >= data["to"]:
            raise ValidationError("must be after from", "to")


class AlertQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(("open", "acknowledged")))


@api.get("/stats")
def stats():
    """Statistics.
    ---
    get:
      summary: The §7 figures for cases received in [from, to), grouped (office, leaders)
      tags: [reports]
      security: [{bearer: []}]
      parameters: [{in: query, schema: StatsQuerySchema}]
      responses:
        200: {content: {application/json: {schema: Stats}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff(*OFFICE_ROLES)
    q = load_or_raise(StatsQuerySchema(), request.args.to_dict())
    return jsonify(
        report_rpc(
            "reading",
            "stats",
            actor,
            q["from_"].isoformat(),
            q["to"].isoformat(),
            q["group_by"],
        )
    )


@api.get("/assessment")
def assessment():
    """Unit assessment.
    ---
    get:
      summary: Each unit's score from 100 with the deductions and the cases behind them
      tags: [reports]
      security: [{bearer: []}]
      parameters: [{in: query, schema: PeriodSchema}]
      responses:
        200: {content: {application/json: {schema: Assessment}}}
    """
    actor = staff(*OFFICE_ROLES)
    q = load_or_raise(PeriodSchema(), request.args.to_dict())
    return jsonify(
        report_rpc("reading", "assessment", actor, q["from_"].isoformat(), q["to"].isoformat())
    )


class AppealQuerySchema(PeriodSchema):
    status = fields.String(validate=validate.OneOf(("pending", "upheld", "rejected")))


@api.get("/assessment/appeals")
def assessment_appeals():
    """Appeals (评星复议) with their decisions.
    ---
    get:
      summary: The appealed ratings of cases received in [from, to), with the decision or pending
      tags: [reports]
      security: [{bearer: []}]
      parameters: [{in: query, schema: AppealQuerySchema}]
      responses:
        200: {content: {application/json: {schema: AppealList}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff(*OFFICE_ROLES)
    q = load_or_raise(AppealQuerySchema(), request.args.to_dict())
    return jsonify(
        report_rpc(
            "reading",
            "appeals",
            actor,
            q["from_"].isoformat(),
            q["to"].isoformat(),
            q.get("status"),
        )
    )


@api.get("/reports/bulletin")
def bulletin():
    """Quarterly bulletin.
    ---
    get:
      summary: 季度通报 as JSON, CSV (the ranking) or a printable PDF with charts
      tags: [reports]
      security: [{bearer: []}]
      parameters: [{in: query, schema: BulletinQuerySchema}]
      responses:
        200:
          description: the bulletin; `format=csv` the ranking as CSV, `format=pdf` a PDF
          content:
            application/json: {schema: Bulletin}
            text/csv: {schema: {type: string}}
            application/pdf: {schema: {type: string, format: binary}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff(*OFFICE_ROLES)
    q = load_or_raise(BulletinQuerySchema(), request.args.to_dict())
    data = report_rpc("reading", "bulletin", actor, q["quarter"])
    name = f"bulletin-{q['quarter']}"
    if q["format"] == "csv":
        return Response(
            render.bulletin_csv(data),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename={name}.csv"},
        )
    if q["format"] == "pdf":
        return Response(
            render.bulletin_pdf(data),
            mimetype="application/pdf",
            headers={"Content-Disposition": f"inline; filename={name}.pdf"},
        )
    return jsonify(data)


@api.get("/reports/digest")
def digest():
    """Ten-day digest.
    ---
    get:
      summary: 十日汇总 by leader portfolio (default the last ten days), JSON or PDF
      tags: [reports]
      security: [{bearer: []}]
      parameters: [{in: query, schema: DigestQuerySchema}]
      responses:
        200:
          description: the digest; `format=pdf` a PDF
          content:
            application/json: {schema: Digest}
            application/pdf: {schema: {type: string, format: binary}}
    """
    actor = staff(*OFFICE_ROLES)
    q = load_or_raise(DigestQuerySchema(), request.args.to_dict())
    data = report_rpc(
        "reading",
        "digest",
        actor,
        q["from_"].isoformat() if q.get("from_") else None,
        q["to"].isoformat() if q.get("to") else None,
    )
    if q["format"] == "pdf":
        return Response(render.digest_pdf(data), mimetype="application/pdf")
    return jsonify(data)


@api.get("/alerts")
def alerts():
    """Early-warning alerts.
    ---
    get:
      summary: Collective and cluster alerts with their cases (office, leaders)
      tags: [reports]
      security: [{bearer: []}]
      parameters: [{in: query, schema: AlertQuerySchema}]
      responses:
        200: {content: {application/json: {schema: AlertList}}}
    """
    actor = staff(*OFFICE_ROLES)
    q = load_or_raise(AlertQuerySchema(), request.args.to_dict())
    return jsonify(rpc("reading", "list_alerts", actor, q.get("status")))


@api.post("/alerts/<path:alert_id>/ack")
def acknowledge_alert(alert_id):
    """Acknowledge an alert.
    ---
    post:
      summary: An office user acknowledges an alert
      tags: [reports]
      security: [{bearer: []}]
      parameters: [{in: path, name: alert_id, required: true, schema: {type: string}}]
      responses:
        200: {description: the alert, content: {application/json: {schema: Alert}}}
        404: {content: {application/json: {schema: Error}}}
    """
    return jsonify(
        rpc("reading", "acknowledge_alert", staff("clerk", "dispatcher", "supervisor"), alert_id)
    )


@api.get("/citizens/<key>/cases")
def citizen_cases(key):
    """A petitioner's history.
    ---
    get:
      summary: Every case under a citizen key (a case's citizen_keys), newest first (office)
      tags: [reports]
      security: [{bearer: []}]
      parameters: [{in: path, name: key, required: true, schema: {type: string}}]
      responses:
        200: {content: {application/json: {schema: CitizenHistory}}}
        404: {content: {application/json: {schema: Error}}}
    """
    return jsonify(rpc("reading", "citizen_cases", key, staff(*OFFICE_ROLES)))
