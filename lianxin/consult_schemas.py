"""Bodies of asking the public (docs/contract.md §15): consultations and notices, comments,
moderation, decisions, surveys and their answers. Validated by the gateway (and documented in
OpenAPI), then again by the consult service before it stores anything."""

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from .response_schemas import RateSchema, always, nullable, when_set
from .schemas import KINDS, PHONE

Text = lambda n, **kw: fields.String(validate=validate.Length(min=1, max=n), **kw)  # noqa: E731


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ContactSchema(Strict):
    name = fields.String(validate=validate.Length(max=100))
    phone = fields.String(validate=validate.Regexp(PHONE, error="not a phone number"))
    email = fields.Email()

    @validates_schema
    def reachable(self, data, **kwargs):
        if not (data.get("phone") or data.get("email")):
            raise ValidationError("give a phone or an e-mail", "phone")


class ConsultationSchema(Strict):
    kind = fields.String(
        load_default="consultation", validate=validate.OneOf(("consultation", "notice"))
    )
    title = Text(200, required=True)
    text = Text(
        200_000,
        required=True,
        metadata={
            "description": "Markdown or plain text; headings and articles (第一条, 1.) "
            "become sections"
        },
    )
    unit = Text(64, required=True, metadata={"description": "the responsible unit"})
    opens_at = fields.AwareDateTime(required=True)
    closes_at = fields.AwareDateTime(required=True)
    allow_anonymous = fields.Boolean(load_default=True)
    moderation = fields.String(
        load_default="post",
        validate=validate.OneOf(("post", "pre")),
        metadata={"description": "post: shown at once; pre: held until a moderator shows it"},
    )
    object_to = fields.String(
        validate=validate.Length(max=2000),
        metadata={"description": "a notice: where and how to object (公示异议受理)"},
    )


class CommentSchema(Strict):
    text = Text(5000, required=True)
    section = fields.String(
        allow_none=True,
        validate=validate.Length(max=16),
        metadata={"description": "a section id; none: the whole draft"},
    )
    anonymous = fields.Boolean(load_default=False)
    contact = fields.Nested(ContactSchema)

    @validates_schema
    def contact_unless_anonymous(self, data, **kwargs):
        if not data.get("anonymous") and not data.get("contact"):
            raise ValidationError("give a contact, or comment anonymously", "contact")
        if not data.get("text", "x").strip():
            raise ValidationError("must not be blank", "text")


class ReportSchema(Strict):
    reason = fields.String(
        required=True, validate=validate.OneOf(("spam", "offensive", "off_topic"))
    )


class ModerationSchema(Strict):
    ids = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=500))
    status = fields.String(required=True, validate=validate.OneOf(("shown", "held", "hidden")))
    reason = fields.String(validate=validate.Length(max=2000), load_default=None)


class CommentDecisionSchema(Strict):
    decision = fields.String(
        required=True,
        validate=validate.OneOf(("adopted", "partly_adopted", "not_adopted", "noted")),
    )
    reason = fields.String(validate=validate.Length(max=5000), load_default=None)


class CommentToCaseSchema(Strict):
    kind = fields.String(load_default="suggestion", validate=validate.OneOf(KINDS))
    topic = fields.String(load_default="other", validate=validate.Length(min=1, max=64))
    title = fields.String(validate=validate.Length(min=1, max=200))


class SummaryTextSchema(Strict):
    text = Text(20_000, required=True)


class QuestionSchema(Strict):
    id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$"))
    kind = fields.String(
        required=True,
        validate=validate.OneOf(
            ("single", "multiple", "scale", "short_text", "long_text", "matrix")
        ),
    )
    text = Text(1000, required=True)
    required = fields.Boolean(load_default=False)
    options = fields.List(Text(200), validate=validate.Length(max=50))
    rows = fields.List(
        Text(200),
        validate=validate.Length(max=50),
        metadata={"description": "a matrix's rows (its columns are the options)"},
    )
    scale = fields.String(validate=validate.OneOf(("1-5", "0-10")))


