"""What the API answers (docs/contract.md §10): the body of every 200 and 201, as the services
build it, documented in OpenAPI so that the fuzzing checks every body against it and a
generated client can read it. `required` means the field is always there, `allow_none` that
it can be null. A body has exactly these fields, except the case document and its parts
(`Open`): a case grows new fields as it is handled, and they are documented as they come."""

from marshmallow import INCLUDE, Schema, fields, validate

from .workflow import OUTCOMES, STATES

WARNINGS = ("none", "yellow", "red")  # lianxin.cases.clock_state


def always(field_cls=fields.String, *args, **kw):
    """A field that is in every body, never null."""
    return field_cls(*args, required=True, **kw)


def nullable(field_cls=fields.String, *args, **kw):
    """A field that is in every body, null when there is nothing to say."""
    return field_cls(*args, required=True, allow_none=True, **kw)


def when_set(field_cls=fields.String, *args, **kw):
    """A field that appears once something happened (null again when undone)."""
    return field_cls(*args, allow_none=True, **kw)


class Open(Schema):
    """A part of the case document: it may carry fields not listed (additionalProperties)."""

    class Meta:
        unknown = INCLUDE


Time = fields.DateTime  # RFC 3339 UTC, second precision (lianxin.clock.isoformat)


def Ids(**kw):
    """A list of names or tracking numbers."""
    return fields.List(fields.String(), **kw)


# --- the case, as the citizen sees it ---------------------------------------------------------


class SubmissionReceiptSchema(Schema):
    """`POST /cases`: the tracking number and the access code, shown once."""

    id = always(metadata={"example": "LX-20261124-000123"})
    access_code = always()
    status = always(validate=validate.OneOf(STATES))
    due_at = nullable(Time)


class TimelineEntrySchema(Schema):
    at = always(Time)
    action = always()
    note = nullable(metadata={"description": "what the citizen is told"})


class AnswerSchema(Schema):
    outcome = always(validate=validate.OneOf(OUTCOMES))
    opinion = always()
    delivered_at = always(Time)


# --- attachments (lianxin/attachments.py, services/files) -----------------------------------

ORIGINS = ("citizen", "staff")


class PublicAttachmentSchema(Schema):
    """A file with the case as the citizen is told of it: no staff name, no role."""

    id = always()
    name = always()
    content_type = always(metadata={"example": "image/jpeg"})
    size = always(fields.Integer, metadata={"description": "bytes"})
    origin = always(validate=validate.OneOf(ORIGINS))
    thumbnail = always(fields.Boolean, metadata={"description": "a JPEG thumbnail exists"})
    at = always(Time)


class AttachmentSchema(Open):
    """A file with the case as staff see it (the case's `attachments` entry). A citizen's list
    gives only the fields of `PublicAttachment`, so the rest are not required here."""

    id = always()
    name = always()
    content_type = always(metadata={"example": "image/jpeg"})
    size = always(fields.Integer, metadata={"description": "bytes"})
    origin = always(validate=validate.OneOf(ORIGINS))
    thumbnail = always(fields.Boolean, metadata={"description": "a JPEG thumbnail exists"})
    at = always(Time)
    with_answer = fields.Boolean(metadata={"description": "evidence published with the answer"})
    width = when_set(fields.Integer, metadata={"description": "an image's pixels"})
    height = when_set(fields.Integer)
    pages = when_set(fields.Integer, metadata={"description": "a PDF's pages"})
    by = fields.String()
    role = fields.String()


class AttachmentListSchema(Schema):
    """`GET /cases/{id}/attachments`: the files the caller may see, and whether they may add."""

    items = always(fields.List, fields.Nested(AttachmentSchema))
    may_attach = always(fields.Boolean)
    may_publish = always(
        fields.Boolean, metadata={"description": "staff may publish a file with the answer"}
    )
    max_per_case = always(fields.Integer)


class PublicCaseSchema(Schema):
    """What a citizen sees with tracking number + access code: no staff names, no notes."""

    id = always()
    status = always(validate=validate.OneOf(STATES))
    kind = always()
    topic = always()
    title = always()
    received_at = always(Time)
    due_at = nullable(Time)
    overdue = always(fields.Boolean)
    answer = nullable(fields.Nested, AnswerSchema, metadata={"description": "once answered"})
    timeline = always(fields.List, fields.Nested(TimelineEntrySchema))
    attachments = always(
        fields.List,
        fields.Nested(PublicAttachmentSchema),
        metadata={"description": "the citizen's own files, and the answer's once delivered"},
    )


