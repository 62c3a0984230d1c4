"""The supervision service: deadlines and the clock, and the handling of a case from claim to
closing (nameko entrypoints only)."""
from nameko.rpc import rpc
from nameko.timer import timer

from lianxin import admin, cases, settings
from lianxin.bus import Publisher
from lianxin.clock import ClockProvider
from lianxin.errors import ValidationFailed
from lianxin.store import Store
from lianxin.sweeper import Sweeper

from . import deadlines, handlers


def _check_policy(doc):
    unknown = set(doc.get("match") or {}) - set(deadlines.MATCH_KEYS)
    if unknown:
        raise ValidationFailed("the policy is not valid", {"fields": {"match": [
            f"unknown keys: {', '.join(sorted(unknown))}"]}})


class SupervisionService:
    name = "supervision"

    db = Store()
    publisher = Publisher()
    clock = ClockProvider()
    sweeps = Sweeper()

    @rpc
    def ping(self):
        return "pong"

    @rpc
    def start_clock(self, case_id, seq, facts, started_at):
        return handlers.start_clock(self.db, case_id, seq, facts, started_at, settings.TIMEZONE)

    @rpc
    def act(self, action, case_id, actor, body):
        now = self.clock.now()
        case = handlers.ACTIONS[action](self.db, self.publisher, now, case_id, actor, body,
                                        action)
        return cases.staff_view(case, actor, now)

    @rpc
    def feedback(self, case_id, code, body):
        now = self.clock.now()
        return cases.public_view(handlers.citizen_feedback(self.db, self.publisher, now,
                                                           case_id, code, body), now)

    @rpc
    def admin(self, op, collection, item_id=None, body=None, actor=None):
        if collection != "deadline-policies":
            raise ValueError(f"supervision does not own {collection}")
        return admin.run(self.db, self.clock.now(), actor or {}, op, collection, item_id, body,
                         validate=_check_policy)

    @timer(interval=settings.SWEEP_INTERVAL)
    def sweep_outbox(self):
        self.sweeps.relay_outbox(self.publisher, self.clock.now())
