"""The matters service: supervised matters and livelihood projects (督办事项 · 民生实事,
docs/contract.md §14) — their life from draft to confirmed, the public board of projects,
their statistics, and the sweep of their milestones and reports (nameko entrypoints only)."""

from nameko.rpc import rpc

from lianxin import matter_stats, settings
from lianxin.clock import exact_utcnow, parse_iso
from lianxin.matter_schemas import MatterCreateSchema
from lianxin.schemas import load_or_raise
from lianxin.service import LianxinService

from . import handlers, public, watch

RULES = watch.Rules(remind_days=settings.MATTER_REMIND_DAYS, yellow_share=settings.YELLOW_SHARE)


class MattersService(LianxinService):
    name = "matters"

    @rpc
    def create(self, actor, body):
        now = self.clock.now()
        body = load_or_raise(MatterCreateSchema(), body)  # its dates, read again
        matter = handlers.create(self.db, self.publisher, now, actor, body, settings.TIMEZONE)
        return handlers.get(self.db, now, matter["_id"], actor)

    @rpc
    def act(self, action, matter_id, actor, body):
        now = self.clock.now()
        handlers.act(self.db, self.publisher, now, action, matter_id, actor, body or {})
        return handlers.get(self.db, now, matter_id, actor)

    @rpc
    def get(self, matter_id, actor):
        return handlers.get(self.db, self.clock.now(), matter_id, actor)

    @rpc
    def list(self, actor, query):
        return handlers.listing(self.db, self.clock.now(), actor, query)

    @rpc
    def stats(self, actor, start, end):
        return matter_stats.report(
            self.db, self.clock.now(), actor, parse_iso(start), parse_iso(end)
        )

    @rpc
    def public_board(self, query):
        return public.board(self.db, query)

    @rpc
    def public_project(self, matter_id):
        return public.project(self.db, matter_id)

    @rpc
    def seen_done(self, matter_id, body):
        return handlers.seen_done(
            self.db, self.publisher, self.clock.now(), matter_id, body, settings.CITIZEN_KEY_SECRET
        )

    def periodic(self, now):
        # Every replica sweeps; each wake of each matter's clock is claimed by one of them.
        handlers.sweep(
            self.db,
            self.publisher,
            now,
            exact_utcnow(),
            self.sweeps.holder,
            RULES,
            settings.SWEEP_BATCH,
            settings.LEASE_SECONDS,
            settings.SWEEP_CHUNK,
            settings.SWEEP_WORKERS,
        )
