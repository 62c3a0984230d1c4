"""Errors are values with a code, an HTTP status, a message and details — defined once.

They cross nameko RPC intact (`deserialize_to_instance`), so the gateway maps the very same
class to the contract's error shape `{"error": {"code", "message", "details"}}`.
"""

from nameko.exceptions import deserialize_to_instance


class LianxinError(Exception):
    code = "error"
    status = 500

    def __init__(self, message="", details=None):
        super().__init__(message, details or {})
        self.message = message
        self.details = details or {}

    def to_dict(self):
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


@deserialize_to_instance
class BadRequest(LianxinError):
    code, status = "bad_request", 400


@deserialize_to_instance
class Unauthorized(LianxinError):
    code, status = "unauthorized", 401


@deserialize_to_instance
class Forbidden(LianxinError):
    code, status = "forbidden", 403


@deserialize_to_instance
class PasswordChangeRequired(Forbidden):
    """The account must change its password before doing anything else."""

    code = "password_change_required"


@deserialize_to_instance
class NotFound(LianxinError):
    code, status = "not_found", 404


@deserialize_to_instance
class WrongState(LianxinError):
    """The action is not allowed from the case's current state, or someone acted first."""

    code, status = "wrong_state", 409


@deserialize_to_instance
class ValidationFailed(LianxinError):
    code, status = "validation_failed", 422


@deserialize_to_instance
class Expired(LianxinError):
    """The caller gave up before the request was picked up; nothing was done."""

    code, status = "request_expired", 503


class Unavailable(LianxinError):
    code, status = "service_unavailable", 503


@deserialize_to_instance
class TooManyRequests(LianxinError):
    code, status = "too_many_requests", 429
