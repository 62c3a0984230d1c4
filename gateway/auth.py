"""Who is calling: the bearer token of a staff user, verified here; the role check against the
workflow table happens before anything is sent to a service."""
from flask import current_app, request

from lianxin import workflow
from lianxin.auth import verify_token
from lianxin.errors import Forbidden, Unauthorized


def bearer_actor(required=True):
    header = request.headers.get("Authorization", "")
    if not header:
        if required:
            raise Unauthorized("sign in first: Authorization: Bearer <token>", {})
        return None
    scheme, _, token = header.partition(" ")
    actor = verify_token(token.strip(), current_app.config["SECRET_KEY"]) \
        if scheme.lower() == "bearer" else None
    if actor is None:
        raise Unauthorized("the token is not valid or has expired", {})
    return actor


def staff(*roles):
    """The actor, who must have one of `roles` (any staff role if none given)."""
    actor = bearer_actor()
    if roles and actor["role"] not in roles:
        raise Forbidden(f"a {actor['role']} may not do this", {"allowed": list(roles)})
    return actor


def may(action):
    """The actor, who must be a role the workflow table allows `action` for."""
    actor = bearer_actor()
    workflow.check_role(action, actor["role"])
    return actor
