"""Store access: one MongoClient per process, the indexes, and the nameko dependency.

Runs on MongoDB in production and FerretDB locally (docs/platform.md §3–4): queries stay
within what both run, and hot lookups go by `_id`.
"""

import threading

import pymongo
import pymongo.common
from nameko.extensions import DependencyProvider

from . import settings

_clients: dict[str, pymongo.MongoClient] = {}
_lock = threading.Lock()


def client(uri=None):
    uri = uri or settings.MONGO_URI
    with _lock:
        if uri not in _clients:
            # pymongo's background threads (server monitor, cursor reaper) wake at least this
            # often: 0.5 s by default, four wakes a second in every process, the largest part
            # of an idle service's CPU (docs/decisions/0035). It is also the shortest time
            # between two checks of a server, so a restarted store is seen again within it.
            pymongo.common.MIN_HEARTBEAT_INTERVAL = settings.STORE_CHECK_SECONDS
            _clients[uri] = pymongo.MongoClient(
                uri, tz_aware=True, serverSelectionTimeoutMS=5000, connectTimeoutMS=5000
            )
        return _clients[uri]


def database(uri=None, name=None):
    return client(uri)[name or settings.MONGO_DB]


def ensure_indexes(db):
    """The indexes of every hot query (`lianxin/hot_queries.py` lists them with their users;
    tests/integration/test_hot_queries.py holds the two together)."""
    db.cases.create_index([("status", 1), ("received_at", 1)])
    # a unit's list: its cases in some states received since some day (bench/store_pushdown.py)
    db.cases.create_index([("assignment.lead_unit", 1), ("status", 1), ("received_at", 1)])
    # queues by time left: the unit's (the `$or` branch on co-units has its own) and the office's
    db.cases.create_index([("assignment.lead_unit", 1), ("status", 1), ("assignment.due_at", 1)])
    db.cases.create_index([("assignment.co_units", 1)])
    # the parts of queues (lianxin/queues.py): a list's queues, the days they are due in
    db.queues.create_index([("q", 1), ("p", 1)])
    db.cases.create_index([("status", 1), ("assignment.due_at", 1)])
    db.cases.create_index([("flags", 1), ("status", 1)])
    # a flag's list newest first, in windows of received time (a leader's raised cases, 0039)
    db.cases.create_index([("flags", 1), ("received_at", 1)])
    db.cases.create_index([("topic", 1), ("received_at", 1)])
    db.cases.create_index([("received_at", 1)])
    db.cases.create_index([("public_consent", 1), ("status", 1)])
    # appeals of a period (services/reading/appeals.py): cases never appealed are not read
    db.cases.create_index([("appeal.status", 1), ("received_at", 1)])
    db.cases.create_index([("outbox_since", 1)])
    db.alerts.create_index([("outbox_since", 1)])
    db.alerts.create_index([("status", 1), ("raised_at", -1)])
    db.deliveries.create_index([("case_id", 1)])
    db.deliveries.create_index([("kind", 1), ("status", 1), ("created_at", -1)])
    db.delivery_due.create_index([("at", 1)])
    db.inbox.create_index([("user", 1), ("read", 1), ("created_at", -1)])
    db.saved_filters.create_index([("username", 1)])
    # the staff an event's messages go to (services/notify/handlers.py Directory)
    db.users.create_index([("unit", 1), ("role", 1)])
    db.users.create_index([("role", 1), ("leader", 1)])
    db.clocks.create_index([("state", 1), ("next_at", 1)])
    db.clock_claims.create_index([("at", 1)])
    db.matter_clocks.create_index([("state", 1), ("next_at", 1)])
    db.matter_votes.create_index([("matter_id", 1)])
    # statistics rollups (docs/decisions/0021): pending deltas, and a partial day's cases
    db.stat_deltas.create_index([("folded", 1)])
    db.stat_deltas.create_index([("folded_at", 1)])
    db.cases.create_index([("received_at", 1)])
    db.retry_codes.create_index([("expires_at", 1)])
    db.rate_windows.create_index([("expires_at", 1)])
    # what the timers read: only what is due (issue 14)
    db.outbox_due.create_index([("at", 1)])
    db.unrouted.create_index([("at", 1)])
    db.ack_codes.create_index([("waiting_ack", 1), ("at", 1)])
    # the orphan sweep reads only the uploads that are due (services/files/storage.py)
    db.file_uploads.create_index([("due_at", 1)])


class Store(DependencyProvider):
    """Injects the Mongo database of the configured store."""

    def setup(self):
        cfg = self.container.config
        self.db = database(cfg.get("MONGO_URI"), cfg.get("MONGO_DB"))

    def get_dependency(self, worker_ctx):
        return self.db
