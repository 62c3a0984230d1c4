"""Staff case endpoints (docs/contract.md §10): each parses a request, asks one service, shapes the answer.
The table ACTIONS says which endpoint is which action of which service with which body."""

import uuid

from flask import jsonify, request
from marshmallow import Schema, fields, validate

from lianxin import action_schemas as a
from lianxin.errors import BadRequest
from lianxin.schemas import load_or_raise

from . import ratelimit
from .auth import may, staff
from .common import api, json_body, rpc

# path suffix → (service, action for the role check, service action, body schema, summary)
ACTIONS = {
    "assign": ("routing", "assign", "assign", a.AssignSchema, "Assign or re-route (dispatcher)"),
    "claim": ("supervision", "claim", "claim", a.EmptySchema, "Claim (lead unit)"),
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
        "supervision",
        "co_input",
        "co_input",
        a.OpinionSchema,
        "Co-handling unit's input (会办意见)",
    ),
    "progress": ("supervision", "progress", "progress", a.NoteSchema, "Progress note"),
    "extension": (
        "supervision",
        "request_extension",
        "request_extension",
        a.ExtensionSchema,
        "Request the one extension (延期)",
    ),
    "extension/decision": (
        "supervision",
        "decide_extension",
        "decide_extension",
        a.DecisionSchema,
        "Decide an extension (supervisor)",
    ),
    "reply": ("supervision", "draft_reply", "draft_reply", a.ReplySchema, "Draft the reply"),
    "reply/sign": (
        "supervision",
        "sign_reply",
        "sign_reply",
        a.SignSchema,
        "Sign the reply (unit leader)",
    ),
    "review": (
        "supervision",
        "approve_reply",
        "review",
        a.DecisionSchema,
        "Approve or reject the reply (supervisor)",
    ),
    "visit": ("supervision", "close", "return_visit", a.VisitSchema, "Return visit (回访)"),
    "instruction": (
        "supervision",
        "instruct",
        "instruct",
        a.InstructionSchema,
        "Leader's instruction (批示)",
    ),
    "merge": ("intake", "merge", "merge", a.MergeSchema, "Merge into a primary case"),
    "unmerge": ("intake", "unmerge", "unmerge", a.EmptySchema, "Unmerge"),
    "appeal": (
        "supervision",
        "appeal",
        "appeal",
        a.ReasonSchema,
        "Appeal a dissatisfied rating (评星复议)",
    ),
    "appeal/decision": (
        "supervision",
        "decide_appeal",
        "decide_appeal",
        a.AppealDecisionSchema,
        "Decide an appeal (supervisor)",
    ),
}


def _action_view(service, check, action, schema_cls, summary):
    schema = schema_cls()

    def view(case_id):
        actor = may(check)
        body = load_or_raise(schema, json_body() if request.content_length else {})
        return jsonify(rpc(service, "act", action, case_id, actor, body))

    view.__name__ = f"case_{action}"
    view.__doc__ = f"""{summary}
    ---
    post:
      summary: {summary}
      tags: [case actions]
      security: [{{bearer: []}}]
      parameters: [{{in: path, name: case_id, required: true, schema: {{type: string}}}}]
      requestBody: {{content: {{application/json: {{schema: {schema_cls.__name__[:-6]}}}}}}}
      responses:
        200: {{description: the case after the action}}
        401: {{content: {{application/json: {{schema: Error}}}}}}
        403: {{content: {{application/json: {{schema: Error}}}}}}
        404: {{content: {{application/json: {{schema: Error}}}}}}
        409: {{content: {{application/json: {{schema: Error}}}}}}
        422: {{content: {{application/json: {{schema: Error}}}}}}
    """
    return view


for _path, _spec in ACTIONS.items():
    api.add_url_rule(f"/cases/<case_id>/{_path}", view_func=_action_view(*_spec), methods=["POST"])


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
    return jsonify(rpc("supervision", "feedback", case_id, request.args.get("code", ""), body))


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
        200: {description: "{items: [...], next_cursor}"}
        401: {content: {application/json: {schema: Error}}}
    """
    actor = staff()
    query = load_or_raise(ListQuerySchema(), request.args.to_dict())
    for key in ("from_", "to"):
        if key in query:
            query[key.rstrip("_")] = query.pop(key).isoformat()
    return jsonify(rpc("intake", "list_cases", query, actor))


def register_case():
    """A clerk's registration (POST /cases with a staff token)."""
    actor = may("register")
    body = load_or_raise(a.RegistrationSchema(), json_body())
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 200:
        raise BadRequest("Idempotency-Key is too long", {"max_length": 200})
    request_key = f"key:{actor['username']}:{key}" if key else f"req:{uuid.uuid4()}"
    receipt = rpc("intake", "register", a.RegistrationSchema().dump(body), request_key, actor)
    response = jsonify(receipt)
    response.status_code = 201
    return response


def staff_case(case_id):
    return jsonify(rpc("intake", "get_case", case_id, staff()))
