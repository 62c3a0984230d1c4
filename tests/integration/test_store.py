"""The store keeps MongoDB's single-document atomicity, which every compare-and-set in Lianxin
relies on (on FerretDB only with the patch `./lx` builds in; see docs/decisions)."""

import threading

import pytest
from pymongo import UpdateOne

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


def test_the_local_store_build_keeps_no_resource_tracking_profiles(tmp_path):
    """Patch 0006 (decision 0036): a release build of our FerretDB does not record a stack
    trace and a finalizer per iterator, cursor and transaction — its debug server lists no
    `FerretDB/…` profiles after queries that open and leave cursors."""
    import re
    import subprocess
    import time
    import urllib.request
    from pathlib import Path

    from nameko.testing.utils import find_free_port
    from pymongo import MongoClient

    root = Path(__file__).resolve().parents[2]
    binary = subprocess.run(
        ["bash", "-c", 'source scripts/lib.sh && printf %s "$FERRETDB_BIN"'],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if not Path(binary).exists():
        pytest.skip("the tests' store is not our FerretDB build")
    port, debug = find_free_port(), find_free_port()
    store = subprocess.Popen(
        [
            binary,
            "--handler=sqlite",
            f"--sqlite-url=file:{tmp_path}/",
            f"--listen-addr=127.0.0.1:{port}",
            "--telemetry=disable",
            "--log-level=warn",
            f"--state-dir={tmp_path}",
            f"--debug-addr=127.0.0.1:{debug}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = MongoClient(f"mongodb://127.0.0.1:{port}/", serverSelectionTimeoutMS=20000)
        db = client.probe
        db.c.insert_many([{"_id": str(i), "a": i} for i in range(50)])
        left_open = db.c.find({"a": {"$gt": 3}}).batch_size(5)
        next(left_open)  # a cursor the store keeps
        assert len(list(db.c.find())) == 50
        deadline = time.monotonic() + 10
        while True:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{debug}/debug/pprof/").read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert b"goroutine" in page  # the debug server's profile list
        assert re.findall(rb"FerretDB/[\w.]+", page) == []
        client.close()
    finally:
        store.terminate()
        store.wait(timeout=10)


def test_a_bulk_of_updates_by_id_applies_in_order_and_stops_at_a_failing_one(db):
    """An ordered bulk of updates by `_id` (a sweep's clocks): each statement sees what the
    ones before it wrote, a condition that no longer holds matches nothing, and a failing
    statement leaves the earlier ones applied and the later ones not run — on the local store
    through patch 0010's one read and one transaction (decision 0044)."""
    db.probe.insert_many([{"_id": f"c{i}", "n": i, "s": "x"} for i in range(300)])
    ops = [UpdateOne({"_id": f"c{i}", "n": i}, {"$inc": {"n": 1000}}) for i in range(300)]
    ops += [
        UpdateOne({"_id": "c0", "n": 1000}, {"$set": {"s": "seen"}}),  # sees the first write
        UpdateOne({"_id": "c1", "n": 1}, {"$set": {"s": "stale"}}),  # condition gone
        UpdateOne({"_id": "missing"}, {"$set": {"s": "none"}}),
    ]
    result = db.probe.bulk_write(ops)
    assert (result.matched_count, result.modified_count) == (301, 301)
    docs = {d["_id"]: d for d in db.probe.find()}
    assert all(docs[f"c{i}"]["n"] == 1000 + i for i in range(300))
    assert [docs["c0"]["s"], docs["c1"]["s"]] == ["seen", "x"] and "missing" not in docs

    # (the command itself: pymongo's bulk result wants counts FerretDB leaves out on an error)
    answer = db.command(
        "update",
        "probe",
        updates=[
            {"q": {"_id": "c2"}, "u": {"$set": {"s": "first"}}},
            {"q": {"_id": "c3"}, "u": {"$inc": {"s": 1}}},  # $inc of a string fails
            {"q": {"_id": "c4"}, "u": {"$set": {"s": "after"}}},
        ],
        ordered=True,
    )
    assert answer["writeErrors"][0]["code"] == 14  # TypeMismatch
    assert [db.probe.find_one({"_id": f"c{i}"})["s"] for i in (2, 3, 4)] == ["first", "x", "x"]
