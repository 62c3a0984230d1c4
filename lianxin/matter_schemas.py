"""Bodies and queries of the matters endpoints (docs/contract.md §14), validated by the gateway
(and the new matter again by the matters service, which reads its dates) and documented in
OpenAPI. The rules that need the matter itself (a milestone within its time, a percent that
goes back) are the domain's: services/matters/domain.py."""

from marshmallow import Schema, fields, validate

from .action_schemas import Strict
from .response_schemas import MatterUnitFiguresSchema, Open, always

KINDS = ("instruction", "project", "cluster")
STATUSES = ("draft", "published", "in_progress", "at_risk", "done", "confirmed")
Id = lambda **kw: fields.String(validate=validate.Length(min=1, max=64), **kw)  # noqa: E731
Text = lambda n=5000, **kw: fields.String(validate=validate.Length(min=1, max=n), **kw)  # noqa: E731
FileIds = lambda **kw: fields.List(  # noqa: E731
    fields.String(validate=validate.Length(min=1, max=200)),
    validate=validate.Length(max=20),
    metadata={"description": "ids of attached files (opaque)"},
    **kw,
)


class MilestoneSchema(Strict):
    title = Text(200, required=True)
    due_at = fields.AwareDateTime(required=True)


class MatterSourceSchema(Strict):
    leader = Id(metadata={"description": "the leader whose instruction (批示) this is"})
    case_id = Id(metadata={"description": "the case the instruction was given on"})
    alert_id = Id(metadata={"description": "the early-warning alert it came from"})
    year = fields.Integer(
        validate=validate.Range(min=2000, max=2100),
        metadata={"description": "the project list (我为群众办实事) of this year"},
    )
    case_ids = fields.List(Id(), validate=validate.Length(max=200))


class MatterCreateSchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    title = Text(200, required=True)
    description = fields.String(validate=validate.Length(max=5000))
    topic = Id()
    town = Id()
    beneficiaries = fields.String(validate=validate.Length(max=500))
    source = fields.Nested(MatterSourceSchema, load_default=dict)
    lead_unit = Id(allow_none=True)
    co_units = fields.List(Id(), load_default=list, validate=validate.Length(max=20))
    leader = Id(allow_none=True, metadata={"description": "the leader who leads it (领衔)"})
    claimable = fields.Boolean(
        load_default=False, metadata={"description": "put up for units to claim (认领)"}
    )
    public = fields.Boolean(metadata={"description": "on the public board (default: projects)"})
    starts_at = fields.AwareDateTime(metadata={"description": "default: now"})
    ends_at = fields.AwareDateTime(required=True)
    milestones = fields.List(
        fields.Nested(MilestoneSchema), required=True, validate=validate.Length(min=1, max=50)
    )
    report_every_days = fields.Integer(
        load_default=14,
        validate=validate.Range(min=1, max=90),
        metadata={"description": "a progress report is due this often"},
    )


class MatterProgressSchema(Strict):
    text = Text(required=True)
    percent = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    reason = fields.String(
        validate=validate.Length(max=2000),
        metadata={"description": "required when the percent goes back"},
    )
    evidence = FileIds(load_default=list)
    milestones_done = fields.List(Id(), load_default=list)


class MatterDoneSchema(Strict):
    text = Text(required=True)
    evidence = FileIds(required=True)


class MatterConfirmSchema(Strict):
    comment = fields.String(validate=validate.Length(max=2000))


class MatterSendBackSchema(Strict):
    reason = Text(2000, required=True)


class MatterClaimSchema(Strict):
    pass


class MatterQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    kind = fields.String(validate=validate.OneOf(KINDS))
    unit = Id()
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    claimable = fields.Boolean()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class ProjectBoardQuerySchema(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    unit = Id()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class SeenDoneSchema(Strict):
    contact = fields.String(
        required=True,
        validate=validate.Length(min=5, max=100),
        metadata={"description": "the citizen's phone or e-mail: one answer per contact"},
    )
    done = fields.Boolean(load_default=True, metadata={"description": "do you see it done?"})


# --- answers (documented in OpenAPI) ------------------------------------------------------


class MilestoneViewSchema(Schema):
    id = fields.String()
    title = fields.String()
    due_at = fields.String()
    done_at = fields.String(allow_none=True)
    on_time = fields.Boolean(allow_none=True)


class ProgressReportSchema(Schema):
    n = fields.Integer()
    at = fields.String()
    by = fields.String()
    unit = fields.String()
    text = fields.String()
    percent = fields.Integer()
    reason = fields.String(allow_none=True)
    evidence = fields.List(fields.String())
    milestones_done = fields.List(fields.String())


class MatterSourceViewSchema(Schema):
    leader = fields.String(allow_none=True)
    case_id = fields.String(allow_none=True)
    alert_id = fields.String(allow_none=True)
    year = fields.Integer(allow_none=True)
    case_ids = fields.List(fields.String())


class MatterSchema(Open):
    """The full matter (`staff_view`): like the case document it may carry fields not listed,
    as a matter grows them while it is handled."""

    id = fields.String()
    kind = fields.String(metadata={"enum": list(KINDS)})
    title = fields.String()
    description = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    source = fields.Nested(MatterSourceViewSchema)
    lead_unit = fields.String(allow_none=True)
    co_units = fields.List(fields.String())
    leader = fields.String(allow_none=True)
    claimable = fields.Boolean()
    public = fields.Boolean()
    topic = fields.String(allow_none=True)
    town = fields.String(allow_none=True)
    beneficiaries = fields.String(allow_none=True)
    closed_at = fields.String(allow_none=True)
    starts_at = fields.String()
    ends_at = fields.String()
    milestones = fields.List(fields.Nested(MilestoneViewSchema))
    percent = fields.Integer()
    progress = fields.List(fields.Nested(ProgressReportSchema))
    last_report_at = fields.String(allow_none=True)
    report_every_days = fields.Integer()
    done = fields.Dict(allow_none=True, metadata={"description": "the done report (事结销号)"})
    confirmed = fields.Dict(allow_none=True)
    sent_back = fields.List(fields.Dict())
    warning = fields.String(allow_none=True, metadata={"enum": ["yellow", "red", None]})
    allowed_actions = fields.List(
        fields.String(), metadata={"description": "POST /matters/{id}/<action> this user may do"}
    )
    timeline = fields.List(fields.Dict())
    claims = fields.List(fields.Dict(), metadata={"description": "units that claimed it"})
    created_at = fields.String()
    created_by = fields.String()
    updated_at = fields.String()
    published_at = fields.String(allow_none=True)
    revision = fields.Integer()


class MatterListItemSchema(Schema):
    id = fields.String()
    kind = fields.String()
    title = fields.String()
    status = fields.String()
    lead_unit = fields.String(allow_none=True)
    co_units = fields.List(fields.String())
    leader = fields.String(allow_none=True)
    claimable = fields.Boolean()
    percent = fields.Integer()
    ends_at = fields.String()
    next_milestone = fields.Nested(MilestoneViewSchema, allow_none=True)
    last_report_at = fields.String(allow_none=True)
    warning = fields.String(allow_none=True)
    year = fields.Integer(allow_none=True)


class MatterListSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    limit = fields.Integer()
    items = fields.List(fields.Nested(MatterListItemSchema))


class MatterStatsSchema(Schema):
    from_ = fields.String(data_key="from")
    to = fields.String()
    totals = fields.Nested(MatterUnitFiguresSchema)
    units = fields.List(fields.Nested(MatterUnitFiguresSchema))


class PublicMilestoneSchema(Schema):
    title = fields.String()
    due_at = fields.String()
    done_at = fields.String(allow_none=True)


class PublicReportSchema(Schema):
    at = fields.String()
    text = fields.String()
    percent = fields.Integer()


class PublicCaseBriefSchema(Schema):
    id = fields.String()
    title = fields.String()
    status = fields.String()
    received_at = fields.String()


class RelatedCasesSchema(Schema):
    count = fields.Integer(metadata={"description": "all of them"})
    published = fields.List(
        fields.Nested(PublicCaseBriefSchema),
        metadata={"description": "those on the public board (published with consent), masked"},
    )


class PublicProjectSchema(Schema):
    id = fields.String()
    title = fields.String()
    description = fields.String()
    year = fields.Integer(allow_none=True)
    beneficiaries = fields.String(allow_none=True)
    status = fields.String()
    lead_unit = fields.String(allow_none=True, metadata={"description": "the unit's name"})
    co_units = fields.List(fields.String())
    leader = fields.String(allow_none=True, metadata={"description": "the leading leader's name"})
    percent = fields.Integer()
    starts_at = fields.String()
    ends_at = fields.String()
    milestones = fields.List(fields.Nested(PublicMilestoneSchema))
    latest_report = fields.Nested(PublicReportSchema, allow_none=True)
    confirmed_at = fields.String(allow_none=True)
    seen_done = fields.Integer()
    not_seen_done = fields.Integer()
    cases_before = fields.Nested(RelatedCasesSchema, metadata={"description": "the project page"})
    cases_after = fields.Nested(RelatedCasesSchema, metadata={"description": "the project page"})


class SeenDoneCountsSchema(Schema):
    """The citizens' answers on a project so far (`POST /public/projects/{id}/seen-done`)."""

    seen_done = always(fields.Integer)
    not_seen_done = always(fields.Integer)


class ProjectBoardSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    limit = fields.Integer()
    items = fields.List(fields.Nested(PublicProjectSchema))
