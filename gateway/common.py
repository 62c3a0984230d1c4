"""What every gateway endpoint module shares: the v1 blueprint, the RPC call, the JSON body,
and the routes of a table of actions (a case's, a matter's)."""

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import BadRequest as WerkzeugBadRequest

from lianxin import settings
from lianxin.errors import BadRequest
from lianxin.schemas import load_or_raise

from .security import json_depth, not_text

api = Blueprint("api", __name__, url_prefix="/api/v1")


def rpc(service, method, *args):
    return current_app.extensions["lianxin.rpc"].call(service, method, *args)


def parse_json():
    """The request body as JSON, or None if it is not JSON. A body nested deeper than any
    request of ours needs is refused (400), whether or not the parser could follow it."""
    try:
        data = request.get_json(force=True, silent=False)
    except (WerkzeugBadRequest, RecursionError, ValueError):
        return None
    if json_depth(data, settings.MAX_JSON_DEPTH):
        raise BadRequest("the body is nested too deeply", {"max_depth": settings.MAX_JSON_DEPTH})
    if not_text(data):
        raise BadRequest("the body holds a string that is not Unicode text (a lone surrogate)")
    return data


def json_body():
    data = parse_json()
    if data is None:
        raise BadRequest("the body is not valid JSON")
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return data


def action_routes(thing, authorize, result, actions):
    """`POST /{thing}s/<{thing}_id>/<path>` for each row of `actions` (path → (service, check,
    action, schema class, summary)): `authorize(check)` is the actor allowed to act, the body
    is loaded with the schema, the owning service's `act` RPC answers the thing after it
    (OpenAPI schema `result`)."""

    def route(service, check, action, schema_cls, summary):
        schema = schema_cls()

        def view(**ids):
            actor = authorize(check)
            body = load_or_raise(schema, json_body() if request.content_length else {})
            return jsonify(rpc(service, "act", action, ids[f"{thing}_id"], actor, body))

        view.__name__ = f"{thing}_{action}"
        view.__doc__ = f"""{summary}
        ---
        post:
          summary: {summary}
          tags: [{thing} actions]
          security: [{{bearer: []}}]
          parameters: [{{in: path, name: {thing}_id, required: true, schema: {{type: string}}}}]
          requestBody: {{content: {{application/json: {{schema: {schema_cls.__name__[:-6]}}}}}}}
          responses:
            200:
              description: the {thing} after the action
              content: {{application/json: {{schema: {result}}}}}
            401: {{content: {{application/json: {{schema: Error}}}}}}
            403: {{content: {{application/json: {{schema: Error}}}}}}
            404: {{content: {{application/json: {{schema: Error}}}}}}
            409: {{content: {{application/json: {{schema: Error}}}}}}
            422: {{content: {{application/json: {{schema: Error}}}}}}
        """
        return view

    for path, spec in actions.items():
        api.add_url_rule(f"/{thing}s/<{thing}_id>/{path}", view_func=route(*spec), methods=["POST"])