class SurveySchema(Strict):
    title = Text(200, required=True)
    intro = fields.String(validate=validate.Length(max=5000), load_default="")
    purpose = fields.String(
        load_default="opinion", validate=validate.OneOf(("opinion", "satisfaction"))
    )
    unit = fields.String(validate=validate.Length(max=64), allow_none=True)
    questions = fields.List(
        fields.Nested(QuestionSchema), required=True, validate=validate.Length(min=1, max=100)
    )
    opens_at = fields.AwareDateTime(required=True)
    closes_at = fields.AwareDateTime(required=True)
    identity = fields.String(
        load_default="anonymous", validate=validate.OneOf(("anonymous", "contact"))
    )
    once_per = fields.String(
        allow_none=True, load_default=None, validate=validate.OneOf(("contact", "token"))
    )


class SurveyAnswerSchema(Strict):
    answers = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={
            "description": "question id → option number, option numbers, scale value, "
            "text, or a matrix's list (one option number per row)"
        },
    )
    contact = fields.Nested(ContactSchema)
    token = fields.String(validate=validate.Length(max=100))
    case_id = fields.String(validate=validate.Length(max=40))
    code = fields.String(validate=validate.Length(max=40))


class TokensSchema(Strict):
    count = fields.Integer(required=True, validate=validate.Range(min=1, max=1000))


class SampleSchema(Strict):
    from_ = fields.AwareDateTime(data_key="from", required=True)
    to = fields.AwareDateTime(required=True)
    size = fields.Integer(required=True, validate=validate.Range(min=1, max=500))
    seed = fields.Integer(load_default=None, allow_none=True)


class CommentReceiptSchema(Schema):
    id = fields.String(required=True)
    status = fields.String(
        required=True, metadata={"description": "shown, or held for a moderator"}
    )


class AnswerReceiptSchema(Schema):
    id = fields.String(required=True)
    survey_id = fields.String(required=True)


# --- what the consult service answers (services/consult/*), exactly ------------------------

Time = fields.DateTime  # RFC 3339 UTC (lianxin.clock.isoformat)
DECISIONS = ("adopted", "partly_adopted", "not_adopted", "noted")
COMMENT_STATUSES = ("shown", "held", "hidden")
PHASES = ("draft", "scheduled", "open", "closed")


class SectionSchema(Schema):
    id = always()
    label = nullable(metadata={"description": "第一条, 1. …; none for a heading"})
    heading = always()
    text = always()


class CommentAuthorSchema(Schema):
    name = nullable(metadata={"description": "masked: 张**"})
    phone = nullable(metadata={"description": "masked: 139****1111"})


class PublicDecisionSchema(Schema):
    decision = always(validate=validate.OneOf(DECISIONS))
    reason = nullable()


class PublicCommentSchema(Schema):
    """A shown comment as anyone sees it: masked, never the e-mail."""

    id = always()
    section = nullable()
    kind = always(validate=validate.OneOf(("comment", "objection")))
    text = always(metadata={"description": "masked like the public board"})
    author = nullable(fields.Nested, CommentAuthorSchema, metadata={"description": "anonymous"})
    received_at = always(Time)
    decision = nullable(fields.Nested, PublicDecisionSchema)


class ConsultationViewSchema(Schema):
    id = always()
    kind = always(validate=validate.OneOf(("consultation", "notice")))
    title = always()
    text = always()
    sections = always(fields.List, fields.Nested(SectionSchema))
    unit = always()
    opens_at = always(Time)
    closes_at = always(Time)
    allow_anonymous = always(fields.Boolean)
    moderation = always(validate=validate.OneOf(("post", "pre")))
    object_to = nullable()
    status = always(validate=validate.OneOf(("draft", "published")))
    phase = always(validate=validate.OneOf(PHASES))
    summary_status = nullable(metadata={"description": "draft or published; none yet"})
    comments = fields.List(
        fields.Nested(PublicCommentSchema),
        metadata={"description": "the public view only: the shown comments, masked"},
    )


class ConsultationListSchema(Schema):
    """Staff: every consultation and notice; the public: the published ones. Newest first."""

    items = always(fields.List, fields.Nested(ConsultationViewSchema))


class CommentReportedSchema(Schema):
    id = always()
    reported = always(fields.Boolean)


