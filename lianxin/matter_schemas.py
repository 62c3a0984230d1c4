"""Bodies and queries of the matters endpoints (docs/contract.md §14), validated by the gateway
(and the new matter again by the matters service, which reads its dates) and documented in
OpenAPI. The rules that need the matter itself (a milestone within its time, a percent that
goes back) are the domain's: services/matters/domain.py."""

from marshmallow import Schema, fields, validate

from .action_schemas import Strict

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
