"""Staff accounts: password checks with a lock after repeated failures, the first admin."""
from datetime import timedelta

from pymongo.errors import DuplicateKeyError

from lianxin.auth import actor_of, hash_password, verify_password
from lianxin.errors import TooManyRequests, Unauthorized


def authenticate(db, now, username, password, max_failures, lock_seconds):
    """The actor for a correct username and password. After `max_failures` wrong tries the
    account is locked for `lock_seconds` (429), whoever tries."""
    key = f"login:{username}"
    failures = db.login_failures.find_one({"_id": key}) or {}
    if failures.get("locked_until") and failures["locked_until"] > now:
        raise TooManyRequests("too many failed logins; try again later",
                              {"retry_after": int((failures["locked_until"] - now).total_seconds())})
    user = db.users.find_one({"_id": username})
    if not user or user.get("active") is False or \
            not verify_password(password, user.get("password_hash")):
        count = failures.get("count", 0) + 1
        update = {"$set": {"count": count, "last_at": now}}
        if count >= max_failures:
            update["$set"].update(count=0, locked_until=now + timedelta(seconds=lock_seconds))
        db.login_failures.update_one({"_id": key}, update, upsert=True)
        raise Unauthorized("wrong username or password", {})
    db.login_failures.delete_one({"_id": key})
    return actor_of(user)


def ensure_admin(db, username, password, now):
    """Create the first admin from configuration, once, if there is no admin at all."""
    if db.users.find_one({"role": "admin"}):
        return False
    try:
        db.users.insert_one({"_id": username, "role": "admin", "name": "Administrator",
                             "password_hash": hash_password(password), "active": True,
                             "created_at": now})
    except DuplicateKeyError:
        return False
    return True
