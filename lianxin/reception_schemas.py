"""Bodies of the reception-day endpoints (docs/contract.md §13): validated by the gateway and
again by the reception service (which adds the rules that need the clock and the store: not
in the past, known leaders and units, capacity), and documented in OpenAPI."""

from datetime import date

from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

from .action_schemas import DirectAnswerSchema
from .schemas import COMPLEXITIES, KINDS, LANGUAGES, CitizenSchema, LocationSchema

HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
# Days a county schedules: far enough either way, and never near the calendar's ends (a local
# time there has no UTC equivalent).
Day = lambda **kw: fields.Date(  # noqa: E731
    format="%Y-%m-%d", validate=validate.Range(date(2000, 1, 1), date(2100, 12, 31)), **kw
)
Hhmm = lambda **kw: fields.String(validate=validate.Regexp(HHMM, error="not HH:MM"), **kw)  # noqa: E731
Ids = lambda **kw: fields.List(fields.String(validate=validate.Length(1, 64)), **kw)  # noqa: E731
Text = lambda n, **kw: fields.String(validate=validate.Length(min=1, max=n), **kw)  # noqa: E731


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class PatternSchema(_Strict):
    every = fields.String(required=True, validate=validate.OneOf(("week", "month")))
    weekdays = fields.List(
        fields.Integer(validate=validate.Range(1, 7)),
        metadata={"description": "ISO weekdays (1 = Monday) for every=week"},
    )
    day = fields.Integer(
        validate=validate.Range(1, 28), metadata={"description": "day of month for every=month"}
    )

    @validates_schema
    def days_named(self, data, **kwargs):
        if data["every"] == "week" and not data.get("weekdays"):
            raise ValidationError("name the weekdays", "weekdays")
        if data["every"] == "month" and not data.get("day"):
            raise ValidationError("name the day of the month", "day")


class SessionFieldsSchema(_Strict):
    """What a session is: the five public items, its places and its rota."""

    start = Hhmm(required=True)
    end = Hhmm(required=True)
    place = Text(200, required=True)
    leader = fields.String(
        validate=validate.Length(1, 64),
        metadata={"description": "the receiving leader; default the first on the rota"},
    )
    rota = Ids(
        load_default=list,
        metadata={"description": "leaders in the order they stand in (补位)"},
    )
    accompanying_units = Ids(load_default=list)
    topics = Ids(load_default=list)
    content = fields.String(load_default="", validate=validate.Length(max=2000))
    capacity = fields.Integer(required=True, validate=validate.Range(1, 1000))
    waiting_list = fields.Integer(
        validate=validate.Range(0, 1000),
        metadata={"description": "places on the waiting list; default as many as the capacity"},
    )
    town = fields.String(validate=validate.Length(max=64))

    @validates_schema
    def someone_receives(self, data, **kwargs):
        if not data.get("leader") and not data.get("rota"):
            raise ValidationError("name the receiving leader or a rota", "leader")


class SessionSchema(SessionFieldsSchema):
    """One session put on the schedule by hand."""

    date = Day(required=True)
    publish = fields.Boolean(load_default=False)


class RuleSchema(SessionFieldsSchema):
    """A recurring rule that generates sessions (every Monday, the 10th, …)."""

    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_]{1,40}$"))
    name = Text(200, required=True)
    pattern = fields.Nested(PatternSchema, required=True)
    holiday = fields.String(
        load_default="next_working_day",
        validate=validate.OneOf(("next_working_day", "cancel")),
        metadata={"description": "a day that is not a working day: move it, or cancel it"},
    )
    enabled = fields.Boolean(load_default=True)


class GenerateSchema(_Strict):
    date_from = Day(required=True, data_key="from")
    date_to = Day(required=True, data_key="to")
    rules = Ids(metadata={"description": "only these rules (default: every enabled rule)"})
    publish = fields.Boolean(load_default=False)


class SessionChangeSchema(_Strict):
    """A change to a session; once it is published, every change is kept and shown."""

    date = Day()
    start = Hhmm()
    end = Hhmm()
    place = Text(200)
    content = fields.String(validate=validate.Length(max=2000))
    topics = Ids()
    accompanying_units = Ids()
    capacity = fields.Integer(validate=validate.Range(1, 1000))
    reason = fields.String(validate=validate.Length(max=500))


class ReceptionReasonSchema(_Strict):
    reason = Text(500, required=True)


class BookingSchema(_Strict):
    """A citizen books a place (name, contact, what it is about)."""

    citizen = fields.Nested(CitizenSchema, required=True)
    about = Text(2000, required=True)
    language = fields.String(load_default="zh-CN", validate=validate.OneOf(LANGUAGES))

    @validates_schema
    def named_with_contact(self, data, **kwargs):
        citizen = data.get("citizen") or {}
        if citizen.get("anonymous"):
            raise ValidationError("a booking needs a name and a contact", "citizen")
        if not citizen.get("name"):
            raise ValidationError({"name": ["give your name"]}, "citizen")


