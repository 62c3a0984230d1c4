"""Asking the public (docs/contract.md §15): consultations on a draft and notices (公示) with
their comments, moderation, decisions and summary; opinion and satisfaction surveys. The open
endpoints are under /public (rate-limited: per client, and comments per contact); the office's
under /consultations and /surveys. Each parses a request, calls the consult service once,
shapes the answer."""

import uuid

from flask import Response, jsonify, request
from marshmallow import Schema, fields, validate

from lianxin import consult_schemas as cs
from lianxin.auth import OFFICE_ROLES, UNIT_ROLES
from lianxin.errors import BadRequest, ValidationFailed
from lianxin.schemas import load_or_raise

from . import consult_render, ratelimit
from .auth import may, staff
from .common import api, json_body, rpc

STAFF = OFFICE_ROLES + UNIT_ROLES
FORMATS = ("json", "csv", "pdf")


def _request_key(scope=""):
    """The client's Idempotency-Key (a retry is the same comment or answer), else a fresh one."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 200:
        raise BadRequest("Idempotency-Key is too long", {"max_length": 200})
    return f"key:{scope}{key}" if key else f"req:{uuid.uuid4()}"


def _created(body):
    response = jsonify(body)
    response.status_code = 201
    return response


def _body(schema):
    data = json_body()
    load_or_raise(schema, data)  # 422 here; the service validates again
    return data


class CommentQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(("shown", "held", "hidden")))
    decided = fields.Boolean()
    section = fields.String(validate=validate.Length(max=16))
    reported = fields.Boolean()


class FormatSchema(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))


def _fmt(allowed=("json", "pdf")):
    fmt = load_or_raise(FormatSchema(), request.args.to_dict())["format"]
    if fmt not in allowed:
        raise ValidationFailed(
            "the format is not offered here",
            {"fields": {"format": [f"one of {', '.join(allowed)}"]}},
        )
    return fmt


def _pdf(data, name):
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename={name}.pdf"},
    )


# --- the public ---------------------------------------------------------------------------


@api.get("/public/consultations")
def public_consultations():
    """Consultations and notices open to the public.
    ---
    get:
      summary: Published consultations on drafts and notices (公示), newest first
      tags: [asking the public]
      responses:
        200: {content: {application/json: {schema: ConsultationList}}}
        429: {content: {application/json: {schema: Error}}}
    """
    ratelimit.public()
    return jsonify(rpc("consult", "consultations"))


@api.get("/public/consultations/<cid>")
def public_consultation(cid):
    """One consultation with its sections and the shown comments, masked.
    ---
    get:
      summary: A published consultation or notice, its sections and shown comments (masked)
      tags: [asking the public]
      parameters: [{in: path, name: cid, required: true, schema: {type: string}}]
      responses:
        200: {content: {application/json: {schema: ConsultationView}}}
        404: {content: {application/json: {schema: Error}}}
    """
    ratelimit.public()
    return jsonify(rpc("consult", "consultation", cid))


@api.post("/public/consultations/<cid>/comments")
def post_comment(cid):
    """Comment on a draft (or object to a notice).
    ---
    post:
      summary: A comment on the whole draft or one section; anonymous if the consultation allows
      description: >
        Rate-limited per contact (an anonymous comment per client). `Idempotency-Key` makes a
        retry the same comment. After the period ends: 409.
      tags: [asking the public]
      parameters:
        - {in: path, name: cid, required: true, schema: {type: string}}
        - {in: header, name: Idempotency-Key, schema: {type: string, maxLength: 200}}
      requestBody: {required: true, content: {application/json: {schema: Comment}}}
      responses:
        201: {content: {application/json: {schema: CommentReceipt}}}
        404: {content: {application/json: {schema: Error}}}
        409: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
        429: {content: {application/json: {schema: Error}}}
    """
    ratelimit.public()
    body = _body(cs.CommentSchema())
    ratelimit.comment(None if body.get("anonymous") else body.get("contact"))
    return _created(rpc("consult", "comment", cid, body, _request_key(f"{cid}:")))


@api.post("/public/consultations/<cid>/comments/<comment_id>/report")
def report_comment(cid, comment_id):
    """Report a comment.
    ---
    post:
      summary: Report a shown comment (spam, offensive, off topic); N reports hold it
      tags: [asking the public]
      parameters:
        - {in: path, name: cid, required: true, schema: {type: string}}
        - {in: path, name: comment_id, required: true, schema: {type: string}}
      requestBody: {required: true, content: {application/json: {schema: Report}}}
      responses:
        200: {content: {application/json: {schema: CommentReported}}}
        404: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
    """
    ratelimit.public()
    body = _body(cs.ReportSchema())
    reporter = ratelimit.hashed(ratelimit.client() or "unknown")  # one report per address
    return jsonify(rpc("consult", "report", cid, comment_id, body["reason"], reporter))


@api.get("/public/consultations/<cid>/summary")
def public_summary(cid):
    """The published summary (采纳情况说明).
    ---
    get:
      summary: The summary once approved and published, as JSON or PDF (format=pdf)
      tags: [asking the public]
      parameters:
        - {in: path, name: cid, required: true, schema: {type: string}}
        - {in: query, name: format, schema: {type: string, enum: [json, pdf]}}
      responses:
        200: {content: {application/json: {schema: SummaryView}}}
        404: {content: {application/json: {schema: Error}}}
    """
    ratelimit.public()
    fmt = _fmt()
    data = rpc("consult", "summary", cid)
    return (
        _pdf(consult_render.summary_pdf(data), f"summary-{cid}") if fmt == "pdf" else jsonify(data)
    )


@api.get("/public/surveys")
def public_surveys():
    """Published surveys.
    ---
    get:
      summary: Published surveys
      tags: [asking the public]
      responses:
        200: {content: {application/json: {schema: SurveyList}}}
    """
    ratelimit.public()
    return jsonify(rpc("consult", "surveys"))


@api.get("/public/surveys/<sid>")
def public_survey(sid):
    """A survey to answer.
    ---
    get:
      summary: A published survey and its questions
      tags: [asking the public]
      parameters: [{in: path, name: sid, required: true, schema: {type: string}}]
      responses:
        200: {content: {application/json: {schema: SurveyView}}}
        404: {content: {application/json: {schema: Error}}}
    """
    ratelimit.public()
    return jsonify(rpc("consult", "survey", sid))


@api.post("/public/surveys/<sid>/answers")
def answer_survey(sid):
    """Answer a survey.
    ---
    post:
      summary: One answer per contact, link token or case; 409 after the end or if answered
      tags: [asking the public]
      parameters:
        - {in: path, name: sid, required: true, schema: {type: string}}
        - {in: header, name: Idempotency-Key, schema: {type: string, maxLength: 200}}
      requestBody: {required: true, content: {application/json: {schema: SurveyAnswer}}}
      responses:
        201: {content: {application/json: {schema: AnswerReceipt}}}
        404: {content: {application/json: {schema: Error}}}
        409: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
        429: {content: {application/json: {schema: Error}}}
    """
    ratelimit.survey_answer()
    body = _body(cs.SurveyAnswerSchema())
    return _created(rpc("consult", "answer", sid, body, _request_key(f"{sid}:")))


@api.get("/public/surveys/<sid>/results")
def public_results(sid):
    """Published results.
    ---
    get:
      summary: A survey's results, once the office published them after the close
      tags: [asking the public]
      parameters: [{in: path, name: sid, required: true, schema: {type: string}}]
      responses:
        200: {content: {application/json: {schema: SurveyResults}}}
        404: {content: {application/json: {schema: Error}}}
    """
    ratelimit.public()
    return jsonify(rpc("consult", "results", sid))


# --- the office: consultations ------------------------------------------------------------


@api.get("/consultations")
def consultations():
    """Every consultation and notice (staff).
    ---
    get:
      summary: Consultations and notices, drafts too
      tags: [consultations]
      security: [{bearer: []}]
      responses:
        200: {content: {application/json: {schema: ConsultationList}}}
    """
    return jsonify(rpc("consult", "consultations", staff(*STAFF)))


@api.post("/consultations")
def create_consultation():
    """Create a consultation or a notice (a draft until published).
    ---
    post:
      summary: A consultation on a draft (sections parsed from Markdown or plain text) or a notice
      tags: [consultations]
      security: [{bearer: []}]
      requestBody: {required: true, content: {application/json: {schema: Consultation}}}
      responses:
        201: {content: {application/json: {schema: ConsultationView}}}
        403: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff(*STAFF)
    return _created(rpc("consult", "create_consultation", actor, _body(cs.ConsultationSchema())))


