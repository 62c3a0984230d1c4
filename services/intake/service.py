"""The intake service: registration from every channel, the office's decisions on a new case,
staff accounts, and reading cases (nameko entrypoints only)."""

from nameko.rpc import rpc

from lianxin import admin, cases, settings
from lianxin.clock import parse_iso, utcnow
from lianxin.service import LianxinService, StartupStep
from lianxin.store import ensure_indexes

from . import accounts, alerts, dispatch, filters, handlers, public, queries, screening

COLLECTIONS = ("units", "users", "leaders", "topics", "api-keys")


class FirstAdmin(StartupStep):
    """At start, once the store answers: its indexes, and the first admin from configuration
    (docs/contract.md §10); in the background, so that intake starts while the store is down."""

    def run(self, db):
        ensure_indexes(db)
        accounts.ensure_admin(db, settings.ADMIN_USERNAME, settings.ADMIN_PASSWORD, utcnow())


class IntakeService(LianxinService):
    name = "intake"

    first_admin = FirstAdmin()

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
    def public_case(self, case_id, code):
        return handlers.public_case(self.db, self.clock.now(), case_id, code)

    @rpc
    def act(self, action, case_id, actor, body):
        now = self.clock.now()
        deps = cases.Deps(self.db, self.publisher, now)
        case = dispatch.ACTIONS[action](deps, action, case_id, actor, body)
        return cases.staff_view(case, actor, now)

    @rpc
    def get_case(self, case_id, actor):
        return queries.get_case(self.db, self.clock.now(), case_id, actor)

    @rpc
    def list_cases(self, filters, actor):
        return queries.list_cases(self.db, self.clock.now(), filters, actor)

    @rpc
    def authenticate(self, username, password):
        return accounts.authenticate(
            self.db,
            self.clock.now(),
            username,
            password,
            settings.LOGIN_MAX_FAILURES,
            settings.LOGIN_LOCK_SECONDS,
        )

    @rpc
    def account_state(self, username):
        return accounts.account_state(self.db, utcnow(), username)  # tokens live in real time

    @rpc
    def sign_out(self, username, jti, expires_at):
        accounts.sign_out(self.db, utcnow(), username, jti, parse_iso(expires_at))

    @rpc
    def change_password(self, username, current, new):
        return accounts.change_password(self.db, self.clock.now(), username, current, new)

    @rpc
    def list_filters(self, actor):
        return filters.list_filters(self.db, actor)

    @rpc
    def save_filter(self, actor, name, query):
        return filters.save_filter(self.db, self.clock.now(), actor, name, query)

    @rpc
    def delete_filter(self, actor, name):
        return filters.delete_filter(self.db, actor, name)

    @rpc
    def admin(self, op, collection, item_id=None, body=None, actor=None):
        if collection not in COLLECTIONS:
            raise ValueError(f"intake does not own {collection}")
        carry = accounts.carry_token_state if collection == "users" else None
        return admin.run(
            self.db, self.clock.now(), actor or {}, op, collection, item_id, body, carry=carry
        )

    @rpc
    def admin_log(self, actor, collection=None, before=None, limit=50):
        before = parse_iso(before) if before else None
        return admin.log_page(self.db, actor or {}, collection, before, limit)

    @rpc
    def list_alerts(self, actor, status=None):
        return alerts.list_alerts(self.db, actor, status)

    @rpc
    def acknowledge_alert(self, actor, alert_id):
        return alerts.acknowledge(self.db, self.clock.now(), actor, alert_id)

    @rpc
    def citizen_cases(self, key, actor):
        return screening.citizen_cases(self.db, self.clock.now(), key, actor)

    @rpc
    def topics(self):
        return [{"id": t.pop("_id"), **t} for t in self.db.topics.find().sort("_id", 1)]

    @rpc
    def check_api_key(self, key):
        return public.check_api_key(self.db, key)

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

    @rpc
    def open311_requests(self, query):
        query = {
            **query,
            **{k: parse_iso(query[k]) for k in ("start_date", "end_date") if query.get(k)},
        }
        return public.open311_requests(self.db, self.clock.now(), query)

    @rpc
    def open311_request(self, case_id):
        return public.open311_one(self.db, case_id)

    @rpc
    def public_board(self, query):
        return public.board(self.db, query)

    @rpc
    def public_board_case(self, case_id):
        return public.board_case(self.db, case_id)
