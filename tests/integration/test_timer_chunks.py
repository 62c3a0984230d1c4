"""The failure windows of the chunked sweep (lianxin/timers.py, decision 0031), on the real
store and broker: a chunk where some wakes are another replica's, a chunk whose alerts were
recorded but not (all) published when its replica died, a chunk whose lease ran out before
publishing, a clock a writer moved while its chunk was planned."""

from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pymongo import MongoClient, monitoring

from bench.open_cases import load
from lianxin import timers
from lianxin.bus import EventPublisher
from lianxin.clock import exact_utcnow
from lianxin.events import event_id_for
from services.supervision import sweeps, watch
from tests.conftest import MONGO_URI

pytestmark = pytest.mark.integration
START = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # Tue, 10:00
DAY3 = START + timedelta(days=3)  # every case owes its unclaimed notice and its first notice
RULES = watch.Rules()


class Killed(Exception):
    """The replica dies here."""


class DiesBeforePublishing(EventPublisher):
    def publish_many(self, events, timeout=30, texts=None):
        raise Killed()


def _sweep(db, publisher, holder, real_now, chunk=4, lease=30):
    return sweeps.sweep_clocks(db, publisher, DAY3, real_now, holder, RULES, 100, lease, chunk)


def _supervision(events):
    return [e for e in events if e["type"].startswith("supervision.")]


def test_wakes_held_by_another_replica_are_left_and_expired_ones_taken_over(
    db, amqp_uri, event_tap
):
    load(db, 10, START, ["environment_bureau"])
    clocks = sorted(db.clocks.find(), key=lambda c: c["_id"])
    real_now = exact_utcnow()
    for clock in clocks[:4]:  # a live replica holds these
        db.clock_claims.insert_one(
            {
                "_id": timers.claim_key(clock["_id"], clock["next_at"]),
                "holder": "other",
                "until": real_now + timedelta(seconds=60),
                "at": real_now,
            }
        )
    for clock in clocks[4:6]:  # a dead one held these: expired
        db.clock_claims.insert_one(
            {
                "_id": timers.claim_key(clock["_id"], clock["next_at"]),
                "holder": "dead",
                "until": real_now - timedelta(seconds=1),
                "at": real_now - timedelta(seconds=31),
            }
        )
    stats = _sweep(db, EventPublisher(amqp_uri), "me", real_now, chunk=4)
    assert stats == {"clocks": 6, "alerts": 12}
    events = _supervision(event_tap.drain(wait=1))
    cases = sorted(e["case_id"] for e in events)
    assert cases == sorted(c["case_id"] for c in clocks[4:] for _ in (1, 2))
    holders = {c["_id"]: c["holder"] for c in db.clock_claims.find()}
    assert sorted(holders.values()) == ["me"] * 6 + ["other"] * 4
    for clock in clocks[:4]:  # still due, for the replica that holds them
        assert db.clocks.find_one({"_id": clock["_id"]})["next_at"] == clock["next_at"]
    for clock in clocks[4:]:
        assert db.clocks.find_one({"_id": clock["_id"]})["next_at"] > DAY3


def test_alerts_recorded_by_a_replica_killed_before_publishing_are_published_once_later(
    db, amqp_uri, event_tap
):
    load(db, 6, START, ["environment_bureau"])
    real_now = exact_utcnow()
    with pytest.raises(Killed):
        _sweep(db, DiesBeforePublishing(amqp_uri), "dying", real_now, chunk=6)
    recorded = {d["_id"]: timers.recorded_event(d) for d in db.alerts_sent.find()}
    assert len(recorded) == 12 and db.alerts_published.count_documents({}) == 0
    assert db.clocks.count_documents({"next_at": {"$gt": START}}) == 0  # no clock moved
    assert _supervision(event_tap.drain(wait=0.5)) == []
    # Before dying, an earlier holder had published (and marked) a third of them.
    early = sorted(recorded)[:4]
    publisher = EventPublisher(amqp_uri)
    publisher.publish_many([recorded[k] for k in early])
    db.alerts_published.insert_many([{"_id": k, "at": DAY3} for k in early])
    event_tap.drain(wait=0.5)
    # Two records as written before decision 0043 kept them: the event as a document.
    for k in sorted(recorded)[4:6]:
        db.alerts_sent.update_one({"_id": k}, {"$set": {"event": recorded[k]}})
    # While the dead replica's claims last, nobody touches its chunk…
    assert _sweep(db, publisher, "other", real_now + timedelta(seconds=5)) == {
        "clocks": 0,
        "alerts": 0,
    }
    # …then another replica takes it over and publishes the rest, with the recorded ids.
    stats = _sweep(db, publisher, "other", real_now + timedelta(seconds=31))
    assert stats == {"clocks": 6, "alerts": 8}
    events = _supervision(event_tap.drain(wait=1))
    assert sorted(e["event_id"] for e in events) == sorted(
        recorded[k]["event_id"] for k in recorded if k not in early
    )
    assert db.alerts_published.count_documents({}) == 12
    assert db.clocks.count_documents({"next_at": {"$gt": DAY3}}) == 6
    # A third sweep finds nothing due and sends nothing.
    assert _sweep(db, publisher, "third", real_now + timedelta(seconds=62))["alerts"] == 0
    assert _supervision(event_tap.drain(wait=0.5)) == []