@api.get("/consultations/<cid>")
def consultation(cid):
    """One consultation (staff).
    ---
    get:
      summary: A consultation with its sections, phase and summary status
      tags: [consultations]
      security: [{bearer: []}]
      parameters: [{in: path, name: cid, required: true, schema: {type: string}}]
      responses:
        200: {content: {application/json: {schema: ConsultationView}}}
        404: {content: {application/json: {schema: Error}}}
    """
    return jsonify(rpc("consult", "consultation", cid, staff(*STAFF)))


@api.post("/consultations/<cid>/publish")
def publish_consultation(cid):
    """Publish.
    ---
    post:
      summary: Publish a draft consultation or notice (open from opens_at to closes_at)
      tags: [consultations]
      security: [{bearer: []}]
      parameters: [{in: path, name: cid, required: true, schema: {type: string}}]
      responses:
        200: {content: {application/json: {schema: ConsultationView}}}
        409: {content: {application/json: {schema: Error}}}
    """
    return jsonify(rpc("consult", "publish_consultation", staff(*STAFF), cid))


@api.get("/consultations/<cid>/comments")
def comments(cid):
    """The moderation queue and the decision list.
    ---
    get:
      summary: The comments with contact, status, reports and decision, filtered
      tags: [consultations]
      security: [{bearer: []}]
      parameters:
        - {in: path, name: cid, required: true, schema: {type: string}}
        - {in: query, schema: CommentQuerySchema}
      responses:
        200: {content: {application/json: {schema: CommentList}}}
    """
    actor = staff(*STAFF)
    query = load_or_raise(CommentQuerySchema(), request.args.to_dict())
    return jsonify(rpc("consult", "comments", actor, cid, query))


