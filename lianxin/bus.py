"""The bus: the `lianxin.events` exchange, the queues behind it, and a plain-JSON publisher.

Every event is published once, as plain JSON (no kombu type tags), to the durable topic
exchange `lianxin.events` with the event type as routing key. Internal consumers are nameko
`event_handler("lianxin", type)` entrypoints on the same exchange, and `declare_topology`
declares each of their durable queues before any service runs (docs/platform.md §2: an event
published before its consumer's queue exists is dropped), with the delay and parked queues
their retries go through (`lianxin/consuming.py`).
"""

import importlib
import json
import logging
import threading
import time

import amqp
from kombu import Connection, Exchange, Producer, Queue
from nameko.constants import PERSISTENT
from nameko.events import SERVICE_POOL, EventHandler
from nameko.extensions import DependencyProvider

from . import settings
from .consuming import retry_topology

log = logging.getLogger(__name__)


def events_exchange():
    # Same arguments as nameko's get_event_exchange, so both sides declare it identically.
    return Exchange(
        settings.EVENTS_EXCHANGE,
        type="topic",
        durable=True,
        delivery_mode=PERSISTENT,
        auto_delete=False,
    )


def load_service_class(dotted):
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)


def consumer_queues(service_cls):
    """The durable queues nameko will consume for the event handlers of `service_cls`."""
    queues = []
    for attr in dir(service_cls):
        method = getattr(service_cls, attr)
        for ep in getattr(method, "nameko_entrypoints", ()):
            if isinstance(ep, EventHandler) and ep.handler_type is SERVICE_POOL:
                name = f"evt-{ep.source_service}-{ep.event_type}--{service_cls.name}.{attr}"
                queues.append(
                    Queue(
                        name,
                        exchange=events_exchange(),
                        routing_key=ep.event_type,
                        durable=True,
                        auto_delete=False,
                    )
                )
    return queues


JOURNAL_QUEUE = "lianxin.journal"


def journal_queue():
    """Every event, for the feed and the webhooks, in bus order: a single-active-consumer
    queue, so that of all notify replicas one consumes at a time and the others stand by."""
    return Queue(
        JOURNAL_QUEUE,
        exchange=events_exchange(),
        routing_key="#",
        durable=True,
        auto_delete=False,
        queue_arguments={"x-single-active-consumer": True},
    )


def declare_topology(amqp_uri=None, service_paths=None):
    """Declare the exchange and every consumer queue of every service, and the retry path.
    Idempotent."""
    paths = service_paths or settings.SERVICES.values()
    with Connection(amqp_uri or settings.AMQP_URI, connect_timeout=10) as conn:
        channel = conn.channel()
        events_exchange()(channel).declare()
        journal_queue()(channel).declare()
        for entity in retry_topology():
            entity(channel).declare()
        for path in paths:
            for queue in consumer_queues(load_service_class(path)):
                queue(channel).declare()


