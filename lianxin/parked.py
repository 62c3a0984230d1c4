"""The parked messages: events a handler failed on after every retry (lianxin/consuming.py).

    python -m lianxin.parked list              what is parked: queue, tries, when, the error
    python -m lianxin.parked replay [N]        put the first N (default: all) back on the
                                               queue each came from, with a fresh set of tries
    python -m lianxin.parked replay --queue Q  only those of queue Q

Fix the cause first (the store back, a bug deployed away): a replayed message that fails
again goes through its retries and parks again. Handlers are idempotent, so replaying a
message whose work was done meanwhile (by a re-drive) does no harm.
"""

import argparse
import json
import sys

from kombu import Connection, Producer
from nameko.constants import PERSISTENT

from . import settings
from .consuming import ATTEMPT, DELAY, ERROR, ORIGIN, PARKED_QUEUE, parked_queue


def count(amqp_uri=None):
    """How many messages are parked (None when the bus cannot say)."""
    with Connection(amqp_uri or settings.AMQP_URI, connect_timeout=2) as conn:
        return parked_queue()(conn.channel()).queue_declare(passive=True).message_count


def _each(conn):
    """Every parked message, taken unacked (they go back when the connection closes)."""
    channel = conn.channel()
    parked_queue()(channel).declare()
    while True:
        message = channel.basic_get(PARKED_QUEUE, no_ack=False)
        if message is None:
            return
        yield channel, message


def _summary(message):
    headers = message.headers or {}
    try:
        body = json.loads(message.body)
    except ValueError:
        body = {}
    return {
        "queue": headers.get(ORIGIN),
        "tries": headers.get(ATTEMPT),
        "parked_at": headers.get("lianxin-parked-at"),
        "event": {k: body.get(k) for k in ("type", "event_id", "case_id")}
        if isinstance(body, dict)
        else None,
        "error": (headers.get(ERROR) or "").strip().splitlines()[-1:],
    }


def list_parked(amqp_uri=None):
    with Connection(amqp_uri or settings.AMQP_URI, connect_timeout=5) as conn:
        return [_summary(m) for _, m in _each(conn)]


def replay(amqp_uri=None, limit=None, queue=None):
    """Put parked messages back on their queues; returns how many."""
    done = 0
    with Connection(
        amqp_uri or settings.AMQP_URI,
        connect_timeout=5,
        transport_options={"confirm_publish": True},
    ) as conn:
        producer = Producer(conn.channel())
        for channel, message in _each(conn):
            headers = dict(message.headers or {})
            origin = headers.get(ORIGIN)
            if (
                limit is not None
                and done >= limit
                or not origin
                or queue is not None
                and origin != queue
            ):
                continue  # left unacked: back in the parked queue when we disconnect
            for name in (ATTEMPT, DELAY, ORIGIN, ERROR, "lianxin-parked-at"):
                headers.pop(name, None)
            producer.publish(
                message.body,
                exchange="",
                routing_key=origin,
                content_type=message.content_type,
                content_encoding=message.content_encoding,
                delivery_mode=PERSISTENT,
                headers=headers,
            )
            channel.basic_ack(message.delivery_tag)
            done += 1
    return done


def main(argv):
    parser = argparse.ArgumentParser(
        prog="python -m lianxin.parked",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["list", "replay"])
    parser.add_argument("n", nargs="?", type=int)
    parser.add_argument("--queue")
    args = parser.parse_args(argv)
    if args.command == "list":
        for item in list_parked():
            print(json.dumps(item, ensure_ascii=False))
    else:
        print(f"replayed {replay(limit=args.n, queue=args.queue)} message(s)")


if __name__ == "__main__":
    main(sys.argv[1:])