# --- the case, as staff see it ----------------------------------------------------------------


class LocationViewSchema(Open):
    town = fields.String()
    village = fields.String()
    address = fields.String()
    lat = fields.Float()
    lon = fields.Float()


class CitizenViewSchema(Open):
    name = fields.String()
    phone = fields.String()
    email = fields.String()
    id_number = fields.String()
    anonymous = fields.Boolean()
    withheld = fields.Boolean(
        metadata={"description": "true instead of the rest: a report's citizen, to a unit"}
    )


class AssignmentSchema(Open):
    lead_unit = nullable()
    co_units = always(Ids)
    leader = nullable()
    assigned_at = nullable(Time)
    claimed_at = nullable(Time)
    due_at = nullable(Time)
    extended_to = nullable(Time)
    clock_started_at = when_set(Time)
    yellow_at = when_set(Time)
    co_due_at = when_set(Time)


class ReplyViewSchema(Open):
    outcome = always(validate=validate.OneOf(OUTCOMES))
    opinion = always()
    handler = when_set()
    drafted_at = when_set(Time)
    signed_by = when_set()
    signed_at = when_set(Time)
    delivered_at = when_set(Time)
    direct = fields.Boolean(metadata={"description": "直办: answered on the spot"})


class ReturnVisitSchema(Open):
    at = always(Time)
    by = always()
    method = always()
    satisfaction = always()
    note = nullable()
    counts = always(fields.Boolean, metadata={"description": "false once an appeal is upheld"})


class StaffTimelineEntrySchema(Open):
    at = always(Time)
    actor = always()
    role = always()
    action = always()
    note = nullable()
    public = always(fields.Boolean)
    public_note = nullable()


class StaffCaseSchema(Open):
    """The full case within the caller's scope (`GET /cases/{id}` with a token, and every
    action's answer), with what this user may do to it now."""

    id = always(metadata={"example": "LX-20261124-000123"})
    version = always(fields.Integer)
    status = always(validate=validate.OneOf(STATES))
    channel = always()
    kind = always()
    topic = always()
    title = always()
    content = always()
    location = always(fields.Nested, LocationViewSchema)
    citizen = always(fields.Nested, CitizenViewSchema)
    public_consent = always(fields.Boolean)
    people_involved = always(fields.Integer)
    urgency = always()
    language = always()
    complexity = always()
    flags = always(Ids)
    received_at = always(Time)
    received_by = nullable(metadata={"description": "the registering clerk's unit"})
    assignment = always(fields.Nested, AssignmentSchema)
    reply = nullable(fields.Nested, ReplyViewSchema)
    return_visit = nullable(fields.Nested, ReturnVisitSchema)
    primary_id = nullable(metadata={"description": "the case this one is merged into"})
    duplicates = always(Ids)
    timeline = always(fields.List, fields.Nested(StaffTimelineEntrySchema))
    overdue = always(fields.Boolean)
    warning = always(validate=validate.OneOf(WARNINGS))
    allowed_actions = always(
        Ids, metadata={"description": "the action endpoints this user may post to now"}
    )
    # Fields that appear as the case is handled.
    updated_at = fields.DateTime()
    answered_at = fields.DateTime()
    closed_at = fields.DateTime()
    citizen_keys = Ids()
    assignment_count = fields.Integer()
    routing = fields.Dict(metadata={"description": "how routing placed the case"})
    duplicate = when_set(fields.Dict, metadata={"description": "the merge: primary, score"})
    not_accepted = fields.Dict()
    return_request = fields.Dict()
    returns_count = fields.Integer()
    extension = fields.Dict()
    extensions = fields.Integer()
    co_inputs = fields.Dict(keys=fields.String(), values=fields.Dict())
    progress = fields.List(fields.Dict())
    rejections = fields.List(fields.Dict())
    rejections_count = fields.Integer()
    visits = fields.List(fields.Nested(ReturnVisitSchema))
    previous_replies = fields.List(fields.Dict())
    reopen_count = fields.Integer()
    final_dissatisfied = fields.Boolean()
    raised_to = when_set()
    instructions = fields.List(fields.Dict())
    appeal = fields.Dict()
    attachments = fields.List(
        fields.Nested(AttachmentSchema), metadata={"description": "once a file is attached"}
    )


