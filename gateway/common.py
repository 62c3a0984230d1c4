"""What every gateway endpoint module shares: the v1 blueprint, the RPC call, the JSON body."""

from flask import Blueprint, current_app, request
from werkzeug.exceptions import BadRequest as WerkzeugBadRequest

from lianxin import settings
from lianxin.errors import BadRequest

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
