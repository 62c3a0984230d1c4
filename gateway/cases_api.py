"""Every `/cases` endpoint (docs/contract.md §10), for both of its audiences: `POST /cases` is
a citizen's submission or, with a staff token, a clerk's registration; `GET /cases/{id}` is the
citizen's tracking view (with `?code=`) or, with a token, the staff view; the staff list, the
actions and the citizen's rating. Each parses a request, asks one service, shapes the answer;
the table ACTIONS says which endpoint is which action of which service with which body."""

import uuid
from datetime import timedelta

from flask import current_app, jsonify, request
from marshmallow import Schema, fields, validate

from lianxin import action_schemas as a
from lianxin.clock import exact_isoformat, exact_utcnow
from lianxin.errors import BadRequest, NotFound
from lianxin.schemas import CaseSubmissionSchema, load_or_raise

from . import ratelimit
from .auth import may, staff
from .common import action_routes, api, json_body, rpc

_submission = CaseSubmissionSchema()
MAX_IDEMPOTENCY_KEY = 200


def _request_key(prefix):
    """The request's key: its `Idempotency-Key` under `prefix` (a retry finds the same case),
    or a fresh one."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > MAX_IDEMPOTENCY_KEY:
        raise BadRequest("Idempotency-Key is too long", {"max_length": MAX_IDEMPOTENCY_KEY})
    return f"{prefix}{key}" if key else f"req:{uuid.uuid4()}"


# path suffix → (service, action for the role check, service action, body schema, summary)
ACTIONS = {
    "assign": ("routing", "assign", "assign", a.AssignSchema, "Assign or re-route (dispatcher)"),
    "claim": ("handling", "claim", "claim", a.EmptySchema, "Claim (lead unit)"),
    "return": (
        "routing",
        "request_return",
        "request_return",
        a.ReasonSchema,
        "Ask to return a misrouted case (退单)",
    ),
    "return/decision": (
        "routing",
        "accept_return",
        "decide_return",
        a.ReturnDecisionSchema,
        "Rule on a return request (dispatcher)",
    ),
    "not-accept": (
        "intake",
        "not_accept",
        "not_accept",
        a.ReasonSchema,
        "Not accepted (不予受理), with the reason the citizen is told",
    ),
    "input": (
        "handling",
        "co_input",
        "co_input",
        a.OpinionSchema,
        "Co-handling unit's input (会办意见)",
    ),
    "progress": ("handling", "progress", "progress", a.NoteSchema, "Progress note"),
    "extension": (
        "handling",
        "request_extension",
        "request_extension",
        a.ExtensionSchema,
        "Request the one extension (延期)",
    ),
    "extension/decision": (
        "handling",
        "decide_extension",
        "decide_extension",
        a.DecisionSchema,
        "Decide an extension (supervisor)",
    ),
    "reply": ("handling", "draft_reply", "draft_reply", a.ReplySchema, "Draft the reply"),
    "reply/sign": (
        "handling",
        "sign_reply",
        "sign_reply",
        a.SignSchema,
        "Sign the reply (unit leader)",
    ),
    "review": (
        "handling",
        "approve_reply",
        "review",
        a.DecisionSchema,
        "Approve or reject the reply (supervisor)",
    ),
    "visit": ("handling", "close", "return_visit", a.VisitSchema, "Return visit (回访)"),
    "instruction": (
        "handling",
        "instruct",
        "instruct",
        a.InstructionSchema,
        "Leader's instruction (批示)",
    ),
    "merge": ("intake", "merge", "merge", a.MergeSchema, "Merge into a primary case"),
    "unmerge": ("intake", "unmerge", "unmerge", a.EmptySchema, "Unmerge"),
    "appeal": (
        "handling",
        "appeal",
        "appeal",
        a.ReasonSchema,
        "Appeal a dissatisfied rating (评星复议)",
    ),
    "appeal/decision": (
        "handling",
        "decide_appeal",
        "decide_appeal",
        a.AppealDecisionSchema,
        "Decide an appeal (supervisor)",
    ),
}


action_routes("case", may, "StaffCase", ACTIONS)


@api.post("/cases/<case_id>/feedback")
def citizen_feedback(case_id):
    """The citizen rates the answer.
    ---
    post:
      summary: The citizen's satisfaction with the answer (with the access code)
      parameters:
        - {in: path, name: case_id, required: true, schema: {type: string}}
        - {in: query, name: code, required: true, schema: {type: string}}
      requestBody: {content: {application/json: {schema: Feedback}}}
      responses:
        200: {content: {application/json: {schema: PublicCase}}}
        404: {content: {application/json: {schema: Error}}}
        409: {content: {application/json: {schema: Error}}}
    """
    ratelimit.feedback(case_id)
    body = load_or_raise(a.FeedbackSchema(), json_body())
    return jsonify(rpc("handling", "feedback", case_id, request.args.get("code", ""), body))


class ListQuerySchema(Schema):
    status = fields.String()
    unit = fields.String()
    topic = fields.String()
    town = fields.String()
    channel = fields.String()
    kind = fields.String()
    flag = fields.String()
    text = fields.String(validate=validate.Length(max=200))
    overdue = fields.Boolean()
    warning = fields.String(validate=validate.OneOf(("none", "yellow", "red")))
    sort = fields.String(validate=validate.OneOf(("received_at", "-received_at", "due_at")))
    cursor = fields.String()
    page = fields.Integer(validate=validate.Range(min=1, max=100000))
    limit = fields.Integer(validate=validate.Range(min=1, max=200))
    from_ = fields.DateTime(data_key="from")
    to = fields.DateTime()


@api.get("/cases")
def list_cases():
    """Cases for staff.
    ---
    get:
      summary: List cases within the caller's scope (filters, sort, cursor pagination)
      security: [{bearer: []}]
      parameters: [{in: query, schema: ListQuerySchema}]
      responses:
        200:
          description: a page of cases, and the cursor of the next
          content: {application/json: {schema: CaseList}}
        401: {content: {application/json: {schema: Error}}}
    """
    actor = staff()
    query = load_or_raise(ListQuerySchema(), request.args.to_dict())
    for key in ("from_", "to"):
        if key in query:
            query[key.rstrip("_")] = query.pop(key).isoformat()
    return jsonify(rpc("reading", "list_cases", query, actor))


def register_case():
    """A clerk's registration (POST /cases with a staff token)."""
    actor = may("register")
    body = load_or_raise(a.RegistrationSchema(), json_body())
    request_key = _request_key(f"key:{actor['username']}:")
    receipt = rpc("intake", "register", a.RegistrationSchema().dump(body), request_key, actor)
    response = jsonify(receipt)
    response.status_code = 201
    return response