class CaseSummarySchema(Schema):
    """A row of the staff case list."""

    id = always()
    status = always(validate=validate.OneOf(STATES))
    kind = always()
    topic = always()
    channel = always()
    title = always()
    town = nullable()
    received_at = always(Time)
    lead_unit = nullable()
    co_units = always(Ids)
    due_at = nullable(Time)
    overdue = always(fields.Boolean)
    warning = always(validate=validate.OneOf(WARNINGS))
    flags = always(Ids)


class CaseListSchema(Schema):
    items = always(fields.List, fields.Nested(CaseSummarySchema))
    next_cursor = nullable(metadata={"description": "the next page's cursor; null at the end"})


class CitizenHistorySchema(Schema):
    key = always()
    count = always(fields.Integer)
    items = always(fields.List, fields.Nested(StaffCaseSchema))


class SavedFilterViewSchema(Schema):
    name = always()
    query = always()
    updated_at = always(Time)


class SavedFilterListSchema(Schema):
    items = always(fields.List, fields.Nested(SavedFilterViewSchema))


class DirectoryUnitSchema(Schema):
    id = always()
    name = always()
    kind = nullable()
    parent = nullable()


class UnitDirectorySchema(Schema):
    """The county's units for every staff member: codes and names, no contacts."""

    items = always(fields.List, fields.Nested(DirectoryUnitSchema))


# --- notifications and integration ------------------------------------------------------------


class EventSchema(Schema):
    """The envelope of every event (docs/contract.md §9)."""

    event_id = always()
    type = always()
    occurred_at = always(Time)
    case_id = nullable()
    units = always(Ids)
    actor = always()
    data = always(fields.Dict)
    schema = always(fields.Integer)


class EventPageSchema(Schema):
    items = always(fields.List, fields.Nested(EventSchema))
    next_cursor = always(metadata={"description": "`after` for the next page"})


class InboxMessageSchema(Schema):
    id = always()
    title = always()
    body = always()
    case_id = nullable()
    template = nullable()
    created_at = always(Time)
    read = always(fields.Boolean)


class InboxPageSchema(Schema):
    unread = always(fields.Integer)
    items = always(fields.List, fields.Nested(InboxMessageSchema))


class MessageReadSchema(Schema):
    id = always()
    read = always(fields.Boolean)


class DeliverySchema(Schema):
    id = nullable(metadata={"description": "null where a report's citizen is withheld"})
    channel = always()
    recipient = always()
    recipient_kind = nullable()
    template = nullable()
    event_id = nullable()
    event_type = nullable()
    case_id = nullable()
    status = always()
    attempts = always(fields.Integer)
    last_error = nullable()
    created_at = always(Time)
    sent_at = nullable(Time)
    next_attempt_at = nullable(Time)
    replays = always(fields.Integer)


class DeliveryListSchema(Schema):
    items = always(fields.List, fields.Nested(DeliverySchema))


class WebhookDeliverySchema(DeliverySchema):
    subscription = nullable()
    history = always(fields.List, fields.Dict())


class WebhookDeliveryListSchema(Schema):
    items = always(fields.List, fields.Nested(WebhookDeliverySchema))


# --- reports ----------------------------------------------------------------------------------


class RateSchema(Schema):
    """An exact fraction; `value` is null when the denominator is 0."""

    numerator = always(fields.Integer)
    denominator = always(fields.Integer)
    value = nullable(fields.Float)


class HandlingHoursSchema(Schema):
    value = nullable(fields.Float)
    total_hours = always(fields.Float)
    cases = always(fields.Integer)


class FiguresSchema(Schema):
    """The docs/contract.md §7 figures of a set of cases (services/reading/stats.py)."""

    total = always(fields.Integer)
    closed = always(fields.Integer)
    completed = always(fields.Integer)
    completion_rate = always(fields.Nested, RateSchema)
    on_time_rate = always(fields.Nested, RateSchema)
    satisfaction_rate = always(fields.Nested, RateSchema)
    average_handling_hours = always(fields.Nested, HandlingHoursSchema)
    overdue_open = always(fields.Integer)
    returned = always(fields.Integer)
    extensions = always(fields.Integer)
    reopened = always(fields.Integer)


class GroupFiguresSchema(FiguresSchema):
    key = always(
        metadata={
            "description": "the group; (none) for cases without one; with group_by=week the "
            "week's Monday (local date)"
        }
    )
    name = always()
    from_ = Time(data_key="from", metadata={"description": "group_by=week: the week's start"})
    to = Time(metadata={"description": "group_by=week: the week's end (both cut to the period)"})


class TownFiguresSchema(FiguresSchema):
    key = always()


