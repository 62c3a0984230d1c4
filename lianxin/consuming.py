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
import socket
import traceback

import eventlet
from eventlet.hubs import get_hub, trampoline
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


class _Woken(Exception):
    """Thrown into a consumer's loop parked in `park`: look at once whether to stop."""


def park(owner, conn, seconds):
    """A consumer loop's idle wait, run by the loop's greenthread: until the broker sends
    something on `conn` (True), `seconds` pass or `wake(owner, …)` is called (False)."""
    if owner.__dict__.pop("_lx_wake", False):
        return False
    owner._lx_parked = True
    try:
        trampoline(conn.connection.sock, read=True, timeout=seconds, timeout_exc=socket.timeout)
        return True
    except (socket.timeout, _Woken):
        return False
    finally:
        owner._lx_parked = False


def drain(owner, conn):
    """One turn of a consumer loop: wait in `park` (`settings.CONSUMER_WAKE_SECONDS` at
    most), then read what came, its callbacks run. True when a message was handled; on a
    timeout or a wake, the connection's heartbeat is checked instead. Reads only once the
    socket has something, so a wake never interrupts a read."""
    if park(owner, conn, settings.CONSUMER_WAKE_SECONDS):
        try:
            conn.drain_events(timeout=1)  # what woke the socket is there, or a frame's rest
            return True
        except socket.timeout:
            pass
    conn.heartbeat_check()
    return False


def readable(conn):
    """Whether the broker has sent something on `conn` that is not read yet (no wait)."""
    try:
        trampoline(conn.connection.sock, read=True, timeout=0.001, timeout_exc=socket.timeout)
    except socket.timeout:
        return False
    return True


def wake(owner, gt):
    """Have the loop `gt` of `owner` go round now (to stop, or drop a consumer): at the hub's
    next turn if it is parked, otherwise its next `park` returns at once. Only `park`'s wait
    is interrupted, never a read or a write on the connection."""
    owner._lx_wake = True

    def throw():
        if owner.__dict__.get("_lx_parked") and gt is not None and not gt.dead:
            gt.throw(_Woken())

    get_hub().schedule_call_global(0, throw)


def _consume(self, limit=None, timeout=None, safety_interval=1, **kwargs):
    """kombu's `ConsumerMixin.consume` (the loop of nameko's consumer), but turning by
    `drain`: idle it sleeps `settings.CONSUMER_WAKE_SECONDS` instead of one second and is
    woken by `wake`."""
    with self.consumer_context(**kwargs) as (conn, channel, consumers):
        while not self.should_stop:
            self.on_iteration()
            if self.should_stop:
                break
            try:
                drained = drain(self, conn)
            except OSError:
                if not self.should_stop:
                    raise
            else:
                if drained:
                    yield


_unregister_provider = QueueConsumer.unregister_provider
_stop = QueueConsumer.stop


def _unregister_provider_now(self, provider):
    wake(self, self._gt)
    return _unregister_provider(self, provider)


def _stop_now(self):
    wake(self, self._gt)
    return _stop(self)


def harden_nameko():
    """Apply the changes above (idempotent; the runner calls it before starting). The last
    one lets an idle consumer sleep `settings.CONSUMER_WAKE_SECONDS` between two looks at
    whether it must stop (kombu wakes it every second: after the store client's threads, an
    idle process's largest cost, docs/decisions/0035): a message wakes it at once, and so do
    a stop and a provider's removal."""
    QueueConsumer.ack_message = _ack_message
    QueueConsumer.requeue_message = _requeue_message
    RpcConsumer.handle_result = _rpc_reply
    QueueConsumer.consume = _consume
    QueueConsumer.unregister_provider = _unregister_provider_now
    QueueConsumer.stop = _stop_now
