"""Bodies of asking the public (docs/contract.md §15): consultations and notices, comments,
moderation, decisions, surveys and their answers. Validated by the gateway (and documented in
OpenAPI), then again by the consult service before it stores anything."""

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

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


class SectionSchema(Schema):
    id = fields.String()
    label = fields.String(allow_none=True)
    heading = fields.String()
    text = fields.String()


class ConsultationViewSchema(Schema):
    id = fields.String()
    kind = fields.String()
    title = fields.String()
    text = fields.String()
    sections = fields.List(fields.Nested(SectionSchema))
    unit = fields.String()
    opens_at = fields.String()
    closes_at = fields.String()
    status = fields.String()
    phase = fields.String(metadata={"description": "draft, scheduled, open, closed"})
    object_to = fields.String(allow_none=True)
    comments = fields.List(
        fields.Dict(), metadata={"description": "public view: shown comments, masked"}
    )


class SummaryViewSchema(Schema):
    consultation_id = fields.String()
    title = fields.String()
    status = fields.String(metadata={"description": "draft or published"})
    text = fields.String()
    totals = fields.Dict()
    by_section = fields.List(fields.Dict())
    quoted = fields.List(fields.Dict())


class SurveyViewSchema(Schema):
    id = fields.String()
    title = fields.String()
    purpose = fields.String()
    questions = fields.List(fields.Dict())
    opens_at = fields.String()
    closes_at = fields.String()
    status = fields.String()
    phase = fields.String()
    results_published = fields.Boolean()


class SurveyResultsSchema(Schema):
    survey = fields.Nested(SurveyViewSchema)
    responses = fields.Integer()
    questions = fields.List(fields.Dict())
    return_visits = fields.Dict(
        metadata={"description": "satisfaction surveys: the period's return-visit ratings"}
    )
