"""What the sweepers re-drive: work left behind by a crash, a lost message or a service that
was down, done once whatever the number of replicas."""

import time
from datetime import timedelta

import pytest

from lianxin import lease, settings
from lianxin.clock import utcnow
from lianxin.events import make_event
from lianxin.sweeper import Sweeps
from services.intake import domain as intake_domain
from tests.helpers import wait_for

from .test_flow import SUBMISSION

pytestmark = pytest.mark.integration


def _case(db, case_id, **extra):
    submission = {
        "channel": "web",
        "public_consent": False,
        "people_involved": 1,
        "urgency": "normal",
        **SUBMISSION,
    }
    case = intake_domain.new_case(case_id, submission, "ABCD2345", utcnow() - timedelta(minutes=5))
    case.update(extra)
    db.cases.insert_one(case)
    return case


def test_an_event_stranded_by_a_crash_after_the_write_is_published_later(
    start_services, db, event_tap
):
    # intake "crashed" after storing the case, before publishing case.received.
    event = make_event(
        "case.received", now=utcnow() - timedelta(minutes=5), case_id="LX-20261124-000901"
    )
    _case(db, "LX-20261124-000901", outbox=[event], outbox_since=utcnow() - timedelta(minutes=5))
    start_services("intake", "routing", "supervision")
    wait_for(
        lambda: db.cases.find_one({"_id": "LX-20261124-000901", "status": "assigned"}), timeout=30
    )
    seen = [e for e in event_tap.drain(wait=1) if e["event_id"] == event["event_id"]]
    assert len(seen) == 1
    assert db.cases.find_one({"_id": "LX-20261124-000901"})["outbox"] == []


def test_an_alert_stranded_by_a_crash_is_published_later(start_services, db, event_tap):
    # intake "crashed" after storing an alert, before publishing alert.raised.
    event = make_event(
        "alert.raised",
        now=utcnow() - timedelta(minutes=5),
        case_id="LX-20261124-000903",
        data={"alert_id": "collective:x"},
    )
    db.alerts.insert_one(
        {"_id": "collective:x", "outbox": [event], "outbox_since": utcnow() - timedelta(minutes=5)}
    )
    start_services("routing")  # any service relays any collection's stranded events
    wait_for(lambda: "outbox_since" not in db.alerts.find_one({"_id": "collective:x"}), timeout=30)
    seen = [e for e in event_tap.drain(wait=1) if e["event_id"] == event["event_id"]]
    assert len(seen) == 1 and db.alerts.find_one({"_id": "collective:x"})["outbox"] == []


def test_a_received_case_whose_event_was_lost_is_routed_by_the_sweeper(start_services, db):
    _case(db, "LX-20261124-000902")  # no event anywhere: lost, or routing failed on it
    start_services("routing", "supervision")
    case = wait_for(
        lambda: db.cases.find_one({"_id": "LX-20261124-000902", "status": "assigned"}), timeout=30
    )
    assert case["assignment_count"] == 1


def test_routing_retries_a_case_it_could_not_assign_while_supervision_was_down(
    start_services, rpc, db
):
    start_services("intake", "routing")
    receipt = rpc.intake.submit(SUBMISSION, "req:no-clock")
    # routing cannot start the clock without supervision, so the case stays received…
    wait_for(lambda: db.cases.find_one({"_id": receipt["id"]}), timeout=5)
    assert db.cases.find_one({"_id": receipt["id"]})["status"] == "received"
    start_services("supervision")
    # …until the sweeper routes it once supervision answers.
    case = wait_for(
        lambda: db.cases.find_one({"_id": receipt["id"], "status": "assigned"}), timeout=45
    )
    assert case["assignment_count"] == 1


def test_a_lease_has_one_holder_until_it_expires(db):
    now = utcnow()
    assert lease.acquire(db, "job", "a", now, 30)
    assert not lease.acquire(db, "job", "b", now, 30)
    assert lease.acquire(db, "job", "a", now + timedelta(seconds=10), 30)  # renewal
    assert lease.acquire(db, "job", "b", now + timedelta(seconds=41), 30)  # a died
    assert not lease.acquire(db, "job", "a", now + timedelta(seconds=42), 30)


def test_a_replica_refused_a_lease_asks_again_only_when_it_runs_out(db, monkeypatch):
    monkeypatch.setattr(settings, "LEASE_SECONDS", 1.5)
    asked = []
    acquire = lease.acquire
    monkeypatch.setattr(
        lease,
        "acquire",
        lambda db, name, holder, *a: asked.append(holder) or acquire(db, name, holder, *a),
    )
    a, b = Sweeps(db, "replica-a"), Sweeps(db, "replica-b")
    done = []
    assert a.run_once("job", lambda: done.append("a") or "a") == "a"
    assert b.run_once("job", lambda: done.append("b")) is None  # refused once...
    for _ in range(3):  # ...then not asked again while a's lease holds
        assert b.run_once("job", lambda: done.append("b")) is None
    assert asked == ["replica-a", "replica-b"]
    time.sleep(1.6)  # a died without renewing: b takes over as soon as its lease runs out
    assert b.run_once("job", lambda: done.append("b") or "b") == "b"
    assert done == ["a", "b"]
    # and a, refused now, waits for b's lease in turn
    assert a.run_once("job", lambda: done.append("a")) is None
    assert a.run_once("job", lambda: done.append("a")) is None
    assert asked == ["replica-a", "replica-b", "replica-b", "replica-a"]
