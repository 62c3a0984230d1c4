"""What every Lianxin service class has: the store, the event publisher, the clock, leased
sweeps, an RPC `ping` (readyz), the `admin` RPC over the admin collections it owns, and a
timer that relays stranded outbox events and runs the service's own periodic work. nameko
binds the inherited dependencies per container. `StartupStep` is work a service does once it
runs that needs the store."""

import logging

import eventlet
from nameko.extensions import DependencyProvider
from nameko.rpc import rpc
from nameko.timer import timer

from . import admin, settings
from .bus import Publisher
from .clock import ClockProvider
from .store import Store, database
from .sweeper import Sweeper

log = logging.getLogger(__name__)


class StartupStep(DependencyProvider):
    """Work to do once the service runs (`run(db)`): tried once as the service starts (so
    that it is done before the first message when the store is there), then in the
    background until it succeeds — a service starts, and answers, while the store is down."""

    def run(self, db):
        raise NotImplementedError

    def start(self):
        if not self._try():
            self.container.spawn_managed_thread(self._until_done, identifier=type(self).__name__)

    def _try(self, delay=1):
        cfg = self.container.config
        try:
            self.run(database(cfg.get("MONGO_URI"), cfg.get("MONGO_DB")))
            return True
        except Exception as exc:
            log.warning(
                "%s not done yet (%s); trying again in %d s", type(self).__name__, exc, delay
            )
            return False

    def _until_done(self):
        delay = 1
        while True:
            eventlet.sleep(delay)
            delay = min(delay * 2, 30)
            if self._try(delay):
                return


class LianxinService:
    name = None

    db = Store()
    publisher = Publisher()
    clock = ClockProvider()
    sweeps = Sweeper()

    # Admin collections this service owns (docs/contract.md §10): name → (validate, carry),
    # the service's own checks of an item and what an update must keep (lianxin/admin.py).
    admin_owns: dict = {}

    @rpc
    def ping(self):
        return "pong"

    @rpc
    def admin(self, op, collection, item_id=None, body=None, actor=None):
        if collection not in self.admin_owns:
            raise ValueError(f"{self.name} does not own {collection}")
        validate, carry = self.admin_owns[collection]
        return admin.run(
            self.db,
            self.clock.now(),
            actor or {},
            op,
            collection,
            item_id,
            body,
            validate=validate,
            carry=carry,
        )

    @timer(interval=settings.SWEEP_INTERVAL)
    def sweep(self):
        now = self.clock.now()
        self.periodic(now)
        self.sweeps.relay_outbox(self.publisher, now)

    def periodic(self, now):
        """The service's own periodic work, each piece under `self.sweeps.run_once`."""