class EventPublisher:
    """Publishes envelopes to `lianxin.events`, with publisher confirms and a reconnect."""

    def __init__(self, amqp_uri=None):
        self.amqp_uri = amqp_uri or settings.AMQP_URI
        self._local = threading.local()
        self._lock = threading.Lock()
        self._batches: list[BatchConfirmPublisher] = []  # idle confirm channels (publish_many)

    def _producer(self):
        producer = getattr(self._local, "producer", None)
        if producer is None:
            conn = Connection(
                self.amqp_uri, transport_options={"confirm_publish": True}, connect_timeout=10
            )
            producer = Producer(conn, exchange=events_exchange(), serializer="json")
            self._local.conn, self._local.producer = conn, producer
        return producer

    def _reset(self):
        conn = getattr(self._local, "conn", None)
        self._local.producer = self._local.conn = None
        if conn is not None:
            try:
                conn.release()
            except Exception:  # the connection is already gone
                pass

    def publish(self, event):
        body = json.dumps(event, ensure_ascii=False)
        for attempt in (1, 2):
            try:
                self._producer().publish(
                    body,
                    routing_key=event["type"],
                    content_type="application/json",
                    content_encoding="utf-8",
                    delivery_mode=PERSISTENT,
                    retry=True,
                    retry_policy={"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5},
                    declare=[events_exchange()],
                    headers={"event_id": event["event_id"]},
                )
                return
            except Exception:
                self._reset()
                if attempt == 2:
                    raise
                log.warning("publish of %s failed; reconnecting", event["type"], exc_info=True)

    def publish_many(self, events, timeout=30, texts=None):
        """Publish `events` in order and return once the broker confirmed every one (one
        round of confirms for the lot), within `timeout` seconds in all. `texts`, when given,
        are the events already written as JSON (the bodies sent). On a failure the
        whole batch is sent again once, on a new connection (the idle pooled channels are
        dropped too: they were most likely on the same broker): a consumer may see an event
        twice, always under its event id. Channels are pooled, not per thread: a sweep's
        worker threads are new at every sweep."""
        if not events:
            return
        deadline = time.monotonic() + timeout
        for attempt in (1, 2):
            batch = None
            if attempt == 1:
                with self._lock:
                    batch = self._batches.pop() if self._batches else None
            try:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(events)} publishes not confirmed in {timeout} s")
                if batch is None:
                    batch = BatchConfirmPublisher(self.amqp_uri, connect_timeout=min(10, left))
                batch.publish(events, max(deadline - time.monotonic(), 0.001), texts)
                with self._lock:
                    self._batches.append(batch)
                return
            except Exception:
                if batch is not None:
                    batch.release()
                with self._lock:
                    idle, self._batches = self._batches, []
                for other in idle:
                    other.release()
                if attempt == 2:
                    raise
                log.warning("publish of %d events failed; reconnecting", len(events), exc_info=True)


class BatchConfirmPublisher:
    """A confirm-mode channel of `EventPublisher.publish_many`'s pool, used by one caller at a
    time: every message of a batch is sent, then the broker's acks are awaited together (one
    round trip for the batch where `confirm_publish` waits for each message in turn)."""

    def __init__(self, amqp_uri, connect_timeout=10):
        self.conn = Connection(amqp_uri, connect_timeout=connect_timeout)
        self.channel = self.conn.channel()
        events_exchange()(self.channel).declare()
        self.channel.confirm_select()
        self.exchange = settings.EVENTS_EXCHANGE
        self.sent = 0  # delivery tags count up from 1 on a confirm-mode channel
        self.pending: set[int] = set()
        self.nacked: set[int] = set()
        self.channel.events["basic_ack"].add(self._ack)
        self.channel.events["basic_nack"].add(self._nack)

    def _settle(self, tag, multiple):
        done = {t for t in self.pending if t <= tag} if multiple else {tag} & self.pending
        self.pending -= done
        return done

    def _ack(self, tag, multiple):
        self._settle(tag, multiple)

    def _nack(self, tag, multiple):
        self.nacked |= self._settle(tag, multiple)

    def publish(self, events, timeout, texts=None):
        # The channel's own basic_publish with the message kombu's Producer would build (same
        # body, properties and headers): a quarter less of this process's time per message
        # than going through the Producer (measured in decision 0043).
        publish = self.channel.basic_publish
        if texts is None:
            texts = [json.dumps(event, ensure_ascii=False) for event in events]
        for event, text in zip(events, texts, strict=True):
            publish(
                amqp.Message(
                    text.encode(),
                    content_type="application/json",
                    content_encoding="utf-8",
                    delivery_mode=PERSISTENT,
                    application_headers={"event_id": event["event_id"]},
                ),
                exchange=self.exchange,
                routing_key=event["type"],
            )
            self.sent += 1
            self.pending.add(self.sent)
        deadline = time.monotonic() + timeout
        while self.pending:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{len(self.pending)} publishes not confirmed in {timeout} s")
            self.conn.drain_events(timeout=left)
        if self.nacked:
            count, self.nacked = len(self.nacked), set()
            raise RuntimeError(f"the broker refused {count} of {len(events)} publishes")

    def release(self):
        try:
            self.conn.release()
        except Exception:  # the connection is already gone
            pass


class Publisher(DependencyProvider):
    """nameko dependency: one EventPublisher per service container."""

    def setup(self):
        self.publisher = EventPublisher(self.container.config.get("AMQP_URI"))

    def get_dependency(self, worker_ctx):
        return self.publisher