class StatsSchema(Schema):
    from_ = always(Time, data_key="from")
    to = always(Time)
    group_by = always()
    generated_at = always(Time)
    totals = always(fields.Nested, FiguresSchema)
    groups = always(fields.List, fields.Nested(GroupFiguresSchema))


class DeductionSchema(Schema):
    count = always(fields.Integer)
    points = always(fields.Float)
    cases = always(Ids)


class AssessedUnitSchema(Schema):
    unit = always()
    name = always()
    kind = nullable()
    cases = always(fields.Integer)
    score = always(fields.Float)
    flagged = always(fields.Boolean)
    rank = always(fields.Integer)
    deductions = always(fields.Dict, keys=fields.String(), values=fields.Nested(DeductionSchema))
    figures = fields.Nested(FiguresSchema, metadata={"description": "in the bulletin"})


class AssessmentSchema(Schema):
    from_ = always(Time, data_key="from")
    to = always(Time)
    generated_at = always(Time)
    deductions = always(fields.Dict, keys=fields.String(), values=fields.Float())
    flag_below = always(fields.Float)
    units = always(fields.List, fields.Nested(AssessedUnitSchema))


class AppealRatingSchema(Schema):
    satisfaction = nullable(metadata={"description": "the rating appealed (dissatisfied)"})
    method = nullable()
    at = nullable(Time)
    counts = always(fields.Boolean, metadata={"description": "false once the appeal is upheld"})


class AppealFiledSchema(Schema):
    reason = always()
    by = nullable(metadata={"description": "the unit leader's username"})
    by_name = nullable()
    at = nullable(Time)


class AppealDecisionSchema(Schema):
    upheld = always(fields.Boolean)
    comment = nullable()
    by = nullable(metadata={"description": "the supervisor's username"})
    by_name = nullable()
    at = nullable(Time)


class AppealSchema(Schema):
    """An appealed case (services/reading/appeals.py)."""

    id = always()
    title = always()
    status = always(validate=validate.OneOf(STATES))
    received_at = always(Time)
    unit = nullable()
    unit_name = nullable()
    rating = always(fields.Nested, AppealRatingSchema)
    state = always(validate=validate.OneOf(("pending", "upheld", "rejected")))
    appeal = always(fields.Nested, AppealFiledSchema)
    decision = nullable(
        fields.Nested, AppealDecisionSchema, metadata={"description": "null while pending"}
    )


class AppealCountsSchema(Schema):
    pending = always(fields.Integer)
    upheld = always(fields.Integer)
    rejected = always(fields.Integer)


class AppealListSchema(Schema):
    from_ = always(Time, data_key="from")
    to = always(Time)
    counts = always(fields.Nested, AppealCountsSchema)
    truncated = always(fields.Boolean, metadata={"description": "more than the 500 shown"})
    items = always(fields.List, fields.Nested(AppealSchema))


class BestCaseSchema(Schema):
    id = always()
    title = always()
    unit = always()
    unit_name = always()
    handling_hours = always(fields.Float)


# --- supervised matters in the reports (lianxin/matter_stats.py) ---------------------------


class MatterUnitFiguresSchema(Schema):
    """A lead unit's supervised matters and their milestones due in the period
    (`lianxin.matter_stats`; also `GET /matters/stats`). The totals have no unit."""

    unit = fields.String()
    name = fields.String()
    matters = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    at_risk = fields.Integer()
    milestones_due = fields.Integer()
    on_time = fields.Integer()
    late = fields.Integer()
    missed = fields.Integer()
    pending = fields.Integer()
    on_time_rate = fields.Nested(RateSchema)


class MatterBriefSchema(Schema):
    id = always()
    title = always()
    unit = nullable(metadata={"description": "the lead unit"})
    unit_name = nullable()
    confirmed_at = fields.DateTime(metadata={"description": "the confirmed ones"})


class MatterBulletinSchema(Schema):
    """The quarterly bulletin's section on supervised matters (`matter_stats.bulletin_section`)."""

    totals = always(fields.Nested, MatterUnitFiguresSchema)
    units = always(fields.List, fields.Nested(MatterUnitFiguresSchema))
    confirmed = always(
        fields.List, fields.Nested(MatterBriefSchema), metadata={"description": "this quarter"}
    )
    at_risk = always(fields.List, fields.Nested(MatterBriefSchema), metadata={"description": "now"})