class WalkInSchema(BookingSchema):
    """The desk opens a visit for someone who came without a booking."""


class CancelSchema(_Strict):
    code = Text(64, required=True)


class VisitMatterSchema(_Strict):
    """A matter raised at the desk, registered as a case (channel reception_day)."""

    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    topic = fields.String(load_default="other", validate=validate.Length(1, 64))
    title = Text(200, required=True)
    content = Text(20000, required=True)
    location = fields.Nested(LocationSchema, load_default=dict)
    complexity = fields.String(load_default="general", validate=validate.OneOf(COMPLEXITIES))
    people_involved = fields.Integer(load_default=1, validate=validate.Range(1, 100000))
    public_consent = fields.Boolean(load_default=False)
    solved_on_the_spot = fields.Nested(
        DirectAnswerSchema,
        metadata={"description": "当场解决: registered answered, the leader's answer on record"},
    )
    existing_case = fields.String(
        validate=validate.Length(1, 64),
        metadata={"description": "the matter is this open case of the citizen's: no new case"},
    )


class CloseSchema(_Strict):
    notes = fields.String(load_default="", validate=validate.Length(max=5000))


class ScheduleQuerySchema(Schema):
    date_from = Day(data_key="from")
    date_to = Day(data_key="to")
    leader = fields.String(validate=validate.Length(max=64))
    status = fields.String(validate=validate.Length(max=20))


# -- answers ------------------------------------------------------------------------------


class NamedSchema(Schema):
    id = fields.String()
    name = fields.String()
    title = fields.String(metadata={"description": "a leader's title"})


class ChangeViewSchema(Schema):
    at = fields.String()
    kind = fields.String()
    field = fields.String()
    reason = fields.String(allow_none=True)
    from_ = fields.Raw(data_key="from")
    to = fields.Raw()


class PublicSessionSchema(Schema):
    """A session as the public sees it: the five public items and every change."""

    id = fields.String()
    status = fields.String()
    date = fields.String()
    start = fields.String()
    end = fields.String()
    moved_from = fields.String(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    place = fields.String()
    leader = fields.Nested(NamedSchema)
    accompanying_units = fields.List(fields.Nested(NamedSchema))
    topics = fields.List(fields.Nested(NamedSchema))
    content = fields.String()
    capacity = fields.Integer()
    places_left = fields.Integer()
    waiting_list = fields.Integer()
    changes = fields.List(fields.Nested(ChangeViewSchema))


class PublicScheduleSchema(Schema):
    items = fields.List(fields.Nested(PublicSessionSchema))


class BookingReceiptSchema(Schema):
    id = fields.String()
    session_id = fields.String()
    status = fields.String(metadata={"description": "booked, or waitlisted with a position"})
    position = fields.Integer(allow_none=True)
    cancel_code = fields.String(metadata={"description": "keep it to cancel; shown once"})


class ReceptionVisitSchema(Schema):
    id = fields.String()
    session_id = fields.String()
    status = fields.String()
    citizen = fields.Dict()
    about = fields.String()
    walk_in = fields.Boolean()
    position = fields.Integer(allow_none=True)
    similar_case = fields.Dict(allow_none=True)
    matters = fields.List(fields.String())
    created_at = fields.String(allow_none=True)


class StaffSessionSchema(PublicSessionSchema):
    rule = fields.String(allow_none=True)
    rota = fields.List(fields.String())
    declined = fields.List(fields.String())
    closing = fields.Dict(allow_none=True)
    visits = fields.List(fields.Nested(ReceptionVisitSchema))
    version = fields.Integer()


class StaffScheduleSchema(Schema):
    items = fields.List(fields.Nested(StaffSessionSchema), required=True)


class RuleViewSchema(Schema):
    """A reception rule as saved: RuleSchema's fields and when it was saved."""

    class Meta:
        unknown = INCLUDE

    id = fields.String(required=True)
    name = fields.String(required=True)
    pattern = fields.Dict(required=True)
    enabled = fields.Boolean()


class RuleListSchema(Schema):
    items = fields.List(fields.Nested(RuleViewSchema), required=True)


class GeneratedSessionsSchema(Schema):
    created = fields.List(
        fields.String(), required=True, metadata={"description": "the new sessions' ids"}
    )


class CancelledBookingSchema(Schema):
    id = fields.String(required=True)
    status = fields.String(required=True)


class OpenMattersSchema(Schema):
    leader = fields.String()
    items = fields.List(fields.Dict())
