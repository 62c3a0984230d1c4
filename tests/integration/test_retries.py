"""A handler that fails is retried later, not dropped and not in a hot loop; after its last
try the message is parked, listed, and replayed once the cause is fixed
(lianxin/consuming.py, lianxin/parked.py)."""

import time
import uuid

import pytest
from kombu import Connection

from lianxin import bus, parked, settings
from lianxin.consuming import event_handler, parked_queue
from tests.helpers import wait_for

pytestmark = pytest.mark.integration
DELAYS = (0.5, 1.0)
calls = []
healthy = {"from_try": 99}


class Probe:
    name = "retry_probe"

    @event_handler(settings.EVENT_SOURCE, "probe.happened")
    def on_probe(self, event):
        calls.append((event["event_id"], time.monotonic()))
        if len([c for c in calls if c[0] == event["event_id"]]) < healthy["from_try"]:
            raise RuntimeError("the store is away")


@pytest.fixture
def probe(monkeypatch, config, runner_factory):
    monkeypatch.setattr(settings, "EVENT_RETRY_DELAYS", DELAYS)
    bus.declare_topology(config["AMQP_URI"])
    with Connection(config["AMQP_URI"]) as conn:
        parked_queue()(conn.channel()).purge()
    calls.clear()
    runner = runner_factory(config, Probe)
    runner.start()
    publisher = bus.EventPublisher(config["AMQP_URI"])

    def send():
        event = {"event_id": uuid.uuid4().hex, "type": "probe.happened"}
        publisher.publish(event)
        return event["event_id"]

    return send


def tries(event_id):
    return [t for e, t in calls if e == event_id]


def test_a_failing_handler_is_retried_after_each_delay_until_it_succeeds(probe, config):
    healthy["from_try"] = 3
    event_id = probe()
    wait_for(lambda: len(tries(event_id)) >= 3, timeout=20)
    time.sleep(1.5)
    at = tries(event_id)
    assert len(at) == 3  # handled once it worked; never again after
    assert at[1] - at[0] >= DELAYS[0] * 0.9 and at[2] - at[1] >= DELAYS[1] * 0.9
    assert parked.count(config["AMQP_URI"]) == 0


def test_after_the_last_try_the_message_is_parked_and_replayed_once_fixed(probe, config):
    healthy["from_try"] = 99
    event_id = probe()
    wait_for(lambda: parked.count(config["AMQP_URI"]) == 1, timeout=20)
    assert len(tries(event_id)) == len(DELAYS) + 1
    [item] = parked.list_parked(config["AMQP_URI"])
    assert item["queue"] == "evt-lianxin-probe.happened--retry_probe.on_probe"
    assert item["tries"] == len(DELAYS) + 1
    assert item["event"]["event_id"] == event_id
    assert "the store is away" in item["error"][0]
    assert parked.count(config["AMQP_URI"]) == 1  # listing leaves it parked

    healthy["from_try"] = len(DELAYS) + 2  # the cause is fixed: the next try works
    assert parked.replay(config["AMQP_URI"]) == 1
    wait_for(lambda: len(tries(event_id)) == len(DELAYS) + 2, timeout=10)
    time.sleep(1)
    assert len(tries(event_id)) == len(DELAYS) + 2
    assert parked.count(config["AMQP_URI"]) == 0
