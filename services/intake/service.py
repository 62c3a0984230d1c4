"""The intake service: registration from every channel (nameko entrypoints only)."""
from nameko.rpc import rpc
from nameko.timer import timer

from lianxin import settings
from lianxin.clock import ClockProvider
from lianxin.bus import Publisher
from lianxin.store import Store
from lianxin.sweeper import Sweeper

from . import handlers


class IntakeService:
    name = "intake"

    db = Store()
    publisher = Publisher()
    clock = ClockProvider()
    sweeps = Sweeper()

    @rpc
    def ping(self):
        return "pong"

    @rpc
    def submit(self, payload, request_key, expires_at=None):
        return handlers.submit(self.db, self.publisher, self.clock.now(), payload, request_key,
                               expires_at, tz=settings.TIMEZONE, exact_now=self.clock.exact())

    @rpc
    def public_case(self, case_id, code):
        return handlers.public_case(self.db, self.clock.now(), case_id, code)

    @timer(interval=settings.SWEEP_INTERVAL)
    def sweep_outbox(self):
        self.sweeps.relay_outbox(self.publisher, self.clock.now())
