"""The accounts service: who may sign in and what the county is made of — staff accounts,
sign-in with its lock, the live token checks, sign-out, passwords, saved filters, the units,
users, leaders, topics and Open311 API keys the admin keeps (nameko entrypoints only)."""

from nameko.rpc import rpc

from lianxin import admin, settings
from lianxin.clock import parse_iso, utcnow
from lianxin.service import LianxinService, StartupStep
from lianxin.store import ensure_indexes

from . import accounts, filters


class FirstAdmin(StartupStep):
    """At start, once the store answers: its indexes, and the first admin from configuration
    (docs/contract.md §10); in the background, so that accounts starts while the store is down."""

    def run(self, db):
        ensure_indexes(db)
        accounts.ensure_admin(db, settings.ADMIN_USERNAME, settings.ADMIN_PASSWORD, utcnow())


class AccountsService(LianxinService):
    name = "accounts"
    admin_owns = {
        "units": (None, None),
        "users": (accounts.drop_token_state, accounts.carry_token_state),
        "leaders": (None, None),
        "topics": (None, None),
        "api-keys": (None, None),
    }

    first_admin = FirstAdmin()

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
    def admin_log(self, actor, collection=None, before=None, limit=50):
        before = parse_iso(before) if before else None
        return admin.log_page(self.db, actor or {}, collection, before, limit)

    @rpc
    def topics(self):
        return [{"id": t.pop("_id"), **t} for t in self.db.topics.find().sort("_id", 1)]

    @rpc
    def unit_directory(self):
        return accounts.unit_directory(self.db)

    @rpc
    def check_api_key(self, key):
        return accounts.check_api_key(self.db, key)