class BulletinSchema(Schema):
    """季度通报 (the JSON form; `format=csv|pdf` answer a file)."""

    quarter = always()
    from_ = always(Time, data_key="from")
    to = always(Time)
    generated_at = always(Time)
    totals = always(fields.Nested, FiguresSchema)
    ranking = always(fields.List, fields.Nested(AssessedUnitSchema))
    by_topic = always(fields.List, fields.Nested(GroupFiguresSchema))
    by_town = always(fields.List, fields.Nested(TownFiguresSchema))
    best_cases = always(fields.List, fields.Nested(BestCaseSchema))
    lowest_township = nullable(fields.Nested, AssessedUnitSchema)
    lowest_departments = always(fields.List, fields.Nested(AssessedUnitSchema))
    supervised_matters = always(fields.Nested, MatterBulletinSchema)


class TopicCountSchema(Schema):
    topic = always()
    name = always()
    count = always(fields.Integer)
    previous = always(fields.Integer)


class HotTopicSchema(Schema):
    topic = always()
    name = always()
    count = always(fields.Integer)


class RisingTopicSchema(Schema):
    topic = always()
    name = always()
    increase = always(fields.Integer)


class NotableCaseSchema(Schema):
    id = always()
    title = always()
    status = always(validate=validate.OneOf(STATES))
    unit = nullable()


class NotableSchema(Schema):
    collective = always(fields.List, fields.Nested(NotableCaseSchema))
    leader_led = always(fields.List, fields.Nested(NotableCaseSchema))
    overdue = always(fields.List, fields.Nested(NotableCaseSchema))
    repeat_petitioners = always(fields.List, fields.Nested(NotableCaseSchema))


class PortfolioSchema(Schema):
    leader = always()
    name = nullable()
    portfolio = always(Ids)
    total = always(fields.Integer)
    previous_total = always(fields.Integer)
    by_topic = always(fields.List, fields.Nested(TopicCountSchema))
    hot_topics = always(fields.List, fields.Nested(HotTopicSchema))
    rising_topics = always(fields.List, fields.Nested(RisingTopicSchema))
    notable = always(fields.Nested, NotableSchema)


class DigestSchema(Schema):
    """十日汇总 by leader portfolio (the JSON form; `format=pdf` answers a file)."""

    from_ = always(Time, data_key="from")
    to = always(Time)
    previous_from = always(Time)
    generated_at = always(Time)
    total = always(fields.Integer)
    leaders = always(fields.List, fields.Nested(PortfolioSchema))


class AlertCaseSchema(Schema):
    id = always()
    title = always()
    status = always(validate=validate.OneOf(STATES))
    received_at = always(Time)


class AlertSchema(Schema):
    id = always()
    kind = always()
    topic = always()
    town = nullable()
    count = always(fields.Integer)
    status = always(validate=validate.OneOf(("open", "acknowledged")))
    title = always()
    summary = always()
    raised_at = always(Time)
    last_at = always(Time)
    acknowledged_by = nullable()
    acknowledged_at = nullable(Time)
    cases = always(fields.List, fields.Nested(AlertCaseSchema))


class AlertListSchema(Schema):
    items = always(fields.List, fields.Nested(AlertSchema))


# --- the public board -------------------------------------------------------------------------


class MaskedCitizenSchema(Schema):
    name = nullable()
    phone = nullable()


class BoardAnswerSchema(Schema):
    outcome = nullable()
    opinion = always()


class BoardCaseSchema(Schema):
    """A published case, masked (names, phones, ids and addresses in the text too)."""

    id = always()
    kind = always()
    topic = always()
    topic_name = always()
    title = always()
    content = always()
    status = always(validate=validate.OneOf(STATES))
    town = nullable()
    citizen = always(fields.Nested, MaskedCitizenSchema)
    unit = nullable()
    answer = always(fields.Nested, BoardAnswerSchema)
    satisfaction = nullable()
    received_at = always(Time)
    answered_at = nullable(Time)
    closed_at = nullable(Time)


class BoardPageSchema(Schema):
    total = always(fields.Integer)
    page = always(fields.Integer)
    limit = always(fields.Integer)
    items = always(fields.List, fields.Nested(BoardCaseSchema))


class PublicUnitFiguresSchema(Schema):
    unit = always()
    name = always()
    total = always(fields.Integer)
    completion_rate = always(fields.Nested, RateSchema)
    on_time_rate = always(fields.Nested, RateSchema)
    satisfaction_rate = always(fields.Nested, RateSchema)


class PublicStatsSchema(Schema):
    quarter = always()
    from_ = always(Time, data_key="from")
    to = always(Time)
    units = always(fields.List, fields.Nested(PublicUnitFiguresSchema))
