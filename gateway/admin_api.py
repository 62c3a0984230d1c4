"""Admin collections (docs/contract.md §10): `GET/POST /x`, `GET/PUT/DELETE /x/{id}`, each served by
the service that owns the collection, and the routing rules' dry-run."""

from flask import jsonify, request

from .auth import accounts, staff
from .common import api, json_body, rpc

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
}
COLLECTION = (
    '<any(units,users,leaders,topics,"routing-rules","deadline-policies",'
    'templates,webhooks,"api-keys"):name>'
)


@api.post("/routing-rules/dry-run")
def routing_dry_run():
    """Which rule would fire for a case body, and why.
    ---
    post:
      summary: Dry-run the routing rules on a case body (admin, dispatcher)
      security: [{bearer: []}]
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses:
        200: {description: "{lead_unit, co_units, leader, fired[], reasons[], queued}"}
    """
    actor = staff("admin", "dispatcher")
    return jsonify(rpc("routing", "dry_run", json_body(), actor))


@api.get(f"/{COLLECTION}")
def admin_list(name):
    """List a configuration collection.
    ---
    get:
      summary: List an admin collection (units, users, leaders, topics, rules, policies, …)
      tags: [admin]
      security: [{bearer: []}]
      parameters: [{in: path, name: name, required: true, schema: {type: string}}]
      responses: {200: {description: the items}}
    """
    return jsonify(rpc(OWNERS[name], "admin", "list", name, None, None, staff("admin")))


@api.post(f"/{COLLECTION}")
def admin_create(name):
    """Create an item.
    ---
    post:
      summary: Create a configuration item (admin)
      tags: [admin]
      security: [{bearer: []}]
      parameters: [{in: path, name: name, required: true, schema: {type: string}}]
      responses:
        201: {description: the item}
        409: {description: exists}
        422: {description: invalid}
    """
    actor = staff("admin")
    item = rpc(OWNERS[name], "admin", "create", name, None, json_body(), actor)
    return jsonify(item), 201


@api.route(f"/{COLLECTION}/<item_id>", methods=["GET", "PUT", "DELETE"])
def admin_item(name, item_id):
    """One item.
    ---
    get:
      summary: Read a configuration item (admin)
      tags: [admin]
      security: [{bearer: []}]
      responses: {200: {description: the item}, 404: {description: no such item}}
    put:
      summary: Replace a configuration item (admin)
      tags: [admin]
      security: [{bearer: []}]
      responses: {200: {description: the item}, 404: {description: no such item}}
    delete:
      summary: Delete a configuration item (admin)
      tags: [admin]
      security: [{bearer: []}]
      responses: {204: {description: deleted}, 404: {description: no such item}}
    """
    actor = staff("admin")
    op = {"GET": "get", "PUT": "update", "DELETE": "delete"}[request.method]
    body = json_body() if op == "update" else None
    result = rpc(OWNERS[name], "admin", op, name, item_id, body, actor)
    if name == "users" and op != "get":
        accounts().forget(item_id)  # this gateway refuses the old tokens at once
    return ("", 204) if op == "delete" else jsonify(result)
