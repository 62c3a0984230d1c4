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
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1, "dklen": 32}


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
    return {"username": user["_id"], "role": user["role"], "unit": user.get("unit"),
            "leader": user.get("leader"), "name": user.get("name", user["_id"])}


CITIZEN = {"username": "citizen", "role": "citizen", "unit": None, "leader": None,
           "name": "citizen"}
SYSTEM_ACTOR = {"username": "system", "role": "system", "unit": None, "leader": None,
                "name": "system"}


def issue_token(actor, secret, now, ttl_seconds):
    claims = {"sub": actor["username"], "role": actor["role"], "unit": actor.get("unit"),
              "leader": actor.get("leader"), "name": actor.get("name"),
              "iat": int(now.timestamp()), "exp": int((now + timedelta(seconds=ttl_seconds)).timestamp())}
    return jwt.encode(claims, secret, algorithm="HS256")


def verify_token(token, secret):
    """The actor of a valid token, or None (bad signature, expired, malformed)."""
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError:
        return None
    if claims.get("role") not in ROLES:
        return None
    return {"username": claims["sub"], "role": claims["role"], "unit": claims.get("unit"),
            "leader": claims.get("leader"), "name": claims.get("name")}
