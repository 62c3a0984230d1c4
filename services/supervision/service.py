"""The supervision service: deadlines and the clock, and the handling of a case from claim to
closing (nameko entrypoints only)."""

from nameko.rpc import rpc

from lianxin import admin, cases, matching, settings
from lianxin.clock import exact_utcnow, parse_iso
from lianxin.consuming import event_handler
from lianxin.events import CASE_EVENT_TYPES
from lianxin.service import LianxinService

from . import deadlines, handlers, reports, rollup_store, sweeps, watch

RULES = watch.Rules(
    notice_every_days=settings.NOTICE_EVERY_DAYS,
    yellow_share=settings.YELLOW_SHARE,
    claim_window_working_days=settings.CLAIM_WINDOW_WORKING_DAYS,
    tz=settings.TIMEZONE,
)


def _check_policy(doc):
    matching.check_keys(doc.get("match"), deadlines.MATCH_KEYS, "policy")


def _on_case_events(fn):
    for type_ in CASE_EVENT_TYPES:
        fn = event_handler(settings.EVENT_SOURCE, type_)(fn)
    return fn


class SupervisionService(LianxinService):
    name = "supervision"

    @_on_case_events
    def on_case_event(self, event):
        # the statistics rollups follow every change of a case (docs/decisions/0021)
        rollup_store.record(self.db, event["case_id"])

    @rpc
    def start_clock(self, case_id, seq, facts, started_at):
        return handlers.start_clock(self.db, case_id, seq, facts, started_at, settings.TIMEZONE)

    @rpc
    def act(self, action, case_id, actor, body):
        now = self.clock.now()
        deps = cases.Deps(self.db, self.publisher, now)
        case = handlers.ACTIONS[action](deps, action, case_id, actor, body)
        rollup_store.record_soon(self.db, case_id)
        return cases.staff_view(case, actor, now)

    @rpc
    def stats(self, actor, start, end, group_by):
        return reports.stats_report(
            self.db, self.clock.now(), actor, parse_iso(start), parse_iso(end), group_by
        )

    @rpc
    def assessment(self, actor, start, end):
        return reports.assessment(
            self.db, self.clock.now(), actor, parse_iso(start), parse_iso(end)
        )

    @rpc
    def bulletin(self, actor, quarter):
        return reports.bulletin(self.db, self.clock.now(), actor, quarter, settings.TIMEZONE)

    @rpc
    def public_stats(self, quarter):
        return reports.public_stats(self.db, self.clock.now(), quarter, settings.TIMEZONE)

    @rpc
    def digest(self, actor, start=None, end=None):
        now = self.clock.now()
        if not (start and end):
            first, last = reports.default_digest_period(now, settings.TIMEZONE)
            start, end = start or first.isoformat(), end or last.isoformat()
        return reports.digest(self.db, now, actor, parse_iso(start), parse_iso(end))

    @rpc
    def feedback(self, case_id, code, body):
        now = self.clock.now()
        case = handlers.citizen_feedback(self.db, self.publisher, now, case_id, code, body)
        rollup_store.record_soon(self.db, case_id)
        return cases.public_view(case, now)

    @rpc
    def admin(self, op, collection, item_id=None, body=None, actor=None):
        if collection != "deadline-policies":
            raise ValueError(f"supervision does not own {collection}")
        return admin.run(
            self.db,
            self.clock.now(),
            actor or {},
            op,
            collection,
            item_id,
            body,
            validate=_check_policy,
        )

    def periodic(self, now):
        # Every replica sweeps; each clock is claimed by one (no global lease needed).
        sweeps.sweep_clocks(
            self.db,
            self.publisher,
            now,
            exact_utcnow(),
            self.sweeps.holder,
            RULES,
            settings.SWEEP_BATCH,
            settings.LEASE_SECONDS,
            settings.SWEEP_WORKERS,
        )
        self.sweeps.run_once(
            "daily-reminder",
            lambda: sweeps.daily_reminders(
                self.db, self.publisher, now, RULES, settings.REMINDER_LOCAL_TIME
            ),
        )
        self.sweeps.run_once("stat-rollups", lambda: rollup_store.fold(self.db))
        self.sweeps.run_once(
            "forget-old-claims", lambda: sweeps.forget_old_claims(self.db, exact_utcnow())
        )
