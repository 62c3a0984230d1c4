"""The supervision service: deadlines and the clock of every assignment, and the reminders,
notices and warnings the clocks owe (nameko entrypoints only). The handling of a case is the
handling service's; statistics and reports are the reading service's."""

from nameko.rpc import rpc

from lianxin import matching, settings
from lianxin.admin_schemas import DeadlinePolicySchema
from lianxin.clock import exact_utcnow, isoformat, parse_iso
from lianxin.errors import Forbidden, WrongState
from lianxin.schemas import load_or_raise
from lianxin.service import LianxinService

from . import deadlines, handlers, sweeps, watch

RULES = watch.Rules(
    notice_every_days=settings.NOTICE_EVERY_DAYS,
    yellow_share=settings.YELLOW_SHARE,
    claim_window_working_days=settings.CLAIM_WINDOW_WORKING_DAYS,
    tz=settings.TIMEZONE,
)


def _check_policy(doc):
    matching.check_keys(doc.get("match"), deadlines.MATCH_KEYS, "policy")


class SupervisionService(LianxinService):
    name = "supervision"
    admin_owns = {"deadline-policies": (_check_policy, None)}

    @rpc
    def start_clock(self, case_id, seq, facts, started_at):
        return handlers.start_clock(self.db, case_id, seq, facts, started_at, settings.TIMEZONE)

    @rpc
    def preview_deadline(self, actor, facts, start=None, draft=None):
        if (actor or {}).get("role") != "admin":
            raise Forbidden("only an admin may preview deadline policies", {})
        if draft is not None:
            draft = load_or_raise(DeadlinePolicySchema(), draft)
            draft["_id"] = draft.pop("id")
            _check_policy(draft)
        start = parse_iso(start) if start else self.clock.now()
        try:
            out = deadlines.preview(
                list(self.db.deadline_policies.find()), facts or {}, start, settings.TIMEZONE, draft
            )
        except LookupError as exc:
            raise WrongState(str(exc), {})
        return {**out, "started_at": isoformat(start), "due_at": isoformat(out["due_at"])}

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
            settings.SWEEP_CHUNK,
            settings.SWEEP_WORKERS,
        )
        self.sweeps.run_once(
            "daily-reminder",
            lambda: sweeps.daily_reminders(
                self.db, self.publisher, now, RULES, settings.REMINDER_LOCAL_TIME
            ),
        )
        self.sweeps.run_once(
            "forget-old-claims", lambda: sweeps.forget_old_claims(self.db, exact_utcnow())
        )
