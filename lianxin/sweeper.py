"""Periodic work that must run once across all replicas, under a lease."""
import logging
import os
import socket

from . import lease, outbox, settings

log = logging.getLogger(__name__)
_HOLDER = f"{socket.gethostname()}:{os.getpid()}"


def run_once(db, name, now, work):
    """Run `work()` if this process holds lease `name`; returns its result or None."""
    if not lease.acquire(db, name, _HOLDER, now, settings.LEASE_SECONDS):
        return None
    try:
        return work()
    except Exception:
        log.exception("sweep %s failed", name)
        return None


def relay_outbox(db, publisher, now):
    """Any service may relay stranded events; one replica at a time does."""
    return run_once(db, "outbox-relay", now,
                    lambda: outbox.relay(db, publisher, now, settings.OUTBOX_GRACE_SECONDS))
