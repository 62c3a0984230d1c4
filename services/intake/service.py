"""The intake service: registration from every channel, the office's decisions on a new case,
staff accounts, and reading cases (nameko entrypoints only)."""
from nameko.extensions import DependencyProvider
from nameko.rpc import rpc

from lianxin import admin, cases, settings
from lianxin.clock import utcnow
from lianxin.service import LianxinService
from lianxin.store import database

from . import accounts, alerts, dispatch, handlers, queries, screening

COLLECTIONS = ("units", "users", "leaders", "topics")


class FirstAdmin(DependencyProvider):
    """Creates the first admin from configuration when the service starts (SPEC §10)."""

    def start(self):
        cfg = self.container.config
        accounts.ensure_admin(database(cfg.get("MONGO_URI"), cfg.get("MONGO_DB")),
                              settings.ADMIN_USERNAME, settings.ADMIN_PASSWORD, utcnow())


class IntakeService(LianxinService):
    name = "intake"

    first_admin = FirstAdmin()

    @rpc
    def submit(self, payload, request_key, expires_at=None):
        return handlers.submit(self.db, self.publisher, self.clock.now(), payload, request_key,
                               expires_at, tz=settings.TIMEZONE, exact_now=self.clock.exact())

    @rpc
    def register(self, payload, request_key, actor):
        return handlers.register(self.db, self.publisher, self.clock.now(), payload,
                                 request_key, actor, tz=settings.TIMEZONE)

    @rpc
    def public_case(self, case_id, code):
        return handlers.public_case(self.db, self.clock.now(), case_id, code)

    @rpc
    def act(self, action, case_id, actor, body):
        now = self.clock.now()
        case = dispatch.ACTIONS[action](self.db, self.publisher, now, case_id, actor, body)
        return cases.staff_view(case, actor, now)

    @rpc
    def get_case(self, case_id, actor):
        return queries.get_case(self.db, self.clock.now(), case_id, actor)

    @rpc
    def list_cases(self, filters, actor):
        return queries.list_cases(self.db, self.clock.now(), filters, actor)

    @rpc
    def authenticate(self, username, password):
        return accounts.authenticate(self.db, self.clock.now(), username, password,
                                     settings.LOGIN_MAX_FAILURES, settings.LOGIN_LOCK_SECONDS)

    @rpc
    def admin(self, op, collection, item_id=None, body=None, actor=None):
        if collection not in COLLECTIONS:
            raise ValueError(f"intake does not own {collection}")
        return admin.run(self.db, self.clock.now(), actor or {}, op, collection, item_id, body)

    @rpc
    def list_alerts(self, actor, status=None):
        return alerts.list_alerts(self.db, actor, status)

    @rpc
    def acknowledge_alert(self, actor, alert_id):
        return alerts.acknowledge(self.db, self.clock.now(), actor, alert_id)

    @rpc
    def citizen_cases(self, key, actor):
        return screening.citizen_cases(self.db, self.clock.now(), key, actor)

    def periodic(self, now):
        self.sweeps.run_once("alert-relay", lambda: alerts.relay(
            self.db, self.publisher, now, settings.OUTBOX_GRACE_SECONDS))
