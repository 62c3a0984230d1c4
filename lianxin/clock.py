"""The one clock. Domain code takes `now` as an argument; services get it from here."""

from datetime import datetime, timedelta, timezone
from typing import Any, overload

from nameko.extensions import DependencyProvider


def utcnow() -> datetime:
    # Whole seconds: what the wire format carries, so a time survives a round trip unchanged.
    return exact_utcnow().replace(microsecond=0)


def exact_utcnow() -> datetime:
    return datetime.now(timezone.utc)


def exact_isoformat(dt: datetime) -> str:
    """RFC 3339 UTC with microseconds, for deadlines measured in seconds (request expiry)."""
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@overload
def isoformat(dt: datetime) -> str: ...
@overload
def isoformat(dt: None) -> None: ...
def isoformat(dt: datetime | None) -> str | None:
    """RFC 3339 UTC with a Z, second precision: the wire format of every timestamp."""
    if dt is None:
        return None
    # (the offset subtracted by hand and the text written by `isoformat`: a fifth less time
    # than `astimezone` and `strftime`, and a sweep writes some ten per clock)
    offset = dt.utcoffset()
    if offset:
        dt = dt - offset
    return dt.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


@overload
def parse_iso(text: str) -> datetime: ...
@overload
def parse_iso(text: None) -> None: ...
def parse_iso(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


class Clock:
    """Business time. With `LX_CLOCK=store` (tests, demos: never production) every service
    reads an offset from the store's `clock` collection, so a test can move a whole county
    forward in seconds. Leases and timeouts always use real time."""

    def __init__(self, db: Any = None) -> None:
        self.db = db

    def offset(self) -> timedelta:
        doc = self.db.clock.find_one({"_id": "offset"}) if self.db is not None else None
        return timedelta(seconds=doc["seconds"]) if doc else timedelta(0)

    def exact(self) -> datetime:
        return exact_utcnow() + self.offset()

    def now(self) -> datetime:
        return self.exact().replace(microsecond=0)


def set_offset(db: Any, seconds: float) -> None:
    """Move business time for every service reading this store (LX_CLOCK=store)."""
    db.clock.replace_one({"_id": "offset"}, {"_id": "offset", "seconds": seconds}, upsert=True)


class ClockProvider(DependencyProvider):
    """Injects the Clock: real time, or real time plus the store's offset (LX_CLOCK=store)."""

    def setup(self) -> None:
        from . import settings
        from .store import database

        cfg = self.container.config
        db = (
            database(cfg.get("MONGO_URI"), cfg.get("MONGO_DB"))
            if settings.CLOCK_SOURCE == "store"
            else None
        )
        self.clock = Clock(db)

    def get_dependency(self, worker_ctx: Any) -> Clock:
        return self.clock