class DiesAfterOneBatch(EventPublisher):
    """Publishes (and lets the sweep mark) its first batch, then dies."""

    def __init__(self, amqp_uri):
        super().__init__(amqp_uri)
        self.batches = 0

    def publish_many(self, events, timeout=30, texts=None):
        self.batches += 1
        if self.batches > 1:
            raise Killed()
        super().publish_many(events, timeout, texts)


def test_a_batch_marked_published_is_not_sent_again_and_the_unmarked_rest_is(
    db, amqp_uri, event_tap, monkeypatch
):
    monkeypatch.setattr(timers, "PUBLISH_BATCH", 5)
    load(db, 6, START, ["environment_bureau"])
    real_now = exact_utcnow()
    with pytest.raises(Killed):
        _sweep(db, DiesAfterOneBatch(amqp_uri), "dying", real_now, chunk=6)
    recorded = {d["_id"]: d for d in db.alerts_sent.find()}
    assert len(recorded) == 12 and len({d["batch"] for d in recorded.values()}) == 3
    marks = [d["_id"] for d in db.alerts_published.find()]  # one document for the first batch
    assert len(marks) == 1 and marks[0].startswith("batch:")
    first = {k for k, d in recorded.items() if d["batch"] == marks[0]}
    assert len(first) == 5 and timers.unpublished(db) == set(recorded) - first
    published = _supervision(event_tap.drain(wait=1))
    assert sorted(e["event_id"] for e in published) == sorted(
        timers.recorded_event(recorded[k])["event_id"] for k in first
    )
    # Once the dead replica's claims ran out, the other seven go out once, with their ids.
    publisher = EventPublisher(amqp_uri)
    stats = _sweep(db, publisher, "other", real_now + timedelta(seconds=31))
    assert stats == {"clocks": 6, "alerts": 7}
    events = _supervision(event_tap.drain(wait=1))
    assert sorted(e["event_id"] for e in events) == sorted(
        timers.recorded_event(recorded[k])["event_id"] for k in recorded if k not in first
    )
    assert timers.unpublished(db) == set()
    assert _sweep(db, publisher, "third", real_now + timedelta(seconds=62))["alerts"] == 0
    assert _supervision(event_tap.drain(wait=0.5)) == []


def test_a_chunk_whose_claims_were_taken_over_before_publishing_is_left_to_the_new_holder(
    db, amqp_uri, event_tap
):
    load(db, 3, START, ["environment_bureau"])
    publisher, real_now = EventPublisher(amqp_uri), exact_utcnow()

    def slow_plan(clocks):  # so slow that the claims expired and another replica took one
        db.clock_claims.update_one({}, {"$set": {"holder": "other"}})
        return sweeps.plan_clocks(db, DAY3, clocks, RULES)

    # A lease of zero: the chunk is past half its lease when it would publish, so it renews
    # its claims first, finds one no longer its own, and leaves the chunk.
    stats = timers.sweep(db, db.clocks, publisher, slow_plan, DAY3, real_now, "slow", 100, 0, 4)
    assert stats == {"clocks": 0, "alerts": 0}
    assert db.alerts_sent.count_documents({}) == 6
    assert db.alerts_published.count_documents({}) == 0
    assert db.clocks.count_documents({"next_at": {"$gt": START}}) == 0
    assert _supervision(event_tap.drain(wait=0.5)) == []
    stats = _sweep(db, publisher, "next", real_now + timedelta(seconds=1))
    assert stats == {"clocks": 3, "alerts": 6}
    events = _supervision(event_tap.drain(wait=1))
    assert len(events) == len({e["event_id"] for e in events}) == 6


def test_a_slow_chunk_renews_its_claims_and_finishes(db, amqp_uri, event_tap):
    load(db, 3, START, ["environment_bureau"])
    stats = _sweep(db, EventPublisher(amqp_uri), "slow", exact_utcnow(), lease=0)
    assert stats == {"clocks": 3, "alerts": 6}
    assert len(_supervision(event_tap.drain(wait=1))) == 6


