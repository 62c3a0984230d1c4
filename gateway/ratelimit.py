"""Rate limits for the open endpoints (docs/contract.md §11): sign-in, the public board, the
citizen's tracking lookup and rating (`?code=` guesses) and Open311 API keys. A fixed one-minute
window per (scope, client); over the limit → 429 with `Retry-After` (seconds to the next window).

The count is kept in the store (`rate_windows`, one document per scope, client and minute,
bumped atomically), so N gateway replicas together allow the limit, not N times it. If the
store cannot be reached the count falls back to this process (still a limit, per replica),
and the request goes on to fail or succeed on its own merits (docs/decisions/0013)."""

import logging
import threading
import time
from datetime import datetime, timezone

from flask import current_app, request
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError, PyMongoError

from lianxin import settings
from lianxin.errors import TooManyRequests

log = logging.getLogger(__name__)


def _too_many(now, limit):
    retry = max(1, int(60 - now % 60) + 1)
    raise TooManyRequests(
        "too many requests; slow down", {"retry_after": retry, "limit_per_minute": limit}
    )


class Window:
    """A window counted in this process only: the fallback when the store is away."""

    def __init__(self, clock=time.time):
        self.clock, self.counts, self.lock = clock, {}, threading.Lock()

    def hit(self, key, limit):
        """Count one request under `key`; raise TooManyRequests past `limit` per minute."""
        now = self.clock()
        minute = int(now // 60)
        with self.lock:
            if len(self.counts) > 100_000:  # forget past windows
                self.counts = {k: v for k, v in self.counts.items() if k[1] == minute}
            count = self.counts.get((key, minute), 0) + 1
            self.counts[(key, minute)] = count
        if count > limit:
            _too_many(now, limit)


class SharedWindow:
    """The same window counted in the store, shared by every gateway process."""

    def __init__(self, collection, clock=time.time, fallback=None):
        self.coll, self.clock = collection, clock
        self.fallback = fallback or Window(clock)
        self.swept_minute = None

    def hit(self, key, limit):
        now = self.clock()
        minute = int(now // 60)
        try:
            count = self._bump(f"{key}:{minute}", minute)
            self._forget_old(minute)
        except PyMongoError as exc:
            log.warning("rate limit counted in this process only: %s", exc)
            return self.fallback.hit(key, limit)
        if count > limit:
            _too_many(now, limit)

    def _bump(self, doc_id, minute):
        expires = datetime.fromtimestamp((minute + 2) * 60, timezone.utc)
        for _ in range(3):
            try:
                doc = self.coll.find_one_and_update(
                    {"_id": doc_id},
                    {"$inc": {"n": 1}, "$setOnInsert": {"expires_at": expires}},
                    upsert=True,
                    return_document=ReturnDocument.AFTER,
                )
                return doc["n"]
            except DuplicateKeyError:  # two gateways created the window at once
                continue
        raise RuntimeError("could not count a request")

    def _forget_old(self, minute):
        """Once a minute per process: drop the windows that have ended. The collection holds
        only the last two minutes' clients, so this reads little."""
        if self.swept_minute == minute:
            return
        self.swept_minute = minute
        self.coll.delete_many(
            {"expires_at": {"$lt": datetime.fromtimestamp(minute * 60, timezone.utc)}}
        )


def window():
    return current_app.extensions["lianxin.ratelimit"]


def client():
    """The caller's address. X-Forwarded-For is believed only for the LX_PROXY_HOPS proxies of
    our own in front of the gateway (counted from the right): a client cannot pick a fresh
    address for each guess by sending the header itself."""
    hops = settings.PROXY_HOPS
    if hops <= 0:
        return request.remote_addr or ""
    chain = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",") if a.strip()]
    return chain[-hops] if len(chain) >= hops else (request.remote_addr or "")


def limit(scope, limit_per_minute, key=None):
    window().hit(f"{scope}:{key or client()}", limit_per_minute)


def public():
    limit("public", settings.PUBLIC_RATE_PER_MINUTE)


def tracking(case_id):
    limit("track", settings.TRACKING_RATE_PER_MINUTE, f"{client()}:{case_id}")


def feedback(case_id):
    limit("feedback", settings.FEEDBACK_RATE_PER_MINUTE, f"{client()}:{case_id}")


def booking():
    limit("booking", settings.BOOKING_RATE_PER_MINUTE)


def sign_in():
    limit("sign-in", settings.SIGN_IN_RATE_PER_MINUTE)


def attachments(case_id):
    """Citizens' uploads and reads of a case's files with ?code= (a page of thumbnails)."""
    limit("files", settings.ATTACHMENT_RATE_PER_MINUTE, f"{client()}:{case_id}")
