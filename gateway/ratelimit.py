"""Rate limits for the open endpoints (SPEC §11): the public board, the citizen's tracking
lookup (`?code=` guesses) and Open311 API keys. A fixed one-minute window per (scope, client)
in this gateway process; over the limit → 429 with `Retry-After` (seconds to the next window).

Per process: with N gateway replicas behind a balancer a client gets at most N times the limit,
which still stops guessing codes (10 per minute per case and address → years for 32^8)."""
import threading
import time

from flask import request

from lianxin import settings
from lianxin.errors import TooManyRequests


class Window:
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
            retry = max(1, int(60 - now % 60) + 1)
            raise TooManyRequests("too many requests; slow down",
                                  {"retry_after": retry, "limit_per_minute": limit})


WINDOW = Window()


def client():
    return request.headers.get("X-Forwarded-For", request.remote_addr or "").split(",")[0]


def limit(scope, limit_per_minute, key=None):
    WINDOW.hit(f"{scope}:{key or client()}", limit_per_minute)


def public():
    limit("public", settings.PUBLIC_RATE_PER_MINUTE)


def tracking(case_id):
    limit("track", settings.TRACKING_RATE_PER_MINUTE, f"{client()}:{case_id}")
