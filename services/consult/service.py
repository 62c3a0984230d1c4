"""The consult service: asking the public — consultations on a draft and notices with their
comments, moderation, decisions and summary; opinion and satisfaction surveys (nameko
entrypoints only)."""

from nameko.rpc import rpc

from lianxin import consult_schemas as cs
from lianxin.rpc import RpcPoolProvider
from lianxin.schemas import load_or_raise
from lianxin.service import LianxinService

from . import handlers, summary, survey_handlers


class ConsultService(LianxinService):
    name = "consult"

    call = RpcPoolProvider()

    def periodic(self, now):
        self.sweeps.run_once(
            "consult-close",
            lambda: (
                handlers.note_closed(self.db, self.publisher, now),
                survey_handlers.note_closed(self.db, self.publisher, now),
            ),
        )

    # -- consultations and notices ---------------------------------------------------------

    @rpc
    def create_consultation(self, actor, body):
        body = load_or_raise(cs.ConsultationSchema(), body)
        return handlers.create(self.db, self.clock.now(), actor, body)

    @rpc
    def publish_consultation(self, actor, cid):
        return handlers.publish(self.db, self.publisher, self.clock.now(), actor, cid)

    @rpc
    def consultations(self, actor=None):
        return handlers.list_consultations(self.db, self.clock.now(), actor)

    @rpc
    def consultation(self, cid, actor=None):
        if actor is None:
            return handlers.public_consultation(self.db, self.clock.now(), cid)
        return handlers.staff_consultation(self.db, self.clock.now(), actor, cid)

    @rpc
    def comment(self, cid, body, request_key):
        body = load_or_raise(cs.CommentSchema(), body)
        return handlers.comment(self.db, self.publisher, self.clock.now(), cid, body, request_key)

    @rpc
    def report(self, cid, comment_id, reason, reporter):
        return handlers.report(
            self.db, self.publisher, self.clock.now(), cid, comment_id, reason, reporter
        )

    @rpc
    def comments(self, actor, cid, query):
        return handlers.list_comments(self.db, actor, cid, query)

    @rpc
    def moderate(self, actor, cid, body):
        body = load_or_raise(cs.ModerationSchema(), body)
        return handlers.moderate(
            self.db,
            self.publisher,
            self.clock.now(),
            actor,
            cid,
            body["ids"],
            body["status"],
            body["reason"],
        )

    @rpc
    def moderation_log(self, actor, cid):
        return handlers.moderation_log(self.db, actor, cid)

    @rpc
    def decide(self, actor, cid, comment_id, body):
        body = load_or_raise(cs.CommentDecisionSchema(), body)
        return handlers.decide(
            self.db,
            self.publisher,
            self.clock.now(),
            actor,
            cid,
            comment_id,
            body["decision"],
            body["reason"],
        )

    @rpc
    def comment_to_case(self, actor, cid, comment_id, body):
        body = load_or_raise(cs.CommentToCaseSchema(), body)

        def register(payload, request_key, actor):
            return self.call("intake", "register", payload, request_key, actor)

        return handlers.to_case(
            self.db, self.publisher, self.clock.now(), actor, cid, comment_id, body, register
        )

    @rpc
    def generate_summary(self, actor, cid):
        return summary.generate_summary(self.db, self.publisher, self.clock.now(), actor, cid)

    @rpc
    def edit_summary(self, actor, cid, body):
        body = load_or_raise(cs.SummaryTextSchema(), body)
        return summary.edit_summary(
            self.db, self.publisher, self.clock.now(), actor, cid, body["text"]
        )

    @rpc
    def approve_summary(self, actor, cid):
        return summary.approve_summary(self.db, self.publisher, self.clock.now(), actor, cid)

    @rpc
    def summary(self, cid, actor=None):
        return summary.get_summary(self.db, actor, cid)

    # -- surveys ---------------------------------------------------------------------------

    @rpc
    def create_survey(self, actor, body):
        body = load_or_raise(cs.SurveySchema(), body)
        return survey_handlers.create(self.db, self.clock.now(), actor, body)

    @rpc
    def publish_survey(self, actor, sid):
        return survey_handlers.publish(self.db, self.publisher, self.clock.now(), actor, sid)

    @rpc
    def surveys(self, actor=None):
        return survey_handlers.list_surveys(self.db, self.clock.now(), actor)

    @rpc
    def survey(self, sid, actor=None):
        return survey_handlers.get(self.db, self.clock.now(), sid, actor)

    @rpc
    def answer(self, sid, body, request_key, actor=None):
        body = load_or_raise(cs.SurveyAnswerSchema(), body)
        return survey_handlers.answer(self.db, self.clock.now(), sid, body, request_key, actor)

    @rpc
    def results(self, sid, actor=None):
        return survey_handlers.results(self.db, self.clock.now(), sid, actor)

    @rpc
    def export(self, actor, sid):
        return survey_handlers.export_rows(self.db, actor, sid)

    @rpc
    def publish_results(self, actor, sid):
        return survey_handlers.publish_results(
            self.db, self.publisher, self.clock.now(), actor, sid
        )

    @rpc
    def issue_tokens(self, actor, sid, count):
        return survey_handlers.issue_tokens(self.db, self.clock.now(), actor, sid, count)

    @rpc
    def sample(self, actor, sid, body):
        body = load_or_raise(cs.SampleSchema(), body)
        return survey_handlers.sample(
            self.db,
            self.publisher,
            self.clock.now(),
            actor,
            sid,
            body["from_"],
            body["to"],
            body["size"],
            body["seed"],
        )
