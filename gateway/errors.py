"""Errors → HTTP, in one place: every failure answers in the contract's error shape
`{"error": {"code", "message", "details"}}`, never an HTML page, never a bare 500."""

import logging

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from lianxin.errors import LianxinError

log = logging.getLogger(__name__)


def error_response(status, code, message, details=None, headers=None):
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response


def register(app):
    @app.errorhandler(LianxinError)
    def domain_error(exc):
        headers = {"Retry-After": "5"} if exc.status == 503 else None
        if exc.status == 429:
            headers = {"Retry-After": str((exc.details or {}).get("retry_after", 60))}
        if exc.status >= 500 and exc.status != 503:
            log.error("service error: %s %s", exc.message, exc.details)
            return error_response(500, "internal_error", "something went wrong on our side")
        return error_response(exc.status, exc.code, exc.message, exc.details, headers)

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if request.path.startswith("/open311/"):  # GeoReport's error format there
            from .open311 import error

            fmt = "xml" if request.path.endswith(".xml") else "json"
            return error(fmt, exc.code or 500, exc.description or exc.name)
        code = (exc.name or "error").lower().replace(" ", "_")
        return error_response(exc.code or 500, code, exc.description or exc.name)

    @app.errorhandler(Exception)
    def unexpected(exc):
        log.exception("unhandled error")
        return error_response(500, "internal_error", "something went wrong on our side")
