"""Payload schemas shared by the gateway (which validates at the edge and documents them in
OpenAPI) and the services (which validate again before they store anything)."""

import re

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

from . import settings

CHANNELS = (
    "web",
    "mobile",
    "mailbox",
    "hotline",
    "letter",
    "visit",
    "reception_day",
    "collector",
    "open311",
)
CITIZEN_CHANNELS = ("web", "mobile", "mailbox")
KINDS = ("consultation", "request", "complaint", "report", "suggestion", "praise")
URGENCIES = ("normal", "urgent")
LANGUAGES = ("zh-CN", "en")  # the languages messages have templates in (docs/contract.md §8)
COMPLEXITIES = ("general", "major")
# A quarter of the statistics and bulletins: 2026Q3 (years 1970 to 2999).
QUARTER_PATTERN = re.compile(r"^(19[7-9]\d|2\d{3})Q([1-4])$")
QUARTER = fields.String(
    required=True,
    validate=validate.Regexp(QUARTER_PATTERN, error="a quarter like 2026Q3 (years 1970 to 2999)"),
)
# docs/contract.md §2: this many people or more make a collective case (集访); the same number
# raises the collective alert (LX_COLLECTIVE_ALERT_PEOPLE, one home for both).
COLLECTIVE_THRESHOLD = settings.COLLECTIVE_ALERT_PEOPLE

PHONE = re.compile(r"^\+?[0-9][0-9\- ]{4,19}$")


class LocationSchema(Schema):
    class Meta:
        unknown = RAISE

    town = fields.String(validate=validate.Length(max=100))
    village = fields.String(validate=validate.Length(max=100))
    address = fields.String(validate=validate.Length(max=500))
    lat = fields.Float(validate=validate.Range(-90, 90))
    lon = fields.Float(validate=validate.Range(-180, 180))


class CitizenSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(validate=validate.Length(max=100))
    phone = fields.String(validate=validate.Regexp(PHONE, error="not a phone number"))
    email = fields.Email()
    id_number = fields.String(
        validate=validate.Regexp(r"^[0-9]{17}[0-9Xx]$", error="not an 18-digit id number")
    )
    anonymous = fields.Boolean(load_default=False)

    @validates_schema
    def contact_unless_anonymous(self, data, **kwargs):
        if not data.get("anonymous") and not (data.get("phone") or data.get("email")):
            raise ValidationError("give a phone or an email, or submit anonymously", "phone")


class CaseSubmissionSchema(Schema):
    """A citizen's submission (docs/contract.md §2) — what `POST /api/v1/cases` accepts."""

    class Meta:
        unknown = RAISE

    channel = fields.String(load_default="web", validate=validate.OneOf(CITIZEN_CHANNELS))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    topic = fields.String(load_default="other", validate=validate.Length(min=1, max=64))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    content = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    location = fields.Nested(LocationSchema, load_default=dict)
    citizen = fields.Nested(CitizenSchema, required=True)
    public_consent = fields.Boolean(load_default=False)
    people_involved = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    urgency = fields.String(load_default="normal", validate=validate.OneOf(URGENCIES))
    language = fields.String(
        load_default="zh-CN",
        validate=validate.OneOf(LANGUAGES),
        metadata={"description": "the language of the messages sent to the citizen"},
    )

    @validates_schema
    def content_not_blank(self, data, **kwargs):
        for name in ("title", "content"):
            if name in data and not data[name].strip():
                raise ValidationError("must not be blank", name)


class Open311SubmissionSchema(CaseSubmissionSchema):
    """A case filed through Open311 (docs/contract.md §11), after the gateway mapped the GeoReport
    form."""

    channel = fields.String(required=True, validate=validate.OneOf(("open311",)))


class SubmissionReceiptSchema(Schema):
    id = fields.String(required=True, metadata={"example": "LX-20261124-000123"})
    access_code = fields.String(required=True)
    status = fields.String(required=True)
    due_at = fields.String(allow_none=True)


class TimelineEntrySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    at = fields.String()
    action = fields.String()
    note = fields.String(allow_none=True)


class PublicCaseSchema(Schema):
    """What a citizen sees with tracking number + access code: no staff names, no notes."""

    id = fields.String()
    status = fields.String()
    kind = fields.String()
    topic = fields.String()
    title = fields.String()
    received_at = fields.String()
    due_at = fields.String(allow_none=True)
    overdue = fields.Boolean()
    answer = fields.Dict(allow_none=True)
    timeline = fields.List(fields.Nested(TimelineEntrySchema))


class ErrorBodySchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict()


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


def load_or_raise(schema, data):
    """Validate `data`; a failure becomes the contract's 422 with per-field details."""
    from .errors import BadRequest, ValidationFailed

    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed("the submission is not valid", {"fields": exc.normalized_messages()})
