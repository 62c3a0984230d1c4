"""notify's extension that needs more than an entrypoint: the channels (e-mail, SMS, inbox,
webhooks), a pool that sends webhooks without holding anyone up, and the ordered journal
consumer that records the feed in bus order (docs/decisions/0009)."""

import json
import logging

import eventlet
from eventlet.greenpool import GreenPool
from kombu import Connection
from nameko.extensions import DependencyProvider

from lianxin import bus, consuming, settings
from lianxin.clock import Clock
from lianxin.store import database

from . import deliveries, handlers
from .channels import Inbox, Mailer, SmsGateway, WebhookSender

log = logging.getLogger(__name__)


class Dispatch(DependencyProvider):
    """The channels, a pool that sends webhooks without holding anyone up (at most
    LX_WEBHOOK_CONCURRENCY in flight per subscription; the rest wait for the poller), and the
    journal consumer: one greenthread reading `lianxin.journal` in bus order, what has come
    in up to LX_JOURNAL_BATCH events at a time, acking them once the feed and the webhook
    deliveries are recorded (docs/decisions/0036)."""

    def setup(self):
        cfg = self.container.config
        self.db = database(cfg.get("MONGO_URI"), cfg.get("MONGO_DB"))
        self.amqp_uri = cfg.get("AMQP_URI", settings.AMQP_URI)
        self.senders = handlers.Senders(
            email=Mailer(
                cfg.get("SMTP_HOST", settings.SMTP_HOST),
                cfg.get("SMTP_PORT", settings.SMTP_PORT),
                settings.SMTP_FROM,
                settings.SMTP_TIMEOUT,
                settings.SMTP_SECURITY,
                settings.SMTP_USER,
                settings.SMTP_PASSWORD,
            ),
            sms=SmsGateway(
                cfg.get("SMS_URL", settings.SMS_URL),
                cfg.get("SMS_KEY", settings.SMS_KEY),
                settings.SMS_TIMEOUT,
            ),
            inbox=Inbox(self.db),
            webhook=WebhookSender(settings.WEBHOOK_TIMEOUT),
        )
        self.clock = Clock(self.db if settings.CLOCK_SOURCE == "store" else None)
        self.pool = GreenPool(64)
        self.in_flight = {}
        self.pending = []  # (event, message) read from the journal queue, not yet recorded
        self.running = False
        self.thread = None

    def start(self):
        self.running = True
        self.thread = self.container.spawn_managed_thread(self._consume)

    def stop(self):
        self.running = False
        if self.thread is not None:
            consuming.wake(self, self.thread)
            self.thread.wait()
        self.pool.waitall()

    def kill(self):
        self.running = False
        if self.thread is not None:
            self.thread.kill()

    def get_dependency(self, worker_ctx):
        return self

    # -- sending -------------------------------------------------------------------------

    def submit(self, key, subscription=None):
        """Send delivery `key` in the pool; False when its webhook has enough in flight."""
        if subscription is not None:
            if self.in_flight.get(subscription, 0) >= settings.WEBHOOK_CONCURRENCY:
                return False
            self.in_flight[subscription] = self.in_flight.get(subscription, 0) + 1
        self.pool.spawn_n(self._send, key, subscription)
        return True

    def _send(self, key, subscription):
        try:
            handlers.attempt(self.db, self.senders, self.clock.now(), key)
        except Exception:
            log.exception("delivery %s", key)
        finally:
            if subscription is not None:
                self.in_flight[subscription] -= 1

    def deliver_due(self):
        for key in deliveries.due(self.db, self.clock.now()):
            d = self.db.deliveries.find_one({"_id": key}, {"kind": 1, "subscription": 1})
            if d is None:
                self.db.delivery_due.delete_one({"_id": key})  # a crash's leftover
            elif d["kind"] == "webhook":
                self.submit(key, d["subscription"])
            else:
                self._send(key, None)

    # -- the journal consumer ------------------------------------------------------------

    def _consume(self):
        while self.running:
            try:
                with Connection(self.amqp_uri, connect_timeout=10, heartbeat=30) as conn:
                    with conn.Consumer(
                        [bus.journal_queue()],
                        callbacks=[self._on_message],
                        prefetch_count=settings.JOURNAL_BATCH,
                        accept=["json", "application/json"],
                    ):
                        while self.running:
                            if consuming.drain(self, conn):
                                # what else is here already, up to a batch
                                while len(self.pending) < settings.JOURNAL_BATCH and (
                                    consuming.readable(conn)
                                ):
                                    conn.drain_events(timeout=1)
                            self._record_pending(conn)
            except Exception:
                if self.running:
                    log.warning("journal consumer lost the bus; reconnecting", exc_info=True)
                    eventlet.sleep(2)
            finally:
                self.pending = []  # unacked: the broker gives them back, in their order

    def _on_message(self, body, message):
        try:
            event = body if isinstance(body, dict) else json.loads(body)
            event["event_id"], event["type"]
        except Exception:
            log.error("journal: not an event, dropped: %r", str(body)[:200])
            self.db.journal_rejects.insert_one({"body": str(body)[:10000]})
            message.ack()
            return
        self.pending.append((event, message))

    def _record_pending(self, conn):
        """Record the events read, in their order, then ack them. Until the store takes them
        the same batch is tried again, never requeued: later events are already on their way
        to this consumer, and a requeued one would be recorded after them. Should the
        connection go meanwhile, the broker gives the batch back, in order, to whoever
        consumes next (recording is idempotent by event id)."""
        if not self.pending:
            return
        events = [event for event, _ in self.pending]
        while True:
            try:
                keys = handlers.record_many(self.db, self.clock.now(), events)
                break
            except Exception:
                log.warning(
                    "journal: %d event(s) from %s not recorded; trying again",
                    len(events),
                    events[0]["event_id"],
                    exc_info=True,
                )
                if not self.running:
                    return
                eventlet.sleep(1)
                conn.heartbeat_check()
        for _, message in self.pending:
            message.ack()
        self.pending = []
        for key in keys:
            sub = key.split(":")[1]
            self.submit(key, sub)