@api.post("/consultations/<cid>/moderation")
def moderate(cid):
    """Show, hold or hide comments (bulk).
    ---
    post:
      summary: Show, hold or hide comments; holding or hiding needs a reason; logged
      tags: [consultations]
      security: [{bearer: []}]
      parameters: [{in: path, name: cid, required: true, schema: {type: string}}]
      requestBody: {required: true, content: {application/json: {schema: Moderation}}}
      responses:
        200: {content: {application/json: {schema: ModerationResult}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff(*STAFF)
    return jsonify(rpc("consult", "moderate", actor, cid, _body(cs.ModerationSchema())))


@api.get("/consultations/<cid>/moderation-log")
def moderation_log(cid):
    """The moderation log.
    ---
    get:
      summary: Who showed, held or hid which comment, when and why
      tags: [consultations]
      security: [{bearer: []}]
      parameters: [{in: path, name: cid, required: true, schema: {type: string}}]
      responses:
        200: {content: {application/json: {schema: ModerationLog}}}
    """
    return jsonify(rpc("consult", "moderation_log", staff(*STAFF), cid))


@api.post("/consultations/<cid>/comments/<comment_id>/decision")
def decide(cid, comment_id):
    """Decide on a comment.
    ---
    post:
      summary: Adopted, partly adopted, not adopted (with the reason) or noted
      tags: [consultations]
      security: [{bearer: []}]
      parameters:
        - {in: path, name: cid, required: true, schema: {type: string}}
        - {in: path, name: comment_id, required: true, schema: {type: string}}
      requestBody: {required: true, content: {application/json: {schema: CommentDecision}}}
      responses:
        200: {content: {application/json: {schema: StaffComment}}}
        409: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff(*STAFF)
    return jsonify(
        rpc("consult", "decide", actor, cid, comment_id, _body(cs.CommentDecisionSchema()))
    )