def staff_case(case_id):
    return jsonify(rpc("reading", "get_case", case_id, staff()))


@api.post("/cases")
def submit_case():
    """Submit a case (citizen, no account), or register one (clerk, with a token).
    ---
    post:
      summary: Submit a case (a citizen) or register one from any channel (a clerk)
      description: >
        Without a token, a citizen's submission (`CaseSubmission`, docs/contract.md §2); with
        a clerk's bearer token, a registration from any channel (`Registration`: the channel,
        `complexity`, and `direct_answer` for 直办). An `Idempotency-Key` header makes a
        retried request return the same case instead of a second one.
      security: [{}, {bearer: []}]
      parameters:
        - in: header
          name: Idempotency-Key
          schema: {type: string, maxLength: 200}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              oneOf:
                - $ref: '#/components/schemas/CaseSubmission'
                - $ref: '#/components/schemas/Registration'
      responses:
        201:
          content:
            application/json:
              schema: SubmissionReceipt
        400: {content: {application/json: {schema: Error}}}
        401: {content: {application/json: {schema: Error}}}
        403: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
        503: {content: {application/json: {schema: Error}}}
    """
    if request.headers.get("Authorization"):
        return register_case()  # a clerk registering a case from another channel
    payload = load_or_raise(_submission, json_body())
    request_key = _request_key("key:")
    # If intake picks the request up after we have given up, it must do nothing.
    expires_at = exact_isoformat(
        exact_utcnow() + timedelta(seconds=current_app.config["RPC_TIMEOUT"])
    )
    receipt = rpc("intake", "submit", _submission.dump(payload), request_key, expires_at)
    response = jsonify(receipt)
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/cases/{receipt['id']}"
    return response


@api.get("/cases/<case_id>")
def get_case(case_id):
    """A case as its citizen sees it (with `?code=`), or as staff see it (with a token).
    ---
    get:
      summary: Track a case with its tracking number and access code; staff read the full case
      description: >
        With `Authorization: Bearer` and no code, the full case within the caller's scope,
        with `allowed_actions`: the action endpoints (`POST /cases/{id}/<action>`) this user
        may take on this case now, from the workflow table, the scope and the handling rules.
      parameters:
        - {in: path, name: case_id, required: true, schema: {type: string}}
        - in: query
          name: code
          schema: {type: string}
          description: the access code (the citizen's view); staff send their token instead
      responses:
        200:
          description: the citizen's view with the code, the staff view with a token
          content:
            application/json:
              schema:
                oneOf:
                  - {$ref: "#/components/schemas/StaffCase"}
                  - {$ref: "#/components/schemas/PublicCase"}
        404: {content: {application/json: {schema: Error}}}
        429: {content: {application/json: {schema: Error}}}
    """
    code = request.args.get("code")
    if not code:
        if request.headers.get("Authorization"):
            return staff_case(case_id)  # staff: the full case within their scope
        raise NotFound("no case with this tracking number and access code", {})
    ratelimit.tracking(case_id)  # access codes cannot be guessed by trying them all
    return jsonify(rpc("reading", "public_case", case_id, code))
