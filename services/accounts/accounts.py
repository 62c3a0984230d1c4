"""Staff accounts: password checks with a lock after repeated failures, the first admin, what
the gateway checks a token against on each request (active, role, token version, signed-out
tokens), sign-out and the change of one's own password."""

from datetime import datetime, timedelta

from pymongo.errors import DuplicateKeyError

from lianxin import settings
from lianxin.admin import api_key_hash
from lianxin.auth import actor_of, hash_password, verify_password
from lianxin.errors import Forbidden, TooManyRequests, Unauthorized, ValidationFailed

# What a change to these fields of an account does to the tokens issued before it: they stop
# working (the account's token version goes up).
TOKEN_BEARING_FIELDS = ("role", "unit", "leader", "active", "password_hash")


def authenticate(db, now, username, password, max_failures, lock_seconds):
    """The actor for a correct username and password, with the account's token version and
    whether the password must be changed first. After `max_failures` wrong tries the account
    is locked for `lock_seconds` (429), whoever tries."""
    key = f"login:{username}"
    failures = db.login_failures.find_one({"_id": key}) or {}
    if failures.get("locked_until") and failures["locked_until"] > now:
        raise TooManyRequests(
            "too many failed logins; try again later",
            {"retry_after": int((failures["locked_until"] - now).total_seconds())},
        )
    user = db.users.find_one({"_id": username})
    if (
        not user
        or user.get("active") is False
        or not verify_password(password, user.get("password_hash"))
    ):
        count = failures.get("count", 0) + 1
        update = {"$set": {"count": count, "last_at": now}}
        if count >= max_failures:
            update["$set"].update(count=0, locked_until=now + timedelta(seconds=lock_seconds))
        db.login_failures.update_one({"_id": key}, update, upsert=True)
        raise Unauthorized("wrong username or password", {})
    db.login_failures.delete_one({"_id": key})
    return {
        **actor_of(user),
        "token_version": user.get("token_version", 0),
        "must_change_password": bool(user.get("must_change_password")),
    }


def account_state(db, now, username):
    """What a token is checked against: None for no such user."""
    user = db.users.find_one({"_id": username})
    if user is None:
        return None
    # (a revocation whose expiry is not a date — written by an older console — stays revoked)
    revoked = [
        jti
        for jti, exp in (user.get("revoked") or {}).items()
        if not isinstance(exp, datetime) or exp > now
    ]
    return {
        **actor_of(user),
        "active": user.get("active", True) is not False,
        "token_version": user.get("token_version", 0),
        "revoked": revoked,
        "must_change_password": bool(user.get("must_change_password")),
    }


def sign_out(db, now, username, jti, expires_at):
    """Revoke one token until it would have expired anyway; forget revocations that have."""
    user = db.users.find_one({"_id": username}, {"revoked": 1})
    if user is None:
        return
    update = {"$set": {f"revoked.{jti}": expires_at}}
    stale = [
        k
        for k, exp in (user.get("revoked") or {}).items()
        if isinstance(exp, datetime) and exp <= now and k != jti
    ]
    if stale:
        update["$unset"] = {f"revoked.{k}": "" for k in stale}
    db.users.update_one({"_id": username}, update)


def password_problem(password, old_password=None):
    if len(password) < settings.MIN_PASSWORD_LENGTH:
        return f"at least {settings.MIN_PASSWORD_LENGTH} characters"
    if password in settings.KNOWN_SECRETS:
        return "a password published with Lianxin"
    if old_password is not None and password == old_password:
        return "the same as the current password"
    return None


def change_password(db, now, username, current, new):
    """The user's own change of password (required at first sign-in of the first admin). Every
    token issued before it stops working; the answer is the actor with the new version."""
    user = db.users.find_one({"_id": username})
    if (
        not user
        or user.get("active") is False
        or not verify_password(current, user.get("password_hash"))
    ):
        raise Unauthorized("the current password is wrong", {})
    problem = password_problem(new, current)
    if problem:
        raise ValidationFailed(
            "the new password is not acceptable", {"fields": {"new_password": [problem]}}
        )
    version = user.get("token_version", 0) + 1
    db.users.update_one(
        {"_id": username},
        {
            "$set": {
                "password_hash": hash_password(new),
                "must_change_password": False,
                "token_version": version,
                "password_changed_at": now,
            }
        },
    )
    return {**actor_of(user), "token_version": version, "must_change_password": False}


# An account's token state is the server's: sign-in, sign-out and password changes write it.
# Whatever an admin's body says of it (a form sending back what it read) is ignored.
TOKEN_STATE = (
    "token_version",
    "revoked",
    "must_change_password",
    "created_at",
    "password_changed_at",
)


def drop_token_state(doc):
    """An admin's create or update of a user: what the body says of the token state goes."""
    for field in TOKEN_STATE:
        doc.pop(field, None)


def carry_token_state(existing, doc):
    """An admin's update of a user replaces the document: keep the account's token state as
    stored, and bump its token version when a field that tokens stand for has changed."""
    drop_token_state(doc)
    for field in TOKEN_STATE:
        if field in existing:
            doc[field] = existing[field]
    if any(existing.get(f) != doc.get(f) for f in TOKEN_BEARING_FIELDS):
        doc["token_version"] = existing.get("token_version", 0) + 1
    return doc


def ensure_admin(db, username, password, now):
    """Create the first admin from configuration, once, if there is no admin at all. The
    password came through the environment, so it must be changed at the first sign-in. Without
    a password (allowed in the local demo only) nobody is created."""
    if not password or db.users.find_one({"role": "admin"}):
        return False
    try:
        db.users.insert_one(
            {
                "_id": username,
                "role": "admin",
                "name": "Administrator",
                "password_hash": hash_password(password),
                "active": True,
                "must_change_password": True,
                "token_version": 0,
                "created_at": now,
            }
        )
    except DuplicateKeyError:
        return False
    return True


def unit_directory(db):
    """Every unit's code, name, kind and parent, for any staff member's pickers and for
    showing a name where a record holds a code; never a unit's address or contacts."""
    fields = {"name": 1, "kind": 1, "parent": 1}
    return [
        {
            "id": u["_id"],
            "name": u.get("name") or u["_id"],
            "kind": u.get("kind"),
            "parent": u.get("parent"),
        }
        for u in db.units.find({}, fields).sort("_id", 1)
    ]


def check_api_key(db, key):
    """The active API key `key` is, or Forbidden."""
    found = (
        db.api_keys.find_one({"key_hash": api_key_hash(key or ""), "active": True}) if key else None
    )
    if found is None:
        raise Forbidden("a valid api_key is required", {})
    return {"id": found["_id"], "per_minute": found.get("per_minute")}
