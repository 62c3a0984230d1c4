"""Signing in and out, and changing one's own password (docs/contract.md §10): the accounts
live in the accounts service; the gateway signs the tokens and checks them on every request
(`gateway/auth.py`)."""

from datetime import datetime, timezone

from flask import current_app, jsonify

from lianxin import action_schemas as a
from lianxin.auth import issue_token
from lianxin.clock import isoformat, utcnow
from lianxin.schemas import load_or_raise

from . import ratelimit
from .auth import accounts, bearer_claims
from .common import api, json_body, rpc


def _token_answer(account):
    ttl = current_app.config["TOKEN_TTL"]
    token = issue_token(
        account,
        current_app.config["SECRET_KEY"],
        utcnow(),
        ttl,
        version=account.get("token_version", 0),
    )
    return jsonify(
        {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": ttl,
            "must_change_password": bool(account.get("must_change_password")),
        }
    )


@api.post("/auth/token")
def token():
    """Sign in.
    ---
    post:
      summary: Exchange a staff username and password for a bearer token
      description: >
        With `must_change_password` true (the first admin), every other call answers 403
        `password_change_required` until POST /auth/password.
      requestBody: {content: {application/json: {schema: Login}}}
      responses:
        200: {content: {application/json: {schema: Token}}}
        401: {content: {application/json: {schema: Error}}}
        429: {content: {application/json: {schema: Error}}}
    """
    ratelimit.sign_in()
    body = load_or_raise(a.LoginSchema(), json_body())
    return _token_answer(rpc("accounts", "authenticate", body["username"], body["password"]))


@api.post("/auth/logout")
def logout():
    """Sign out.
    ---
    post:
      summary: Revoke this token (sign out); other sessions of the user stay signed in
      security: [{bearer: []}]
      responses:
        204: {description: signed out}
        401: {content: {application/json: {schema: Error}}}
    """
    claims, _ = bearer_claims(allow_password_change=True)
    expires = isoformat(datetime.fromtimestamp(claims["exp"], timezone.utc))
    rpc("accounts", "sign_out", claims["sub"], claims.get("jti") or "", expires)
    accounts().forget(claims["sub"])
    return "", 204


@api.post("/auth/password")
def change_password():
    """Change one's own password.
    ---
    post:
      summary: Change your password; tokens issued before stop working, a new one is returned
      security: [{bearer: []}]
      requestBody: {content: {application/json: {schema: PasswordChange}}}
      responses:
        200: {content: {application/json: {schema: Token}}}
        401: {content: {application/json: {schema: Error}}}
        422: {content: {application/json: {schema: Error}}}
    """
    claims, _ = bearer_claims(allow_password_change=True)
    ratelimit.sign_in()
    body = load_or_raise(a.PasswordChangeSchema(), json_body())
    account = rpc(
        "accounts", "change_password", claims["sub"], body["current_password"], body["new_password"]
    )
    accounts().forget(claims["sub"])
    return _token_answer(account)
