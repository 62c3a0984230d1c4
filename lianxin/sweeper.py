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
    """The periodic work of one service instance, each piece under its own lease.

    An instance that finds a lease held by another remembers until when it is held and does
    not ask the store again before then: the holder renews it at every sweep, so the others
    would only be refused at each of theirs (eleven services try the outbox relay's lease).
    A holder that dies is replaced as soon as before: when its lease runs out."""

    def __init__(self, db, holder):
        self.db, self.holder = db, holder
        self.held_by_others = {}  # lease name → when the other holder's lease runs out

    def run_once(self, name, work):
        """Run `work()` if this instance holds lease `name`; returns its result or None."""
        # Leases run on real time, whatever business time says (LX_CLOCK=store in tests).
        now = exact_utcnow()
        until = self.held_by_others.get(name)
        if until is not None and now < until:
            return None
        if not lease.acquire(self.db, name, self.holder, now, settings.LEASE_SECONDS):
            # Read back when it runs out; if it is gone meanwhile, try again next sweep.
            self.held_by_others[name] = lease.expires_at(self.db, name)
            return None
        self.held_by_others.pop(name, None)
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
