"""The one clock. Domain code takes `now` as an argument; services get it from here."""
from datetime import datetime, timezone

from nameko.extensions import DependencyProvider


def utcnow():
    # Whole seconds: what the wire format carries, so a time survives a round trip unchanged.
    return exact_utcnow().replace(microsecond=0)


def exact_utcnow():
    return datetime.now(timezone.utc)


def exact_isoformat(dt):
    """RFC 3339 UTC with microseconds, for deadlines measured in seconds (request expiry)."""
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def isoformat(dt):
    """RFC 3339 UTC with a Z, second precision: the wire format of every timestamp."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text):
    if text is None:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


class Clock:
    def now(self):
        return utcnow()

    def exact(self):
        return exact_utcnow()


class ClockProvider(DependencyProvider):
    """Injects a Clock; tests replace it with a fixed one."""

    def get_dependency(self, worker_ctx):
        return Clock()
