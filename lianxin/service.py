"""What every Lianxin service class has: the store, the event publisher, the clock, leased
sweeps, an RPC `ping` (readyz), and a timer that relays stranded outbox events and runs the
service's own periodic work. nameko binds the inherited dependencies per container."""
from nameko.rpc import rpc
from nameko.timer import timer

from . import settings
from .bus import Publisher
from .clock import ClockProvider
from .store import Store
from .sweeper import Sweeper


class LianxinService:
    name = None

    db = Store()
    publisher = Publisher()
    clock = ClockProvider()
    sweeps = Sweeper()

    @rpc
    def ping(self):
        return "pong"

    @timer(interval=settings.SWEEP_INTERVAL)
    def sweep(self):
        now = self.clock.now()
        self.periodic(now)
        self.sweeps.relay_outbox(self.publisher, now)

    def periodic(self, now):
        """The service's own periodic work, each piece under `self.sweeps.run_once`."""
