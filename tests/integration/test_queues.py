"""Queue documents (lianxin/queues.py) follow the cases through the one door, and a queue page
read from them is the page the store's query gives: the same cases in the same order, page
after page, for a unit and for the office; a queue that missed a write is put right."""

import random
import uuid

import pytest

from bench import generate
from lianxin import cases, casestore, queues, store
from services.handling import rules as handling
from services.reading import queries
from tests.conftest import MONGO_URI

pytestmark = pytest.mark.integration

HANDLER = {"username": "cg_handler", "role": "handler", "unit": "chengguan_town", "name": "h"}
SMALL_UNIT = {"username": "x", "role": "handler", "unit": "party_office", "name": "x"}
OFFICE = {"username": "supervisor", "role": "supervisor", "unit": None, "name": "s"}
NOW = generate.NOW


class Publisher:
    def publish(self, event):
        pass


@pytest.fixture(scope="module")
def county():
    """About 400 cases of the last three weeks, stored through the case store (one store
    for the module: the tests that change cases run after those that only read)."""
    name = f"lx_queues_{uuid.uuid4().hex[:8]}"
    db = store.database(MONGO_URI, name)
    rnd = random.Random(7)
    county = generate.County(db, generate.SECRET)
    store.ensure_indexes(db)
    door = casestore.CaseStore(db)
    times = list(generate.received_times(rnd, 400, days=21))
    for i, received in enumerate(times):
        doc, _, _ = generate.make_case(county, rnd, f"LX-T-{i:06d}", received, i % 50)
        doc["outbox"] = []
        assert door.insert(doc, [], NOW)
    yield db
    store.client(MONGO_URI).drop_database(name)


def pages(db, filters, actor, limit=7, via_queues=True, monkeypatch=None):
    if not via_queues:
        monkeypatch.setattr(queries, "_from_queues", lambda *a: None)
    ids, cursor = [], None
    while True:
        page = queries.list_cases(
            db, NOW, {**filters, "sort": "due_at", "limit": limit, "cursor": cursor}, actor
        )
        ids += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    monkeypatch.undo() if monkeypatch else None
    return ids


@pytest.mark.parametrize("actor", [HANDLER, SMALL_UNIT, OFFICE], ids=lambda a: a["username"])
@pytest.mark.parametrize("status", [*queues.STATES, "assigned,in_progress,return_requested"])
def test_queue_pages_are_the_store_s_pages(county, monkeypatch, actor, status):
    answered = []
    real = queries._from_queues

    def from_queues(*args):
        rows = real(*args)
        answered.append(rows is not None)
        return rows

    monkeypatch.setattr(queries, "_from_queues", from_queues)
    got = pages(county, {"status": status}, actor, limit=3)
    assert answered and all(answered)  # every page came from the queue documents
    monkeypatch.undo()
    want = pages(county, {"status": status}, actor, 3, via_queues=False, monkeypatch=monkeypatch)
    assert got == want


def test_the_office_queue_spans_pages(county):
    assert len(pages(county, {"status": "in_progress"}, OFFICE, limit=3)) > 30


def test_a_case_moves_between_queues_as_it_is_handled(county):
    case = county.cases.find_one({"status": "assigned", "assignment.lead_unit": "chengguan_town"})
    assert case["_id"] in pages(county, {"status": "assigned"}, HANDLER)
    change = handling.claim(case, HANDLER, {}, NOW)
    cases.apply(county, Publisher(), NOW, case, HANDLER, "claim", change)
    assert case["_id"] not in pages(county, {"status": "assigned"}, HANDLER)
    assert case["_id"] in pages(county, {"status": "in_progress"}, HANDLER)
    assert case["_id"] in pages(county, {"status": "in_progress"}, OFFICE)


def test_a_queue_that_missed_a_write_is_put_right(county, monkeypatch):
    case = county.cases.find_one({"status": "replied", "assignment.lead_unit": "chengguan_town"})
    # as if the case's claim had been stored and its queue's write lost in a crash
    county.queues.update_one(
        {"_id": queues.key("chengguan_town", "assigned")},
        {"$set": {f"c.{case['_id']}": None}},
        upsert=True,
    )
    want = pages(county, {"status": "assigned"}, HANDLER, via_queues=False, monkeypatch=monkeypatch)
    assert case["_id"] not in want
    assert pages(county, {"status": "assigned"}, HANDLER) == want
    doc = county.queues.find_one({"_id": queues.key("chengguan_town", "assigned")})
    assert case["_id"] not in doc["c"]


def test_a_rebuild_makes_the_same_queues(county):
    kept = {d["_id"]: d["c"] for d in county.queues.find()}
    assert queues.rebuild(county) == len({i for c in kept.values() for i in c})
    assert {d["_id"]: d["c"] for d in county.queues.find()} == kept
