"""The reading service: every read of cases and every report — a case and the case lists for
staff, a petitioner's history, the citizen's tracking view, the public board and Open311
reads, the alerts of early warning and their acknowledgement, statistics, unit assessment
and its appeals (评星复议), the quarterly bulletin, the ten-day digest and the public
statistics (nameko entrypoints only). It writes no case; it keeps the statistics rollups from
the case events."""

from nameko.rpc import rpc

from lianxin import queues, settings
from lianxin.clock import parse_iso
from lianxin.consuming import event_handler
from lianxin.events import CASE_EVENT_TYPES
from lianxin.service import LianxinService, StartupStep

from . import alerts, appeals, public, queries, reports, rollup_store


def _on_case_events(fn):
    for type_ in CASE_EVENT_TYPES:
        fn = event_handler(settings.EVENT_SOURCE, type_)(fn)
    return fn


class QueueShape(StartupStep):
    """Queue documents of an older shape brought to the present one (lianxin/queues.py
    `upgrade`: the first shape's entries, entries without their lead unit, the answered cases
    not yet queued), as soon as the store answers; until then the lists they would answer are
    read from `cases`."""

    def run(self, db):
        queues.upgrade(db)


class ReadingService(LianxinService):
    name = "reading"

    queue_shape = QueueShape()

    @_on_case_events
    def on_case_event(self, event):
        # the statistics rollups follow every change of a case (docs/decisions/0021)
        rollup_store.record(self.db, event["case_id"])

    def periodic(self, now):
        self.sweeps.run_once("stat-rollups", lambda: rollup_store.fold(self.db))

    @rpc
    def get_case(self, case_id, actor):
        return queries.get_case(self.db, self.clock.now(), case_id, actor)

    @rpc
    def list_cases(self, filters, actor):
        return queries.list_cases(self.db, self.clock.now(), filters, actor)

    @rpc
    def public_case(self, case_id, code):
        return queries.public_case(self.db, self.clock.now(), case_id, code)

    @rpc
    def citizen_cases(self, key, actor):
        return queries.citizen_cases(self.db, self.clock.now(), key, actor)

    @rpc
    def list_alerts(self, actor, status=None):
        return alerts.list_alerts(self.db, actor, status)

    @rpc
    def acknowledge_alert(self, actor, alert_id):
        return alerts.acknowledge(self.db, self.clock.now(), actor, alert_id)

    @rpc
    def open311_requests(self, query):
        dates = {k: parse_iso(query[k]) for k in ("start_date", "end_date") if query.get(k)}
        return public.open311_requests(self.db, self.clock.now(), {**query, **dates})

    @rpc
    def open311_request(self, case_id):
        return public.open311_one(self.db, case_id)

    @rpc
    def public_board(self, query):
        return public.board(self.db, query)

    @rpc
    def public_board_case(self, case_id):
        return public.board_case(self.db, case_id)

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
    def appeals(self, actor, start, end, state=None):
        return appeals.appeal_list(self.db, actor, parse_iso(start), parse_iso(end), state)

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
