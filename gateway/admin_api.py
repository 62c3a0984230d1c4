"""Admin collections (docs/contract.md §10): `GET/POST /x`, `GET/PUT/DELETE /x/{id}`, each served
by the service that owns the collection; the routing rules' dry-run, the previews of a deadline
policy and of a template, and the admin log. Their OpenAPI paths are written out per collection
(`openapi_paths`), each with its request and response schema."""

from flask import jsonify, request
from marshmallow import Schema, fields, validate

from lianxin.admin import COLLECTIONS, GENERATED, WRITE_ONLY
from lianxin.schemas import load_or_raise

from .auth import accounts, staff
from .common import api, json_body, rpc

# Which service answers which collection: the one place to change when a collection moves.
OWNERS = {
    "units": "accounts",
    "users": "accounts",
    "leaders": "accounts",
    "topics": "accounts",
    "routing-rules": "routing",
    "deadline-policies": "supervision",
    "templates": "notify",
    "webhooks": "notify",
    "api-keys": "accounts",
    "admin-log": "accounts",
}
COLLECTION = (
    '<any(units,users,leaders,topics,"routing-rules","deadline-policies",'
    'templates,webhooks,"api-keys"):name>'
)


# --- schemas of the new endpoints (OpenAPI components) --------------------------------------


class DryRunResultSchema(Schema):
    lead_unit = fields.String(allow_none=True)
    co_units = fields.List(fields.String())
    leader = fields.String(allow_none=True)
    complexity = fields.String(allow_none=True)
    urgency = fields.String(allow_none=True)
    fired = fields.List(fields.String(), metadata={"description": "ids of the rules that fired"})
    reasons = fields.List(fields.String())
    queued = fields.Boolean(metadata={"description": "true: no lead unit, the manual queue"})


class DeadlineFactsSchema(Schema):
    kind = fields.String(allow_none=True)
    topic = fields.String(allow_none=True)
    channel = fields.String(allow_none=True)
    urgency = fields.String(allow_none=True, validate=validate.OneOf(("normal", "urgent")))
    complexity = fields.String(allow_none=True, validate=validate.OneOf(("general", "major")))
    collective = fields.Boolean()
    town = fields.String(allow_none=True)


class DeadlinePreviewQuerySchema(Schema):
    case = fields.Nested(DeadlineFactsSchema, load_default=dict)
    start = fields.AwareDateTime(
        allow_none=True, metadata={"description": "when the clock starts; default now"}
    )
    policy = fields.Dict(
        allow_none=True, metadata={"description": "an edited policy, previewed in place of its id"}
    )


class PolicyRefSchema(Schema):
    id = fields.String(allow_none=True)
    name = fields.String(allow_none=True)


class DeadlinePreviewSchema(Schema):
    policy = fields.Nested(PolicyRefSchema, required=True)
    duration = fields.Dict(required=True)
    started_at = fields.String(required=True)
    due_at = fields.String(required=True)
    natural_days = fields.Integer(required=True)
    days_off = fields.List(
        fields.String(), required=True, metadata={"description": "non-working days in between"}
    )


class TemplatePartsSchema(Schema):
    subject = fields.String(allow_none=True)
    body = fields.String(allow_none=True)
    html = fields.String(allow_none=True)
    sms = fields.String(allow_none=True)


class TemplatePreviewQuerySchema(Schema):
    template = fields.Nested(TemplatePartsSchema, required=True)
    values = fields.Dict(
        load_default=dict, metadata={"description": "values replacing the sample event's"}
    )


class TemplateProblemSchema(Schema):
    part = fields.String(allow_none=True)
    line = fields.Integer(allow_none=True)
    message = fields.String()


class TemplatePreviewSchema(Schema):
    parts = fields.Dict(metadata={"description": "{part: rendered text} when it renders"})
    errors = fields.List(fields.Nested(TemplateProblemSchema))


