"""Bodies of the staff actions (docs/contract.md §10), validated by the gateway and documented in
OpenAPI."""

from marshmallow import RAISE, Schema, fields, validate

from .schemas import CHANNELS, COMPLEXITIES, URGENCIES, CaseSubmissionSchema
from .workflow import OUTCOMES

SATISFACTIONS = ("satisfied", "basically_satisfied", "dissatisfied")
VISIT_METHODS = ("phone", "visit", "sms", "online")
Text = lambda **kw: fields.String(validate=validate.Length(min=1, max=5000), **kw)  # noqa: E731


class Strict(Schema):
    class Meta:
        unknown = RAISE


class DirectAnswerSchema(Strict):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    opinion = Text(required=True)


class ReceptionOriginSchema(Strict):
    session_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    leader = fields.String(required=True, validate=validate.Length(min=1, max=64))
    leader_name = fields.String(validate=validate.Length(max=100))
    date = fields.String(validate=validate.Length(max=10))


class RegistrationSchema(CaseSubmissionSchema):
    """A clerk registers a case received by hotline, letter, visit, reception day, collector."""

    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    complexity = fields.String(load_default="general", validate=validate.OneOf(COMPLEXITIES))
    direct_answer = fields.Nested(
        DirectAnswerSchema,
        metadata={"description": "直办: the clerk answered a consultation on the spot"},
    )
    reception = fields.Nested(
        ReceptionOriginSchema,
        metadata={
            "description": "raised at a reception day: the session and the receiving "
            "leader, who stays on the case until it closes (首问负责)"
        },
    )


class AssignSchema(Strict):
    lead_unit = fields.String(required=True)
    co_units = fields.List(fields.String(), load_default=list)
    leader = fields.String(allow_none=True)
    complexity = fields.String(validate=validate.OneOf(COMPLEXITIES))
    urgency = fields.String(validate=validate.OneOf(URGENCIES))


class ReasonSchema(Strict):
    reason = Text(required=True)


class ReturnDecisionSchema(Strict):
    accept = fields.Boolean(required=True)
    comment = fields.String(validate=validate.Length(max=5000))
    lead_unit = fields.String(metadata={"description": "re-dispatch straight to this unit"})
    co_units = fields.List(fields.String(), load_default=list)


class OpinionSchema(Strict):
    opinion = Text(required=True)


class NoteSchema(Strict):
    note = Text(required=True)


class ExtensionSchema(Strict):
    days = fields.Integer(required=True, validate=validate.Range(min=1, max=60))
    reason = Text(required=True)


class DecisionSchema(Strict):
    approve = fields.Boolean(required=True)
    comment = fields.String(validate=validate.Length(max=5000))


class ReplySchema(Strict):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    opinion = Text(required=True)


class SignSchema(Strict):
    outcome = fields.String(validate=validate.OneOf(OUTCOMES))
    opinion = Text()
    override_reason = fields.String(
        validate=validate.Length(max=2000),
        metadata={"description": "sign although a co-unit's input is outstanding, and why"},
    )


class VisitSchema(Strict):
    method = fields.String(required=True, validate=validate.OneOf(VISIT_METHODS))
    satisfaction = fields.String(required=True, validate=validate.OneOf(SATISFACTIONS))
    note = fields.String(validate=validate.Length(max=5000))


class FeedbackSchema(Strict):
    satisfaction = fields.String(required=True, validate=validate.OneOf(SATISFACTIONS))
    note = fields.String(validate=validate.Length(max=5000))


class InstructionSchema(Strict):
    text = Text(required=True)


class MergeSchema(Strict):
    primary_id = fields.String(required=True)


class EmptySchema(Strict):
    pass


class AppealDecisionSchema(Strict):
    uphold = fields.Boolean(
        required=True,
        metadata={
            "description": "true: the appeal is upheld and the dissatisfied rating does not count"
        },
    )
    comment = fields.String(validate=validate.Length(max=5000))


class LoginSchema(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenSchema(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True)
    must_change_password = fields.Boolean(required=True)


class PasswordChangeSchema(Strict):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=200))
