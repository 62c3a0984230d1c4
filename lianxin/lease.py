"""Leases in the store: work that must happen once, whatever the number of replicas
(docs/platform.md §2: `@timer` fires in every replica). A holder that dies loses the lease
when it expires.
"""

from datetime import timedelta

from pymongo.errors import DuplicateKeyError


def acquire(db, name, holder, now, seconds):
    """Take or renew lease `name` for `holder`; True if `holder` has it now."""
    try:
        db.leases.find_one_and_update(
            {"_id": name, "$or": [{"holder": holder}, {"expires_at": {"$lt": now}}]},
            {"$set": {"holder": holder, "expires_at": now + timedelta(seconds=seconds)}},
            upsert=True,
        )
    except DuplicateKeyError:  # someone else holds it, unexpired
        return False
    return True


def expires_at(db, name):
    """When lease `name` runs out as it stands (None: no lease, or it is gone)."""
    doc = db.leases.find_one({"_id": name}, {"expires_at": 1})
    return (doc or {}).get("expires_at")
