"""The supervision service: deadlines and the clock (nameko entrypoints only)."""
from nameko.rpc import rpc
from nameko.timer import timer

from lianxin import settings
from lianxin.bus import Publisher
from lianxin.clock import ClockProvider
from lianxin.store import Store
from lianxin.sweeper import Sweeper

from . import handlers


class SupervisionService:
    name = "supervision"

    db = Store()
    publisher = Publisher()
    clock = ClockProvider()
    sweeps = Sweeper()

    @rpc
    def ping(self):
        return "pong"

    @rpc
    def start_clock(self, case_id, seq, facts, started_at):
        return handlers.start_clock(self.db, case_id, seq, facts, started_at, settings.TIMEZONE)

    @timer(interval=settings.SWEEP_INTERVAL)
    def sweep_outbox(self):
        self.sweeps.relay_outbox(self.publisher, self.clock.now())