@api.post("/consultations/<cid>/comments/<comment_id>/case")
def comment_to_case(cid, comment_id):
    """Turn a comment into a case.
    ---
    post:
      summary: Register the comment as a case (clerk), linked both ways
      tags: [consultations]
      security: [{bearer: []}]
      parameters:
        - {in: path, name: cid, required: true, schema: {type: string}}
        - {in: path, name: comment_id, required: true, schema: {type: string}}
      requestBody: {content: {application/json: {schema: CommentToCase}}}
      responses:
        200:
          description: the comment with case_id
          content: {application/json: {schema: StaffComment}}
        403: {content: {application/json: {schema: Error}}}
    """
    actor = may("register")
    body = json_body() if request.content_length else {}
    load_or_raise(cs.CommentToCaseSchema(), body)
    return jsonify(rpc("consult", "comment_to_case", actor, cid, comment_id, body))


@api.route("/consultations/<cid>/summary", methods=["GET", "POST", "PUT"])
def summary(cid):
    """The summary (采纳情况说明).
    ---
    get:
      summary: The summary, draft or published, as JSON or PDF (format=pdf)
      tags: [consultations]
      security: [{bearer: []}]
      parameters:
        - {in: path, name: cid, required: true, schema: {type: string}}
        - {in: query, name: format, schema: {type: string, enum: [json, pdf]}}
      responses:
        200: {content: {application/json: {schema: SummaryView}}}
        404: {content: {application/json: {schema: Error}}}
    post:
      summary: Generate the summary from the decisions (after the close; again until published)
      tags: [consultations]
      security: [{bearer: []}]
      parameters: [{in: path, name: cid, required: true, schema: {type: string}}]
      responses:
        200: {content: {application/json: {schema: SummaryView}}}
        409: {content: {application/json: {schema: Error}}}
    put:
      summary: Edit the summary's text before approval
      tags: [consultations]
      security: [{bearer: []}]
      parameters: [{in: path, name: cid, required: true, schema: {type: string}}]
      requestBody: {required: true, content: {application/json: {schema: SummaryText}}}
      responses:
        200: {content: {application/json: {schema: SummaryView}}}
        409: {content: {application/json: {schema: Error}}}
    """
    actor = staff(*STAFF)
    if request.method == "POST":
        return jsonify(rpc("consult", "generate_summary", actor, cid))
    if request.method == "PUT":
        return jsonify(rpc("consult", "edit_summary", actor, cid, _body(cs.SummaryTextSchema())))
    fmt = _fmt()
    data = rpc("consult", "summary", cid, actor)
    return (
        _pdf(consult_render.summary_pdf(data), f"summary-{cid}") if fmt == "pdf" else jsonify(data)
    )


@api.post("/consultations/<cid>/summary/approve")
def approve_summary(cid):
    """Approve and publish the summary.
    ---
    post:
      summary: A supervisor or the unit's leader approves and publishes the summary
      tags: [consultations]
      security: [{bearer: []}]
      parameters: [{in: path, name: cid, required: true, schema: {type: string}}]
      responses:
        200: {content: {application/json: {schema: SummaryView}}}
        409: {content: {application/json: {schema: Error}}}
    """
    return jsonify(rpc("consult", "approve_summary", staff(*STAFF), cid))


# --- the office: surveys ------------------------------------------------------------------


@api.get("/surveys")
def surveys():
    """Every survey (office).
    ---
    get:
      summary: Surveys, drafts too
      tags: [surveys]
      security: [{bearer: []}]
      responses:
        200: {content: {application/json: {schema: SurveyList}}}
    """
    return jsonify(rpc("consult", "surveys", staff(*OFFICE_ROLES)))


