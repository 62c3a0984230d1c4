"""The store keeps MongoDB's single-document atomicity, which every compare-and-set in Lianxin
relies on (on FerretDB only with the patch `./lx` builds in; see docs/decisions)."""

import threading

import pytest

pytestmark = pytest.mark.integration


def _run_threads(n, target):
    threads = [threading.Thread(target=target) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_compare_and_set_lets_exactly_one_writer_win_each_version(db):
    db.probe.insert_one({"_id": "x", "version": 0})
    wins = []

    def writer():
        for _ in range(20):
            v = db.probe.find_one({"_id": "x"})["version"]
            if db.probe.update_one(
                {"_id": "x", "version": v}, {"$set": {"version": v + 1}}
            ).modified_count:
                wins.append(v)

    _run_threads(8, writer)
    assert len(wins) == len(set(wins)) == db.probe.find_one({"_id": "x"})["version"]


def test_concurrent_increments_are_not_lost(db):
    db.probe.insert_one({"_id": "n", "seq": 0})

    def incrementer():
        for _ in range(25):
            db.probe.find_one_and_update({"_id": "n"}, {"$inc": {"seq": 1}})

    _run_threads(8, incrementer)
    assert db.probe.find_one({"_id": "n"})["seq"] == 200


def test_outbox_flush_removes_what_it_published(db):
    from lianxin import outbox
    from lianxin.clock import utcnow
    from lianxin.events import make_event

    published = []
    events = [
        make_event("case.received", now=utcnow(), case_id="c1", data={"a": {"b": [1]}}),
        make_event("case.assigned", now=utcnow(), case_id="c1"),
    ]
    db.cases.insert_one({"_id": "c1", "outbox": events, "outbox_since": utcnow()})

    class Recorder:
        def publish(self, event):
            published.append(event["event_id"])

    outbox.flush(db, Recorder(), "c1", db.cases.find_one({"_id": "c1"})["outbox"])
    case = db.cases.find_one({"_id": "c1"})
    assert published == [e["event_id"] for e in events]
    assert case["outbox"] == [] and "outbox_since" not in case


def test_outbox_flush_leaves_another_writer_s_events_and_note(db):
    from lianxin import outbox
    from lianxin.clock import utcnow
    from lianxin.events import make_event

    ours, theirs = (make_event("case.assigned", now=utcnow(), case_id="c2") for _ in range(2))
    our_token = outbox.mark(db, "c2", utcnow())
    db.cases.insert_one({"_id": "c2", "outbox": [ours], "outbox_since": utcnow()})
    their_token = outbox.mark(db, "c2", utcnow())  # a later writer renews the note …
    db.cases.update_one({"_id": "c2"}, {"$push": {"outbox": theirs}})  # … and adds its event

    class Recorder:
        def publish(self, event):
            pass

    outbox.flush(db, Recorder(), "c2", [ours], token=our_token)
    case = db.cases.find_one({"_id": "c2"})
    assert case["outbox"] == [theirs] and "outbox_since" in case
    assert db.outbox_due.find_one({"_id": "cases:c2"})["token"] == their_token
    outbox.flush(db, Recorder(), "c2", [theirs], token=their_token)
    case = db.cases.find_one({"_id": "c2"})
    assert case["outbox"] == [] and "outbox_since" not in case
    assert db.outbox_due.find_one({"_id": "cases:c2"}) is None


def test_every_field_name_an_admin_item_accepts_the_store_keeps_and_reads_back(db):
    """The admin items' name rule (lianxin/admin_schemas.py) against the store itself: each
    ASCII character and a few awkward others, in a top-level and a nested name; what the
    schema lets through must be written and read back unchanged, collection and all."""
    from marshmallow import ValidationError

    from lianxin.admin_schemas import UnitSchema

    unit = {"name": "县某局", "kind": "department"}
    chars = [chr(i) for i in range(1, 0x80)] + ["\x85", "\xad", "\u2028", "\ufeff", "\U0001d413"]
    kept, refused = [], []
    for i, ch in enumerate(chars):
        name = f"a{ch}z"
        try:
            item = UnitSchema().load({**unit, "id": f"u{i}", name: 1, "n": {name: [ch]}})
        except ValidationError:
            refused.append(ch)
            continue
        db.probe_items.insert_one({"_id": item["id"], **item})
        kept.append(ch)
    stored = {d["_id"]: d for d in db.probe_items.find()}  # a poisoned collection fails here
    for i, ch in enumerate(chars):
        if ch in kept:
            assert stored[f"u{i}"][f"a{ch}z"] == 1 and stored[f"u{i}"]["n"] == {f"a{ch}z": [ch]}
    assert set(refused) == {".", '"', "\\"} | {chr(i) for i in range(1, 0x20)}
    assert len(kept) == len(chars) - len(refused)
