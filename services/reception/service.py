"""The reception service: reception days (接访, docs/contract.md §13) — the schedule and its
rules, publication and changes, the rota, bookings and the waiting list, the desk on the day,
closing a session (nameko entrypoints only)."""

from nameko.rpc import rpc

from lianxin import settings
from lianxin.rpc import RpcPoolProvider
from lianxin.service import LianxinService

from . import bookings, desk, sessions


class ReceptionService(LianxinService):
    name = "reception"

    call = RpcPoolProvider()

    # -- the public ------------------------------------------------------------------------

    def _similar(self, probe):
        """Intake's screening: the citizen's open case this booking is the same matter as."""
        return self.call("intake", "similar_open_case", probe)

    @rpc
    def public_schedule(self, query):
        return sessions.public_schedule(self.db, self.clock.now(), query)

    @rpc
    def public_session(self, session_id):
        return sessions.public_session(self.db, session_id)

    @rpc
    def book(self, session_id, body):
        return bookings.book(
            self.db, self.publisher, self.clock.now(), session_id, body, similar=self._similar
        )

    @rpc
    def cancel_booking(self, session_id, booking_id, body, actor=None):
        return bookings.cancel(
            self.db, self.publisher, self.clock.now(), session_id, booking_id, body, actor
        )

    # -- the schedule ----------------------------------------------------------------------

    @rpc
    def rules(self, actor):
        return sessions.list_rules(self.db, actor)

    @rpc
    def save_rule(self, actor, body, rule_id=None):
        return sessions.save_rule(self.db, self.clock.now(), actor, body, rule_id)

    @rpc
    def delete_rule(self, actor, rule_id):
        return sessions.delete_rule(self.db, actor, rule_id)

    @rpc
    def generate(self, actor, body):
        now = self.clock.now()
        return sessions.generate(self.db, self.publisher, now, actor, body, settings.TIMEZONE)

    @rpc
    def create_session(self, actor, body):
        now = self.clock.now()
        return sessions.create(self.db, self.publisher, now, actor, body, settings.TIMEZONE)

    @rpc
    def list_sessions(self, actor, query):
        return sessions.list_sessions(self.db, actor, query)

    @rpc
    def session(self, actor, session_id):
        return sessions.get_session(self.db, actor, session_id)

    @rpc
    def publish(self, actor, session_id):
        session = sessions.publish(self.db, self.publisher, self.clock.now(), actor, session_id)
        return sessions.staff_view(self.db, session, actor)

    @rpc
    def change(self, actor, session_id, body):
        now = self.clock.now()
        return sessions.change(
            self.db, self.publisher, now, actor, session_id, body, settings.TIMEZONE
        )

    @rpc
    def replace_leader(self, actor, session_id, body):
        now = self.clock.now()
        return sessions.replace_leader(self.db, self.publisher, now, actor, session_id, body)

    @rpc
    def cancel_session(self, actor, session_id, body):
        return sessions.cancel(self.db, self.publisher, self.clock.now(), actor, session_id, body)

    # -- the day ---------------------------------------------------------------------------

    @rpc
    def desk_action(self, actor, session_id, booking_id, action):
        now = self.clock.now()
        return desk.move(self.db, self.publisher, now, actor, session_id, booking_id, action)

    @rpc
    def walk_in(self, actor, session_id, body):
        return desk.walk_in(
            self.db, self.publisher, self.clock.now(), actor, session_id, body, self._similar
        )

    @rpc
    def raise_matter(self, actor, session_id, booking_id, body, request_key):
        return desk.raise_matter(
            self.db, self.call, self.clock.now(), actor, session_id, booking_id, body, request_key
        )

    @rpc
    def close(self, actor, session_id, body):
        return desk.close(self.db, self.publisher, self.clock.now(), actor, session_id, body)

    @rpc
    def open_matters(self, actor, leader=None):
        return desk.open_matters(self.db, actor, leader)