@api.post("/surveys")
def create_survey():
    """Build a survey.
    ---
    post:
      summary: A survey (a draft until published) and its questions
      tags: [surveys]
      security: [{bearer: []}]
      requestBody: {required: true, content: {application/json: {schema: Survey}}}
      responses:
        201: {content: {application/json: {schema: SurveyView}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff(*OFFICE_ROLES)
    return _created(rpc("consult", "create_survey", actor, _body(cs.SurveySchema())))


@api.get("/surveys/<sid>")
def survey(sid):
    """One survey (office).
    ---
    get:
      summary: A survey with its sample (satisfaction surveys)
      tags: [surveys]
      security: [{bearer: []}]
      parameters: [{in: path, name: sid, required: true, schema: {type: string}}]
      responses:
        200: {content: {application/json: {schema: SurveyView}}}
    """
    return jsonify(rpc("consult", "survey", sid, staff(*OFFICE_ROLES)))


@api.post("/surveys/<sid>/publish")
def publish_survey(sid):
    """Publish a survey.
    ---
    post:
      summary: Publish a draft survey (open from opens_at to closes_at)
      tags: [surveys]
      security: [{bearer: []}]
      parameters: [{in: path, name: sid, required: true, schema: {type: string}}]
      responses:
        200: {content: {application/json: {schema: SurveyView}}}
        409: {content: {application/json: {schema: Error}}}
    """
    return jsonify(rpc("consult", "publish_survey", staff(*OFFICE_ROLES), sid))


@api.post("/surveys/<sid>/answers")
def phone_answer(sid):
    """A clerk enters the answers of a phone call.
    ---
    post:
      summary: A phone survey's answers, entered by a clerk (channel phone)
      tags: [surveys]
      security: [{bearer: []}]
      parameters:
        - {in: path, name: sid, required: true, schema: {type: string}}
        - {in: header, name: Idempotency-Key, schema: {type: string, maxLength: 200}}
      requestBody: {required: true, content: {application/json: {schema: SurveyAnswer}}}
      responses:
        201: {content: {application/json: {schema: AnswerReceipt}}}
        409: {content: {application/json: {schema: Error}}}
    """
    actor = staff(*OFFICE_ROLES)
    key = _request_key(f"{sid}:{actor['username']}:")
    return _created(rpc("consult", "answer", sid, _body(cs.SurveyAnswerSchema()), key, actor))


@api.get("/surveys/<sid>/results")
def results(sid):
    """Results.
    ---
    get:
      summary: Counts, shares, averages, free text (json); answers (csv); charts (pdf)
      tags: [surveys]
      security: [{bearer: []}]
      parameters:
        - {in: path, name: sid, required: true, schema: {type: string}}
        - {in: query, name: format, schema: {type: string, enum: [json, csv, pdf]}}
      responses:
        200: {content: {application/json: {schema: SurveyResults}}}
    """
    actor = staff(*OFFICE_ROLES)
    fmt = _fmt(FORMATS)
    if fmt == "csv":
        return Response(
            consult_render.survey_csv(rpc("consult", "export", actor, sid)),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename=survey-{sid}.csv"},
        )
    data = rpc("consult", "results", sid, actor)
    return _pdf(consult_render.survey_pdf(data), f"survey-{sid}") if fmt == "pdf" else jsonify(data)


@api.post("/surveys/<sid>/results/publish")
def publish_results(sid):
    """Publish the results.
    ---
    post:
      summary: The office publishes the results (after the close only)
      tags: [surveys]
      security: [{bearer: []}]
      parameters: [{in: path, name: sid, required: true, schema: {type: string}}]
      responses:
        200: {content: {application/json: {schema: SurveyView}}}
        409: {content: {application/json: {schema: Error}}}
    """
    return jsonify(rpc("consult", "publish_results", staff(*OFFICE_ROLES), sid))


@api.post("/surveys/<sid>/tokens")
def issue_tokens(sid):
    """Link tokens.
    ---
    post:
      summary: Issue link tokens for a survey answered once per link (shown once)
      tags: [surveys]
      security: [{bearer: []}]
      parameters: [{in: path, name: sid, required: true, schema: {type: string}}]
      requestBody: {required: true, content: {application/json: {schema: Tokens}}}
      responses:
        200: {content: {application/json: {schema: IssuedTokens}}}
    """
    actor = staff(*OFFICE_ROLES)
    body = load_or_raise(cs.TokensSchema(), json_body())
    return jsonify(rpc("consult", "issue_tokens", actor, sid, body["count"]))


@api.post("/surveys/<sid>/sample")
def sample(sid):
    """Send a satisfaction survey to a sample.
    ---
    post:
      summary: Invite a sample of the citizens of the cases closed in [from, to)
      tags: [surveys]
      security: [{bearer: []}]
      parameters: [{in: path, name: sid, required: true, schema: {type: string}}]
      requestBody: {required: true, content: {application/json: {schema: Sample}}}
      responses:
        200: {content: {application/json: {schema: SurveyView}}}
        409: {content: {application/json: {schema: Error}}}
    """
    actor = staff(*OFFICE_ROLES)
    return jsonify(rpc("consult", "sample", actor, sid, _body(cs.SampleSchema())))
