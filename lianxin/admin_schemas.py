"""Bodies of the admin collections (docs/contract.md §10): units, users, leaders, topics, routing
rules, deadline policies, templates, webhooks. More fields are allowed on every item."""

import fnmatch

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate, validates_schema

from .auth import ROLES, UNIT_ROLES
from .events import EVENT_TYPES
from .schemas import LANGUAGES

ID = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.\-]{1,64}$"))
UNIT_KINDS = (
    "party_office",
    "gov_office",
    "mass_work_office",
    "department",
    "township",
    "village",
    "enterprise",
)


def unsafe_name(name):
    """A field name some store of ours cannot keep: MongoDB refuses a '.' and a leading '$';
    FerretDB, the local store, writes a top-level name into JSON unescaped, so a '"', a '\\'
    or a control character (NUL included) there breaks the insert or every later read of the
    collection (decision 0028). The rule is the same at every depth, to be easy to state."""
    return "." in name or name.startswith("$") or any(c in '"\\' or c < " " for c in name)


def unstorable(value):
    """What no document store of ours keeps, anywhere in `value`: a field name `unsafe_name`
    refuses, and a list directly inside a list (FerretDB refuses nested arrays)."""
    bad, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            bad += [repr(k) for k in item if unsafe_name(k)]
            stack.extend(item.values())
        elif isinstance(item, list):
            bad += ["a list inside a list"] if any(isinstance(i, list) for i in item) else []
            stack.extend(item)
    return bad


class Item(Schema):
    """An admin collection's item: the fields each schema names are checked; others are kept
    as they are (a county's own additions), as long as a store can hold their names."""

    class Meta:
        unknown = INCLUDE

    @validates_schema(pass_original=True)
    def storable(self, data, original_data, **kwargs):
        bad = unstorable(original_data)
        if bad:
            reason = (
                "not storable (a '.', '\"', '\\' or control character in a field name, "
                "a leading '$'; a list in a list)"
            )
            raise ValidationError({"_schema": [f"{reason}: {', '.join(bad[:3])}"]})


class UnitSchema(Item):
    id = ID
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(UNIT_KINDS))
    email = fields.Email(allow_none=True)
    parent = fields.String(allow_none=True)
    towns = fields.List(fields.String(), load_default=list)
    topics = fields.List(fields.String(), load_default=list)


class UserSchema(Item):
    username = ID
    password = fields.String(load_only=True, validate=validate.Length(min=8, max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    unit = fields.String(allow_none=True)
    leader = fields.String(allow_none=True, metadata={"description": "for role leader"})
    name = fields.String(validate=validate.Length(max=100))
    email = fields.Email(allow_none=True)
    phone = fields.String(allow_none=True)
    language = fields.String(load_default="zh-CN", validate=validate.OneOf(LANGUAGES))
    active = fields.Boolean(load_default=True)

    @validates_schema
    def unit_for_unit_roles(self, data, **kwargs):
        if data.get("role") in UNIT_ROLES and not data.get("unit"):
            raise ValidationError("handlers and unit leaders belong to a unit", "unit")


class LeaderSchema(Item):
    id = ID
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    email = fields.Email(allow_none=True)
    portfolio = fields.List(fields.String(), load_default=list)


class TopicSchema(Item):
    id = ID
    name = fields.String(required=True)


class RoutingRuleSchema(Item):
    id = ID
    name = fields.String(required=True)
    order = fields.Integer(required=True)
    match = fields.Dict(load_default=dict)
    lead_unit = fields.String(allow_none=True)
    co_units = fields.List(fields.String(), load_default=list)
    leader = fields.String(allow_none=True)
    complexity = fields.String(allow_none=True, validate=validate.OneOf(("general", "major")))
    urgency = fields.String(allow_none=True, validate=validate.OneOf(("normal", "urgent")))
    enabled = fields.Boolean(load_default=True)


class DurationSchema(Schema):
    days = fields.Integer(validate=validate.Range(min=1))
    hours = fields.Integer(validate=validate.Range(min=1))
    working_days = fields.Integer(validate=validate.Range(min=1))

    @validates_schema
    def exactly_one(self, data, **kwargs):
        if len(data) != 1:
            raise ValidationError("give exactly one of days, hours, working_days")


class DeadlinePolicySchema(Item):
    id = ID
    name = fields.String(required=True)
    order = fields.Integer(required=True)
    match = fields.Dict(load_default=dict)
    duration = fields.Nested(DurationSchema, required=True)
    enabled = fields.Boolean(load_default=True)


class TemplateSchema(Item):
    """A message template (docs/contract.md §8): id "<name>:<language>"; parts are Jinja2
    templates."""

    id = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[a-z0-9_]{1,64}:(%s)$" % "|".join(LANGUAGES),
            error="must be <name>:<language>, language one of " + ", ".join(LANGUAGES),
        ),
    )
    subject = fields.String(required=True, validate=validate.Length(min=1, max=500))
    body = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    html = fields.String(validate=validate.Length(max=50000))
    sms = fields.String(validate=validate.Length(max=500))


def _event_pattern(value):
    if not any(fnmatch.fnmatchcase(t, value) for t in EVENT_TYPES):
        raise ValidationError(f"{value!r} matches no event type")


class WebhookSchema(Item):
    """A unit system's subscription (docs/contract.md §8): events matching `event_types` (patterns
    such as `case.*`), of `units` when given, are POSTed to `url`, signed with `secret`."""

    id = ID
    url = fields.Url(required=True, require_tld=False, schemes={"http", "https"})
    event_types = fields.List(fields.String(validate=_event_pattern), load_default=lambda: ["*"])
    units = fields.List(fields.String(), load_default=list)
    secret = fields.String(load_only=True, validate=validate.Length(min=16, max=200))
    active = fields.Boolean(load_default=True)


class ApiKeySchema(Item):
    """An Open311 API key (docs/contract.md §11): the system generates the key when the item is
    created and shows it once, in the answer to the create (`key`); only its hash is stored;
    `active: false` revokes it; `per_minute` is its rate limit."""

    id = ID
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    active = fields.Boolean(load_default=True)
    per_minute = fields.Integer(validate=validate.Range(min=1, max=100000))