class ModerationEntrySchema(Schema):
    status = always(validate=validate.OneOf(COMMENT_STATUSES))
    reason = nullable()
    by = always()
    at = always(Time)


class DecisionEntrySchema(Schema):
    decision = always(validate=validate.OneOf(DECISIONS))
    reason = nullable()
    by = always()
    at = always(Time)


class StaffCommentSchema(Schema):
    """A comment as the office sees it: the contact, the reports, moderation and decision."""

    id = always()
    consultation_id = always()
    kind = always(validate=validate.OneOf(("comment", "objection")))
    section = nullable()
    text = always()
    contact = nullable(fields.Dict, metadata={"description": "name, phone, email as given"})
    anonymous = nullable(fields.Boolean)
    status = always(validate=validate.OneOf(COMMENT_STATUSES))
    moderation = nullable(fields.Nested, ModerationEntrySchema)
    reports = always(fields.Integer)
    report_reasons = always(fields.List, fields.String())
    decision = nullable(fields.Nested, DecisionEntrySchema)
    case_id = nullable(metadata={"description": "the case the comment became"})
    received_at = always(Time)


class CommentListSchema(Schema):
    items = always(fields.List, fields.Nested(StaffCommentSchema))
    total = always(fields.Integer)


class ModerationFailureSchema(Schema):
    id = always()
    error = always()


class ModerationResultSchema(Schema):
    done = always(fields.List, fields.String())
    failed = always(fields.List, fields.Nested(ModerationFailureSchema))


class ModerationLogEntrySchema(Schema):
    consultation_id = always()
    comment_id = always()
    action = always(validate=validate.OneOf(COMMENT_STATUSES))
    reason = nullable()
    by = always()
    at = always(Time)


class ModerationLogSchema(Schema):
    items = always(fields.List, fields.Nested(ModerationLogEntrySchema))


class SummaryViewSchema(Schema):
    consultation_id = always()
    title = always()
    kind = always(validate=validate.OneOf(("consultation", "notice")))
    unit = always()
    opens_at = always(Time)
    closes_at = always(Time)
    status = always(metadata={"description": "draft or published"})
    text = always()
    totals = always(fields.Dict, metadata={"description": "total, per decision, undecided"})
    by_section = always(fields.List, fields.Dict())
    quoted = always(fields.List, fields.Dict())
    generated_at = nullable(Time)
    published_at = nullable(Time)
    approved_by = nullable(metadata={"description": "staff only"})


class SampleViewSchema(Schema):
    from_ = always(Time, data_key="from")
    to = always(Time)
    size = always(fields.Integer)
    population = always(fields.Integer, metadata={"description": "closed cases with a contact"})
    case_ids = always(fields.List, fields.String())


class SurveyViewSchema(Schema):
    id = always()
    title = always()
    intro = always()
    purpose = always(validate=validate.OneOf(("opinion", "satisfaction")))
    unit = nullable()
    questions = always(fields.List, fields.Dict(), metadata={"description": "as defined"})
    opens_at = always(Time)
    closes_at = always(Time)
    identity = nullable()
    once_per = nullable(metadata={"description": "contact, token or case"})
    status = always(validate=validate.OneOf(("draft", "published")))
    phase = always(validate=validate.OneOf(PHASES))
    results_published = always(fields.Boolean)
    sample = when_set(fields.Nested, SampleViewSchema, metadata={"description": "staff, once sent"})


class SurveyListSchema(Schema):
    items = always(fields.List, fields.Nested(SurveyViewSchema))


class IssuedTokensSchema(Schema):
    tokens = always(fields.List, fields.String(), metadata={"description": "shown once"})


class ReturnVisitFiguresSchema(Schema):
    cases = always(fields.Integer)
    counts = always(fields.Dict, keys=fields.String(), values=fields.Integer())
    satisfaction_rate = always(fields.Nested, RateSchema)


class SurveyResultsSchema(Schema):
    survey = always(fields.Nested, SurveyViewSchema)
    responses = always(fields.Integer)
    questions = always(fields.List, fields.Dict(), metadata={"description": "per question"})
    return_visits = fields.Nested(
        ReturnVisitFiguresSchema,
        metadata={"description": "satisfaction surveys: the period's return-visit ratings"},
    )
