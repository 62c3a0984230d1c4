"""Who is calling: the bearer token of a staff user, verified here — its signature, and then
the account behind it (exists, active, same role and unit, token not issued before a change,
not signed out); the role check against the workflow table happens before anything is sent
to a service.

What the accounts service says of a user is kept for LX_TOKEN_CHECK_CACHE_SECONDS in this
process, so the check costs a dictionary lookup on most requests and one RPC on the others; a
deactivation, a role change or a sign-out in another gateway bites within that time, and at
once in this one (docs/decisions/0013)."""

import threading
import time

from flask import current_app, g, request

from lianxin import settings, workflow
from lianxin.auth import actor_of, token_problem, verify_token
from lianxin.errors import Forbidden, PasswordChangeRequired, Unauthorized


class AccountCache:
    """username → (when read, account state or None), for a few seconds."""

    def __init__(self, fetch, ttl, clock=time.monotonic):
        self.fetch, self.ttl, self.clock = fetch, ttl, clock
        self.entries, self.lock = {}, threading.Lock()

    def get(self, username):
        now = self.clock()
        hit = self.entries.get(username)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        account = self.fetch(username)
        with self.lock:
            if len(self.entries) > 10_000:
                self.entries = {k: v for k, v in self.entries.items() if now - v[0] < self.ttl}
            self.entries[username] = (now, account)
        return account

    def forget(self, username):
        self.entries.pop(username, None)


def accounts():
    return current_app.extensions["lianxin.accounts"]


def _token():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def bearer_claims(allow_password_change=False):
    """The verified claims and the account behind them; 401 or 403 otherwise."""
    if not request.headers.get("Authorization"):
        raise Unauthorized("sign in first: Authorization: Bearer <token>", {})
    token = _token()
    claims = verify_token(token, current_app.config["SECRET_KEY"]) if token else None
    if claims is None:
        raise Unauthorized("the token is not valid or has expired", {})
    account = accounts().get(claims["sub"])
    problem = token_problem(claims, account)
    if problem:
        raise Unauthorized(problem, {})
    if account.get("must_change_password") and not allow_password_change:
        raise PasswordChangeRequired("change your password first: POST /api/v1/auth/password", {})
    return claims, account


def bearer_actor(required=True):
    if not required and not request.headers.get("Authorization"):
        return None
    if "lianxin_actor" not in g:
        account = bearer_claims()[1]
        g.lianxin_actor = actor_of({**account, "_id": account["username"]})
    return g.lianxin_actor


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


def make_cache(rpc_pool):
    return AccountCache(
        lambda username: rpc_pool.call("accounts", "account_state", username),
        settings.TOKEN_CHECK_CACHE_SECONDS,
    )
