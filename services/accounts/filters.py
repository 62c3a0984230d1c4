"""Saved filters (我的筛选): a staff user's named views of the case list, kept on the server so
they follow the user from desk to desk. One document per filter, `_id` = "<username>:<name>",
so reading, saving and deleting one is a lookup by a string `_id` (docs/platform.md §4)."""

from lianxin.errors import NotFound, ValidationFailed

# Enough for every view a desk keeps; a list of hundreds is a sign of a script, not a person.
MAX_PER_USER = 50


def _key(actor, name):
    return f"{actor['username']}:{name}"


def _view(doc):
    return {
        "name": doc["name"],
        "query": doc["query"],
        "updated_at": doc["updated_at"].strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def list_filters(db, actor):
    docs = db.saved_filters.find({"username": actor["username"]})
    return {"items": sorted((_view(d) for d in docs), key=lambda f: f["name"])}


def save_filter(db, now, actor, name, query):
    """Create or replace the filter `name` of this user."""
    key = _key(actor, name)
    if (
        db.saved_filters.find_one({"_id": key}) is None
        and db.saved_filters.count_documents({"username": actor["username"]}) >= MAX_PER_USER
    ):
        raise ValidationFailed(
            "too many saved filters; delete one first",
            {"fields": {"name": [f"at most {MAX_PER_USER} filters"]}},
        )
    db.saved_filters.update_one(
        {"_id": key},
        {"$set": {"username": actor["username"], "name": name, "query": query, "updated_at": now}},
        upsert=True,
    )
    return _view(db.saved_filters.find_one({"_id": key}))


def delete_filter(db, actor, name):
    if not db.saved_filters.delete_one({"_id": _key(actor, name)}).deleted_count:
        raise NotFound(f"no saved filter {name!r}", {"name": name})
    return None
