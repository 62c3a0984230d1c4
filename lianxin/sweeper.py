"""Periodic work that must run once across all replicas, under a lease (docs/platform.md
§2: `@timer` fires in every replica)."""

import logging
import socket
import uuid

from nameko.extensions import DependencyProvider

from . import lease, outbox, settings
from .clock import exact_utcnow

log = logging.getLogger(__name__)


class Sweeps:
    """The periodic work of one service instance, each piece under its own lease."""

    def __init__(self, db, holder):
        self.db, self.holder = db, holder

    def run_once(self, name, work):
        """Run `work()` if this instance holds lease `name`; returns its result or None."""
        # Leases run on real time, whatever business time says (LX_CLOCK=store in tests).
        if not lease.acquire(self.db, name, self.holder, exact_utcnow(), settings.LEASE_SECONDS):
            return None
        try:
            return work()
        except Exception:
            log.exception("sweep %s failed", name)
            return None

    def relay_outbox(self, publisher, now):
        """Any service may relay events a crashed writer left; one instance at a time does."""
        return self.run_once(
            "outbox-relay",
            lambda: outbox.relay(self.db, publisher, now, settings.OUTBOX_GRACE_SECONDS),
        )


class Sweeper(DependencyProvider):
    """nameko dependency: a Sweeps with a lease holder id unique to this service instance."""

    def setup(self):
        from .store import database

        cfg = self.container.config
        holder = f"{socket.gethostname()}:{self.container.service_name}:{uuid.uuid4().hex[:8]}"
        self.sweeps = Sweeps(database(cfg.get("MONGO_URI"), cfg.get("MONGO_DB")), holder)

    def get_dependency(self, worker_ctx):
        return self.sweeps
