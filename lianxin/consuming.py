"""Consuming the bus through faults: event handlers that retry with back-off and then park,
and nameko's acks and RPC replies made harmless on a connection that has just died.

A handler that raises is neither acked and dropped (nameko's default) nor requeued in a hot
loop (`requeue_on_error`): its message is published again, whole, to a delay queue
`lianxin.retry.<s>s` (a queue-level TTL of s seconds, one queue per delay so that messages
expire in order) whose dead-letter exchange is the default exchange. When the TTL runs out,
RabbitMQ routes the message by its routing key — the name of the handler's own queue — back
to that queue and no other. The n-th failure waits `LX_EVENT_RETRY_DELAYS`[n-1] seconds; after
the last one the message goes to the `lianxin.parked` queue with the queue it came from and
the error, where an operator sees it (`/readyz`, RabbitMQ's management page,
`python -m lianxin.parked list`) and puts it back (`python -m lianxin.parked replay`).
Handlers are idempotent (event ids, compare-and-set), so a message handled again does no harm.
"""

import logging
import traceback

import eventlet
from kombu import Connection, Exchange, Producer, Queue
from nameko.constants import PERSISTENT
from nameko.events import EventHandler
from nameko.messaging import QueueConsumer
from nameko.rpc import RpcConsumer

from . import settings
from .clock import exact_utcnow, isoformat

log = logging.getLogger(__name__)

DELAY_EXCHANGE = "lianxin.delay"
PARKED_QUEUE = "lianxin.parked"
# (Not "x-…": a headers exchange ignores headers that start with "x-" when it matches.)
ATTEMPT = "lianxin-attempt"  # how many times the handler has failed on this message
DELAY = "lianxin-delay"  # which delay queue the headers exchange routes it to
ORIGIN = "lianxin-queue"  # on a parked message: the queue to put it back on
ERROR = "lianxin-error"


def delay_exchange():
    return Exchange(DELAY_EXCHANGE, type="headers", durable=True, auto_delete=False)


def _label(seconds):
    return f"{seconds:g}"


def delay_queue(seconds):
    """The queue a failed message waits in for `seconds` before going back to its own queue.
    The TTL is in the name: changing the delays declares new queues, never conflicting ones."""
    return Queue(
        f"lianxin.retry.{_label(seconds)}s",
        exchange=delay_exchange(),
        durable=True,
        auto_delete=False,
        binding_arguments={"x-match": "all", DELAY: _label(seconds)},
        queue_arguments={"x-message-ttl": int(seconds * 1000), "x-dead-letter-exchange": ""},
    )


def parked_queue():
    return Queue(PARKED_QUEUE, durable=True, auto_delete=False)


def retry_topology(delays=None):
    """The delay exchange, a delay queue per configured delay, and the parked queue."""
    delays = settings.EVENT_RETRY_DELAYS if delays is None else delays
    return [delay_exchange(), *(delay_queue(s) for s in delays), parked_queue()]


def _publish(amqp_uri, body, routing_key, exchange, message, headers):
    with Connection(
        amqp_uri, connect_timeout=5, transport_options={"confirm_publish": True}
    ) as conn:
        Producer(conn).publish(
            body,
            exchange=exchange,
            routing_key=routing_key,
            content_type=message.content_type,
            content_encoding=message.content_encoding,
            delivery_mode=PERSISTENT,
            headers=headers,
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
        )


def retry_later(amqp_uri, queue_name, message, error, delays=None):
    """Send a message whose handler failed to its next delay queue, or park it after the last
    try. Returns "retry" or "parked"; raises when the broker did not take it."""
    delays = settings.EVENT_RETRY_DELAYS if delays is None else delays
    headers = dict(message.headers or {})
    headers.pop("x-death", None)  # RabbitMQ's own dead-letter history: ours is ATTEMPT
    attempt = int(headers.get(ATTEMPT, 0)) + 1
    headers[ATTEMPT] = attempt
    if attempt <= len(delays):
        headers[DELAY] = _label(delays[attempt - 1])
        _publish(amqp_uri, message.body, queue_name, DELAY_EXCHANGE, message, headers)
        return "retry"
    headers.update(
        {ORIGIN: queue_name, ERROR: error[-2000:], "lianxin-parked-at": isoformat(exact_utcnow())}
    )
    _publish(amqp_uri, message.body, PARKED_QUEUE, "", message, headers)
    log.error(
        "parked a message of %s after %d tries: %s",
        queue_name,
        attempt,
        error.strip().splitlines()[-1] if error.strip() else "",
    )
    return "parked"


class RetryingEventHandler(EventHandler):
    """nameko's event handler, but a failed message is retried later, then parked."""

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is None:
            self.queue_consumer.ack_message(message)
            return
        error = "".join(traceback.format_exception(*exc_info))
        try:
            retry_later(self.container.config["AMQP_URI"], self.queue.name, message, error)
        except Exception:
            # The broker did not take it: leave it unacked. If the connection is gone the
            # broker hands it out again anyway; if not, it comes back after a pause.
            log.warning(
                "could not schedule a retry on %s; requeueing", self.queue.name, exc_info=True
            )
            eventlet.sleep(1)
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)


event_handler = RetryingEventHandler.decorator


# -- nameko on a dying connection ----------------------------------------------------------
# On a broker restart (or a closed connection) nameko 2.14 acks, requeues and replies on the
# connection that just died; the socket error escapes the worker thread and nameko kills the
# whole service container (docs/platform.md §2). An ack or a reply that cannot go out is not
# an error worth dying for: the broker hands the unacked message out again once the
# connection is gone, and every handler is idempotent.


def _ack_message(self, message):
    try:
        if message.channel.connection:
            message.ack()
    except Exception as exc:
        log.info("ack lost with the connection (%s): the broker will redeliver", exc)


def _requeue_message(self, message):
    try:
        if message.channel.connection:
            message.requeue()
    except Exception as exc:
        log.info("requeue lost with the connection (%s): the broker will redeliver", exc)


_rpc_handle_result = RpcConsumer.handle_result


def _rpc_reply(self, message, result, exc_info):
    try:
        return _rpc_handle_result(self, message, result, exc_info)
    except Exception as exc:
        log.warning(
            "RPC reply lost with the connection (%s): the caller times out and the "
            "request is redelivered",
            exc,
        )
        return result, exc_info


def harden_nameko():
    """Apply the three changes above (idempotent; the runner calls it before starting)."""
    QueueConsumer.ack_message = _ack_message
    QueueConsumer.requeue_message = _requeue_message
    RpcConsumer.handle_result = _rpc_reply