class AdminLogQuerySchema(Schema):
    collection = fields.String(validate=validate.OneOf(tuple(COLLECTIONS)))
    before = fields.AwareDateTime(metadata={"description": "entries before this time"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class AdminLogEntrySchema(Schema):
    at = fields.String(required=True)
    by = fields.String(required=True)
    op = fields.String(required=True, validate=validate.OneOf(("create", "update", "delete")))
    collection = fields.String(required=True)
    item = fields.String(required=True)


class AdminLogPageSchema(Schema):
    items = fields.List(fields.Nested(AdminLogEntrySchema), required=True)
    next_before = fields.String(allow_none=True, required=True)


# --- endpoints ------------------------------------------------------------------------------


@api.post("/routing-rules/dry-run")
def routing_dry_run():
    """Which rule would fire for a case body, and why.
    ---
    post:
      summary: Dry-run the routing rules on a case body (admin, dispatcher)
      tags: [admin]
      security: [{bearer: []}]
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses:
        200: {content: {application/json: {schema: DryRunResult}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff("admin", "dispatcher")
    return jsonify(rpc(OWNERS["routing-rules"], "dry_run", json_body(), actor))


@api.post("/deadline-policies/preview")
def deadline_preview():
    """Which deadline policy a sample case gets, and its due date.
    ---
    post:
      summary: Preview the due date of a sample case, working days included (admin)
      tags: [admin]
      security: [{bearer: []}]
      requestBody: {content: {application/json: {schema: DeadlinePreviewQuery}}}
      responses:
        200: {content: {application/json: {schema: DeadlinePreview}}}
        409: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff("admin")
    q = load_or_raise(DeadlinePreviewQuerySchema(), json_body())
    start = q.get("start")
    return jsonify(
        rpc(
            OWNERS["deadline-policies"],
            "preview_deadline",
            actor,
            q["case"],
            start.isoformat() if start else None,
            q.get("policy"),
        )
    )


@api.post("/templates/preview")
def template_preview():
    """A template rendered with a sample event, or where it does not compile.
    ---
    post:
      summary: Render a template with a sample event; syntax errors by part and line (admin)
      tags: [admin]
      security: [{bearer: []}]
      requestBody: {content: {application/json: {schema: TemplatePreviewQuery}}}
      responses:
        200: {content: {application/json: {schema: TemplatePreview}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff("admin")
    q = load_or_raise(TemplatePreviewQuerySchema(), json_body())
    doc = {k: v for k, v in q["template"].items() if v is not None}
    return jsonify(rpc(OWNERS["templates"], "preview_template", actor, doc, q["values"]))


@api.get("/admin-log")
def admin_log():
    """Who changed what.
    ---
    get:
      summary: The admin log, newest first; page back with `before` (admin)
      tags: [admin]
      security: [{bearer: []}]
      parameters: [{in: query, schema: AdminLogQuerySchema}]
      responses:
        200: {content: {application/json: {schema: AdminLogPage}}}
        422: {content: {application/json: {schema: Error}}}
    """
    actor = staff("admin")
    q = load_or_raise(AdminLogQuerySchema(), request.args.to_dict())
    before = q.get("before")
    return jsonify(
        rpc(
            OWNERS["admin-log"],
            "admin_log",
            actor,
            q.get("collection"),
            before.isoformat() if before else None,
            q["limit"],
        )
    )


# The collections' own endpoints carry no YAML in their docstrings: their OpenAPI paths are
# written per collection by `openapi_paths` below.


@api.get(f"/{COLLECTION}")
def admin_list(name):
    """List a configuration collection (admin)."""
    return jsonify(rpc(OWNERS[name], "admin", "list", name, None, None, staff("admin")))


@api.post(f"/{COLLECTION}")
def admin_create(name):
    """Create an item (admin); an API key's answer carries the generated key, once."""
    actor = staff("admin")
    item = rpc(OWNERS[name], "admin", "create", name, None, json_body(), actor)
    return jsonify(item), 201


@api.route(f"/{COLLECTION}/<item_id>", methods=["GET", "PUT", "DELETE"])
def admin_item(name, item_id):
    """Read, replace or delete one item (admin)."""
    actor = staff("admin")
    op = {"GET": "get", "PUT": "update", "DELETE": "delete"}[request.method]
    body = json_body() if op == "update" else None
    result = rpc(OWNERS[name], "admin", op, name, item_id, body, actor)
    if name == "users" and op != "get":
        accounts().forget(item_id)  # this gateway refuses the old tokens at once
    return ("", 204) if op == "delete" else jsonify(result)


# --- OpenAPI --------------------------------------------------------------------------------


def _component(name):
    """'deadline-policies' → 'DeadlinePolicy'."""
    words = name.rstrip("s").replace("policie", "policy").split("-")
    return "".join(w.capitalize() for w in words)


def _item_schema(name):
    """The item as answered: the body's fields, the write-only ones as `<field>_set`."""
    schema = COLLECTIONS[name][1]
    extra = {}
    field = (WRITE_ONLY.get(name) or GENERATED.get(name) or (None,))[0]
    if field:
        extra[f"{field}_set"] = fields.Boolean(dump_only=True)
    return type(f"{_component(name)}ItemSchema", (schema,), extra)


def _issued_schema(name):
    """What a create of a collection with a generated secret answers: the item and the secret."""
    field = GENERATED[name][0]
    return type(
        f"{_component(name)}IssuedSchema",
        (_item_schema(name),),
        {field: fields.String(dump_only=True, metadata={"description": "shown this once"})},
    )


def openapi_components():
    out = {
        "DryRunResult": DryRunResultSchema,
        "DeadlinePreviewQuery": DeadlinePreviewQuerySchema,
        "DeadlinePreview": DeadlinePreviewSchema,
        "TemplatePreviewQuery": TemplatePreviewQuerySchema,
        "TemplatePreview": TemplatePreviewSchema,
        "AdminLogPage": AdminLogPageSchema,
    }
    for name in COLLECTIONS:
        out[_component(name)] = COLLECTIONS[name][1]
        out[f"{_component(name)}Item"] = _item_schema(name)
        if name in GENERATED:
            out[f"{_component(name)}Issued"] = _issued_schema(name)
    return out


def openapi_paths():
    """{path: operations} for every admin collection, concrete (no `/{name}`)."""

    def ref(component):
        return {"$ref": f"#/components/schemas/{component}"}

    def content(component):
        return {"content": {"application/json": {"schema": component}}}

    error = content(ref("Error"))
    paths = {}
    for name in COLLECTIONS:
        comp, key = _component(name), COLLECTIONS[name][2]
        item = ref(f"{comp}Item")
        created = ref(f"{comp}Issued") if name in GENERATED else item
        common = {"tags": ["admin"], "security": [{"bearer": []}]}
        paths[f"/api/v1/{name}"] = {
            "get": {
                **common,
                "summary": f"List {name} (admin)",
                "responses": {
                    "200": {"description": "the items", **content({"type": "array", "items": item})}
                },
            },
            "post": {
                **common,
                "summary": f"Create one of {name} (admin)"
                + ("; the answer shows the generated key, once" if name in GENERATED else ""),
                "requestBody": {"required": True, **content(ref(comp))},
                "responses": {
                    "201": {"description": "the item", **content(created)},
                    "409": {"description": "exists", **error},
                    "422": {"description": "invalid", **error},
                },
            },
        }
        param = {"in": "path", "name": key, "required": True, "schema": {"type": "string"}}
        paths[f"/api/v1/{name}/{{{key}}}"] = {
            "parameters": [param],
            "get": {
                **common,
                "summary": f"Read one of {name} (admin)",
                "responses": {
                    "200": {"description": "the item", **content(item)},
                    "404": {"description": "no such item", **error},
                },
            },
            "put": {
                **common,
                "summary": f"Replace one of {name} (admin)",
                "requestBody": {"required": True, **content(ref(comp))},
                "responses": {
                    "200": {"description": "the item", **content(item)},
                    "404": {"description": "no such item", **error},
                    "422": {"description": "invalid", **error},
                },
            },
            "delete": {
                **common,
                "summary": f"Delete one of {name} (admin)",
                "responses": {
                    "204": {"description": "deleted"},
                    "404": {"description": "no such item", **error},
                },
            },
        }
    return paths