def test_a_clock_moved_by_a_writer_while_its_chunk_is_planned_keeps_the_writers_wake(db, amqp_uri):
    load(db, 4, START, ["environment_bureau"])
    moved = sorted(c["_id"] for c in db.clocks.find())[0]
    writers_wake = DAY3 - timedelta(hours=1)

    def plan(clocks):
        db.clocks.update_one({"_id": moved}, {"$set": {"next_at": writers_wake}})  # a writer
        return sweeps.plan_clocks(db, DAY3, clocks, RULES)

    stats = timers.sweep(
        db, db.clocks, EventPublisher(amqp_uri), plan, DAY3, exact_utcnow(), "me", 100, 30, 4
    )
    assert stats["clocks"] == 4
    assert db.clocks.find_one({"_id": moved})["next_at"] == writers_wake
    assert all(c["next_at"] > DAY3 for c in db.clocks.find() if c["_id"] != moved)


class Inserts(monitoring.CommandListener):
    """The documents of every insert command a client sends, by collection."""

    def __init__(self):
        self.docs = {}

    def started(self, event):
        if event.command_name == "insert":
            name = event.command["insert"]
            self.docs[name] = self.docs.get(name, 0) + len(event.command.get("documents", []))

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


@contextmanager
def counting_inserts(db_name):
    """The test's database through a client of its own, and the documents of every insert
    command it sends, by collection."""
    inserts = Inserts()
    client = MongoClient(MONGO_URI, tz_aware=True, event_listeners=[inserts])
    try:
        yield client[db_name], inserts.docs
    finally:
        client.close()


def test_alerts_met_again_are_read_not_inserted_and_only_the_new_ones_go_out(
    db, db_name, amqp_uri, event_tap
):
    # The latest supervision notice stays due at every wake of its clock: a sweep meets the
    # alerts it sent before, and reads their records instead of inserting refused duplicates
    # (decision 0045).
    publisher = EventPublisher(amqp_uri)

    def outgoing(keys):
        return [
            timers.Outgoing(timers.Alert(k, "supervision.notice", "supervision"), f"case-{k}")
            for k in keys
        ]

    assert timers.emit_many(db, publisher, DAY3, outgoing(["a", "b", "c"])) == 3
    first = {e["event_id"] for e in _supervision(event_tap.drain(wait=1))}
    with counting_inserts(db_name) as (counted, inserted):
        sent = timers.emit_many(counted, publisher, DAY3, outgoing(["a", "b", "c", "d", "e"]))
    assert sent == 2
    assert inserted["alerts_sent"] == 2  # only d and e were recorded
    again = _supervision(event_tap.drain(wait=1))
    assert sorted(e["event_id"] for e in again) == sorted(event_id_for(k) for k in ("d", "e"))
    assert first.isdisjoint(e["event_id"] for e in again)
    assert db.alerts_sent.count_documents({}) == 5 and timers.unpublished(db) == set()


def test_a_wake_that_meets_the_alerts_of_its_last_wake_records_and_sends_only_the_new_ones(
    db, db_name, amqp_uri, event_tap
):
    # An unclaimed case's notice and its current supervision notice stay due at every wake of
    # its clock: the next wake reads their records and records only what is new (0045).
    load(db, 4, START, ["environment_bureau"])
    publisher = EventPublisher(amqp_uri)
    assert _sweep(db, publisher, "me", exact_utcnow()) == {"clocks": 4, "alerts": 8}
    first = {e["event_id"] for e in _supervision(event_tap.drain(wait=1))}
    before = {d["_id"] for d in db.alerts_sent.find({}, {"_id": 1})}
    clocks = list(db.clocks.find())
    wake = min(c["next_at"] for c in clocks)
    cases = {c["_id"]: c for c in db.cases.find()}
    due = [
        a.key
        for c in clocks
        if c["next_at"] == wake
        for a in watch.evaluate(cases[c["case_id"]], c, wake, RULES)[0]
    ]
    new = set(due) - before
    assert new and set(due) & before  # something new, and something met again
    with counting_inserts(db_name) as (counted, inserted):
        stats = sweeps.sweep_clocks(
            counted, publisher, wake, exact_utcnow(), "me", RULES, 100, 30, 4
        )
    assert stats["alerts"] == len(new)
    assert inserted["alerts_sent"] == len(new)
    again = _supervision(event_tap.drain(wait=1))
    assert sorted(e["event_id"] for e in again) == sorted(event_id_for(k) for k in new)
    assert first.isdisjoint(e["event_id"] for e in again)
