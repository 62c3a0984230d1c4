"""Staff identity: roles, password hashes, signed expiring tokens, and the actor passed to
services. The gateway verifies tokens; intake (which keeps the accounts) checks passwords."""

import hashlib
import hmac
import secrets
from datetime import timedelta

import jwt

ROLES = ("clerk", "dispatcher", "handler", "unit_leader", "supervisor", "leader", "admin")
UNIT_ROLES = ("handler", "unit_leader")
OFFICE_ROLES = ("clerk", "dispatcher", "supervisor", "leader", "admin")

# scrypt: memory-hard, in the standard library; ~50 ms a check on our machines.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def hash_password(password):
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password, stored):
    try:
        scheme, salt, digest = stored.split("$")
    except (AttributeError, ValueError):
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), **_SCRYPT)
    return hmac.compare_digest(candidate.hex(), digest)


def actor_of(user):
    """What a service needs to know about who acts: carried in the token, passed on each RPC."""
    return {
        "username": user["_id"],
        "role": user["role"],
        "unit": user.get("unit"),
        "leader": user.get("leader"),
        "name": user.get("name", user["_id"]),
    }


CITIZEN = {
    "username": "citizen",
    "role": "citizen",
    "unit": None,
    "leader": None,
    "name": "citizen",
}
SYSTEM_ACTOR = {
    "username": "system",
    "role": "system",
    "unit": None,
    "leader": None,
    "name": "system",
}


def issue_token(actor, secret, now, ttl_seconds, version=0):
    """A signed token for `actor`. `version` is the account's token version when it was
    issued: a change of role, unit, password or state bumps the account's version, and every
    token issued before it stops working (checked on each request by the gateway). `jti`
    names this one token, so that signing out revokes it alone."""
    claims = {
        "sub": actor["username"],
        "role": actor["role"],
        "unit": actor.get("unit"),
        "leader": actor.get("leader"),
        "name": actor.get("name"),
        "ver": int(version or 0),
        "jti": secrets.token_hex(8),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl_seconds)).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def verify_token(token, secret):
    """The claims of a token signed with `secret` (HS256 only: `alg: none` and other
    algorithms are refused), not expired; None otherwise. Whether the account still stands
    behind it is the caller's second check (`token_problem`)."""
    if not secret:
        return None
    try:
        claims = jwt.decode(
            token, secret, algorithms=["HS256"], options={"require": ["exp", "sub", "iat"]}
        )
    except jwt.PyJWTError:
        return None
    if claims.get("role") not in ROLES or not isinstance(claims.get("sub"), str):
        return None
    return claims


def token_problem(claims, account):
    """Why the account no longer stands behind these claims (None: it does). `account` is
    what the accounts service says of the user now, or None if there is no such user."""
    if account is None:
        return "the account does not exist"
    if not claims.get("jti"):
        return "the token is of an older kind; sign in again"
    if account.get("active") is False:
        return "the account is deactivated"
    if int(claims.get("ver") or 0) != int(account.get("token_version") or 0):
        return "the token was issued before a change to the account; sign in again"
    if claims.get("jti") in (account.get("revoked") or ()):
        return "the token was signed out"
    if (claims.get("role"), claims.get("unit"), claims.get("leader")) != (
        account.get("role"),
        account.get("unit"),
        account.get("leader"),
    ):
        return "the account's role has changed; sign in again"
    return None
