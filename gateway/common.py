"""What every gateway endpoint module shares: the v1 blueprint, the RPC call, the JSON body."""
from flask import Blueprint, current_app, request

from lianxin.errors import BadRequest

api = Blueprint("api", __name__, url_prefix="/api/v1")


def rpc(service, method, *args):
    return current_app.extensions["lianxin.rpc"].call(service, method, *args)


def json_body():
    data = request.get_json(silent=True, force=True)
    if data is None:
        raise BadRequest("the body is not valid JSON")
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return data
