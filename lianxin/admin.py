"""Admin CRUD over the collections offices edit (docs/contract.md §10), written once; each service
serves the collections it owns. Every change is recorded in `admin_log`, and applies to the next
case without a restart (services read these collections when they act)."""

import hashlib
import secrets
from collections.abc import Callable

from marshmallow import ValidationError
from pymongo.errors import DuplicateKeyError

from . import admin_schemas as s
from .auth import hash_password
from .clock import isoformat
from .errors import Forbidden, NotFound, ValidationFailed, WrongState

# API name → (store collection, schema, the body field that is the item's id)
COLLECTIONS = {
    "units": ("units", s.UnitSchema, "id"),
    "users": ("users", s.UserSchema, "username"),
    "leaders": ("leaders", s.LeaderSchema, "id"),
    "topics": ("topics", s.TopicSchema, "id"),
    "routing-rules": ("routing_rules", s.RoutingRuleSchema, "id"),
    "deadline-policies": ("deadline_policies", s.DeadlinePolicySchema, "id"),
    "templates": ("templates", s.TemplateSchema, "id"),
    "webhooks": ("webhooks", s.WebhookSchema, "id"),
    "api-keys": ("api_keys", s.ApiKeySchema, "id"),
}


def api_key_hash(key):
    return hashlib.sha256(key.encode()).hexdigest()


def new_api_key():
    """An Open311 key: 256 random bits, URL-safe, with a prefix that says what it is."""
    return "lx311_" + secrets.token_urlsafe(32)


# Write-only fields: API name → (body field, stored field, how it is stored). Never read back
# (an item shows `<body field>_set: true`), required on create, kept by an update that leaves
# them out. A webhook's secret is kept as given: its signatures need it.
WRITE_ONLY: dict[str, tuple[str, str, Callable[[str], str]]] = {
    "users": ("password", "password_hash", hash_password),
    "webhooks": ("secret", "secret", str),
}
# Secrets the system makes: API name → (field, stored field, how it is stored, generator). The
# body may not carry the field; on create the new value is made here, only its hash is kept,
# and the answer to the create is the only place it is ever shown.
GENERATED = {"api-keys": ("key", "key_hash", api_key_hash, new_api_key)}


def _out(name, doc):
    _, _, key = COLLECTIONS[name]
    field, stored = (WRITE_ONLY.get(name) or GENERATED.get(name) or (None, None))[:2]
    item = {key: doc["_id"], **{k: v for k, v in doc.items() if k not in ("_id", stored)}}
    if field:
        item[f"{field}_set"] = bool(doc.get(stored))
    return {k: isoformat(v) if hasattr(v, "tzinfo") else v for k, v in item.items()}


def _load(name, body, item_id=None, update=False):
    _, schema, key = COLLECTIONS[name]
    if name in GENERATED and GENERATED[name][0] in body:
        field = GENERATED[name][0]
        raise ValidationFailed(
            "the item is not valid",
            {"fields": {field: [f"the system generates the {field}; leave it out"]}},
        )
    if item_id is not None:
        body = {**body, key: item_id}
    try:
        data = schema().load(body)
    except ValidationError as exc:
        raise ValidationFailed("the item is not valid", {"fields": exc.normalized_messages()})
    if name in WRITE_ONLY:
        field, stored, store = WRITE_ONLY[name]
        value = data.pop(field, None)
        if value:
            data[stored] = store(value)
        elif not update:
            raise ValidationFailed(
                "the item is not valid", {"fields": {field: [f"a new item needs its {field}"]}}
            )
    data["_id"] = data.pop(key)
    return data


def run(db, now, actor, op, name, item_id=None, body=None, validate=None, carry=None):
    """op: list | get | create | update | delete. `validate(doc)` adds the owning service's
    checks (e.g. that a rule's match keys are ones it understands); `carry(existing, doc)`
    keeps what an update must not lose (e.g. an account's token state)."""
    if actor.get("role") != "admin":
        raise Forbidden("only an admin may change the configuration", {})
    if name not in COLLECTIONS:
        raise NotFound(f"no collection {name}", {})
    coll = db[COLLECTIONS[name][0]]
    if op == "list":
        return [_out(name, d) for d in coll.find().sort("_id", 1)]
    if op == "get":
        doc = coll.find_one({"_id": item_id})
        if doc is None:
            raise NotFound(f"no {name} item {item_id}", {})
        return _out(name, doc)
    if op == "delete":
        if coll.delete_one({"_id": item_id}).deleted_count == 0:
            raise NotFound(f"no {name} item {item_id}", {})
        _log(db, now, actor, op, name, item_id)
        return None
    existing = coll.find_one({"_id": item_id}) if op == "update" else None
    if op == "update" and existing is None:
        raise NotFound(f"no {name} item {item_id}", {})
    doc = _load(name, body or {}, item_id, update=op == "update")
    if validate:
        validate(doc)
    shown_once = {}
    if op == "create":
        if name in GENERATED:
            field, stored, store, make = GENERATED[name]
            shown_once[field] = make()
            doc[stored] = store(shown_once[field])
        try:
            coll.insert_one(doc)
        except DuplicateKeyError:
            raise WrongState(f"{name} item {doc['_id']} exists already", {"id": doc["_id"]})
    else:
        assert existing is not None  # an update of a missing item was a 404 above
        kept = WRITE_ONLY.get(name) or GENERATED.get(name)
        stored_as = kept[1] if kept else None
        if stored_as and stored_as not in doc and existing.get(stored_as):
            doc[stored_as] = existing[stored_as]
        if carry:
            doc = carry(existing, doc)
        coll.replace_one({"_id": item_id}, doc)
    _log(db, now, actor, op, name, doc["_id"])
    return {**_out(name, doc), **shown_once}


def _log(db, now, actor, op, name, item_id):
    db.admin_log.insert_one(
        {"at": now, "by": actor["username"], "op": op, "collection": name, "item": item_id}
    )


def log_page(db, actor, collection=None, before=None, limit=50):
    """The admin log, newest first: who changed which item of which collection, and when.
    `before` (a time) pages back; at most 200 entries a page."""
    if actor.get("role") != "admin":
        raise Forbidden("only an admin may read the admin log", {})
    if collection is not None and collection not in COLLECTIONS:
        raise ValidationFailed("no such collection", {"fields": {"collection": [collection]}})
    query = {}
    if collection:
        query["collection"] = collection
    if before is not None:
        query["at"] = {"$lt": before}
    limit = max(1, min(int(limit), 200))
    docs = list(db.admin_log.find(query).sort([("at", -1)]).limit(limit))
    items = [
        {
            "at": isoformat(d["at"]),
            "by": d["by"],
            "op": d["op"],
            "collection": d["collection"],
            "item": d["item"],
        }
        for d in docs
    ]
    return {"items": items, "next_before": items[-1]["at"] if len(items) == limit else None}
