"""The routing service: rules and assignment (nameko entrypoints only)."""
from nameko.events import event_handler
from nameko.rpc import rpc
from nameko.timer import timer

from lianxin import settings
from lianxin.bus import Publisher
from lianxin.clock import ClockProvider
from lianxin.rpc import RpcPoolProvider
from lianxin.store import Store
from lianxin.sweeper import Sweeper

from . import handlers


class RoutingService:
    name = "routing"

    db = Store()
    publisher = Publisher()
    clock = ClockProvider()
    sweeps = Sweeper()
    call = RpcPoolProvider()

    @rpc
    def ping(self):
        return "pong"

    @event_handler(settings.EVENT_SOURCE, "case.received")
    def on_case_received(self, event):
        handlers.route_case(self.db, self.publisher, self.call, self.clock.now(),
                            event["case_id"])

    @timer(interval=settings.SWEEP_INTERVAL)
    def sweep(self):
        now = self.clock.now()
        self.sweeps.run_once("routing-reroute", now, lambda: handlers.reroute_stuck(
            self.db, self.publisher, self.call, now, settings.ROUTING_GRACE_SECONDS))
        self.sweeps.relay_outbox(self.publisher, now)
