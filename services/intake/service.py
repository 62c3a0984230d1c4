"""The intake service: registration from every channel (web, hotline, letters, visits,
Open311), the screening of a new case (duplicates, repeat petitioners, early-warning alerts)
and the office's decisions on it (nameko entrypoints only)."""

from nameko.rpc import rpc

from lianxin import cases, settings
from lianxin.service import LianxinService, StartupStep
from lianxin.store import ensure_indexes

from . import dispatch, handlers, screening


class Indexes(StartupStep):
    """At start, once the store answers, the store's indexes (idempotent; accounts does the
    same); in the background, so that intake starts while the store is down."""

    def run(self, db):
        ensure_indexes(db)


class IntakeService(LianxinService):
    name = "intake"

    indexes = Indexes()

    def periodic(self, now):
        self.sweeps.run_once(
            "intake-retry-codes", lambda: handlers.forget_retry_codes(self.db, now)
        )

    @rpc
    def submit(self, payload, request_key, expires_at=None):
        return handlers.submit(
            self.db,
            self.publisher,
            self.clock.now(),
            payload,
            request_key,
            expires_at,
            tz=settings.TIMEZONE,
            exact_now=self.clock.exact(),
        )

    @rpc
    def register(self, payload, request_key, actor):
        return handlers.register(
            self.db,
            self.publisher,
            self.clock.now(),
            payload,
            request_key,
            actor,
            tz=settings.TIMEZONE,
        )

    @rpc
    def similar_open_case(self, probe):
        return screening.similar_open_case(self.db, self.clock.now(), probe)

    @rpc
    def act(self, action, case_id, actor, body):
        now = self.clock.now()
        deps = cases.Deps(self.db, self.publisher, now)
        case = dispatch.ACTIONS[action](deps, action, case_id, actor, body)
        return cases.staff_view(case, actor, now)

    @rpc
    def submit_open311(self, payload, request_key, api_key_id):
        return handlers.submit_open311(
            self.db,
            self.publisher,
            self.clock.now(),
            payload,
            request_key,
            api_key_id,
            tz=settings.TIMEZONE,
        )
