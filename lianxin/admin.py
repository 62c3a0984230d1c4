"""Admin CRUD over the collections offices edit (SPEC §10), written once; each service serves
the collections it owns. Every change is recorded in `admin_log`, and applies to the next case
without a restart (services read these collections when they act)."""
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
# Fields written but never read back (shown as `<field>_set: true`), kept on an update that
# leaves them out.
SECRETS = {"users": "password_hash", "webhooks": "secret", "api-keys": "key_hash"}


def _out(name, doc):
    _, _, key = COLLECTIONS[name]
    secret = SECRETS.get(name)
    item = {key: doc["_id"], **{k: v for k, v in doc.items() if k not in ("_id", secret)}}
    if name == "webhooks":
        item["secret_set"] = bool(doc.get("secret"))
    if name == "api-keys":
        item["key_set"] = bool(doc.get("key_hash"))
    return {k: isoformat(v) if hasattr(v, "tzinfo") else v for k, v in item.items()}


def _load(name, body, item_id=None, partial_password=False):
    _, schema, key = COLLECTIONS[name]
    if item_id is not None:
        body = {**body, key: item_id}
    try:
        data = schema().load(body)
    except ValidationError as exc:
        raise ValidationFailed("the item is not valid", {"fields": exc.normalized_messages()})
    if name == "users":
        password = data.pop("password", None)
        if password:
            data["password_hash"] = hash_password(password)
        elif not partial_password:
            raise ValidationFailed("the item is not valid",
                                   {"fields": {"password": ["a new user needs a password"]}})
    if name == "api-keys":
        api_key = data.pop("key", None)
        if api_key:
            data["key_hash"] = api_key_hash(api_key)
        elif not partial_password:
            raise ValidationFailed("the item is not valid",
                                   {"fields": {"key": ["a new API key needs its key"]}})
    if name == "webhooks" and not data.get("secret") and not partial_password:
        raise ValidationFailed("the item is not valid",
                               {"fields": {"secret": ["a new webhook needs a secret"]}})
    data["_id"] = data.pop(key)
    return data


def api_key_hash(key):
    import hashlib
    return hashlib.sha256(key.encode()).hexdigest()


def run(db, now, actor, op, name, item_id=None, body=None, validate=None):
    """op: list | get | create | update | delete. `validate(doc)` adds the owning service's
    checks (e.g. that a rule's match keys are ones it understands)."""
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
    doc = _load(name, body or {}, item_id, partial_password=op == "update")
    if validate:
        validate(doc)
    if op == "create":
        try:
            coll.insert_one(doc)
        except DuplicateKeyError:
            raise WrongState(f"{name} item {doc['_id']} exists already", {"id": doc["_id"]})
    else:
        secret = SECRETS.get(name)
        if secret and secret not in doc and existing.get(secret):
            doc[secret] = existing[secret]
        coll.replace_one({"_id": item_id}, doc)
    _log(db, now, actor, op, name, doc["_id"])
    return _out(name, doc)


def _log(db, now, actor, op, name, item_id):
    db.admin_log.insert_one({"at": now, "by": actor["username"], "op": op,
                             "collection": name, "item": item_id})
