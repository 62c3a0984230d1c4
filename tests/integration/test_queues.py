"""Queue documents (lianxin/queues.py) follow the cases through the one door, and a queue page
read from them is the page the store's query gives: the same cases in the same order, page
after page, for a unit and for the office; a queue that missed a write is put right."""

import json
import random
import uuid
from datetime import timedelta

import pytest

from bench import generate
from bench.open_cases import SUBMISSION
from lianxin import cases, casestore, queues, store
from services.handling import rules as handling
from services.intake import domain
from services.reading import queries
from services.supervision import sweeps
from tests.conftest import MONGO_URI
from tests.helpers import answers

pytestmark = pytest.mark.integration

HANDLER = {"username": "cg_handler", "role": "handler", "unit": "chengguan_town", "name": "h"}
SMALL_UNIT = {"username": "x", "role": "handler", "unit": "party_office", "name": "x"}
OFFICE = {"username": "supervisor", "role": "supervisor", "unit": None, "name": "s"}
CLERK = {"username": "clerk", "role": "clerk", "unit": None, "name": "c"}
NOW = generate.NOW


class Publisher:
    def publish(self, event):
        pass


@pytest.fixture(scope="module")
def county():
    """About 500 cases of the last three weeks, stored through the case store (one store
    for the module: the tests that change cases run after those that only read)."""
    name = f"lx_queues_{uuid.uuid4().hex[:8]}"
    db = store.database(MONGO_URI, name)
    rnd = random.Random(7)
    county = generate.County(db, generate.SECRET)
    store.ensure_indexes(db)
    queues.upgrade(db)  # the reading service's start on a fresh store
    door = casestore.CaseStore(db)
    times = list(generate.received_times(rnd, 500, days=21))
    for i, received in enumerate(times):
        doc, _, _ = generate.make_case(county, rnd, f"LX-T-{i:06d}", received, i % 50)
        doc["outbox"] = []
        assert door.insert(doc, [], NOW)
    yield db
    store.client(MONGO_URI).drop_database(name)


def pages(db, filters, actor, limit=7, via_queues=True, monkeypatch=None, sort="due_at"):
    if not via_queues:
        monkeypatch.setattr(queries, "_from_queues", lambda *a: None)
    ids, cursor = [], None
    while True:
        page = queries.list_cases(
            db, NOW, {**filters, "sort": sort, "limit": limit, "cursor": cursor}, actor
        )
        ids += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    monkeypatch.undo() if monkeypatch else None
    return ids


def _served(monkeypatch):
    """Records whether each list was answered from the queue documents."""
    return answers(monkeypatch, queries, "_from_queues")


@pytest.mark.parametrize("actor", [HANDLER, SMALL_UNIT, OFFICE], ids=lambda a: a["username"])
@pytest.mark.parametrize("status", [*queues.STATES, "assigned,in_progress,return_requested"])
def test_queue_pages_are_the_store_s_pages(county, monkeypatch, actor, status):
    answered = _served(monkeypatch)
    got = pages(county, {"status": status}, actor, limit=3)
    assert answered and all(answered)  # every page came from the queue documents
    monkeypatch.undo()
    want = pages(county, {"status": status}, actor, 3, via_queues=False, monkeypatch=monkeypatch)
    assert got == want


def _filters(county):
    """Lists with filters beyond unit and state, their values taken from the county."""
    case = county.cases.find_one({"status": "in_progress", "location.town": {"$ne": None}})
    owing = ",".join(queries.RUNNING)
    return [
        {"status": "in_progress", "topic": case["topic"]},
        {"status": owing, "town": case["location"]["town"]},
        {"status": owing, "from": (NOW - timedelta(days=9)).isoformat()},
        {"status": "replied", "to": (NOW - timedelta(days=5)).isoformat(), "channel": "web,phone"},
        {"status": "in_progress,replied", "kind": case["kind"]},
        {"overdue": True},
        {"status": "in_progress,replied", "overdue": False},
        {"warning": "red"},
        {"warning": "yellow"},
        {"status": owing, "warning": "none"},
        {"status": owing, "flag": "leader_led,supervised"},
    ]


@pytest.mark.parametrize("actor", [HANDLER, OFFICE], ids=lambda a: a["username"])
@pytest.mark.parametrize("sort", ["due_at", "-received_at", "received_at"])
def test_filtered_lists_of_open_cases_are_the_store_s_lists(county, monkeypatch, actor, sort):
    """Any list whose states are queue states, whatever else it filters by (but text) and
    however sorted, comes from the queue documents and is the store's list, page by page."""
    total = 0
    for filters in _filters(county):
        answered = _served(monkeypatch)
        got = pages(county, filters, actor, limit=4, sort=sort)
        assert answered and all(answered), filters
        monkeypatch.undo()
        want = pages(county, filters, actor, 4, False, monkeypatch, sort=sort)
        assert got == want, filters
        total += len(want)
    assert total > 100  # the filters select something


def test_a_numbered_page_is_the_store_s_page(county, monkeypatch):
    filters = {"status": "in_progress", "sort": "-received_at", "limit": 5, "page": 3}
    answered = _served(monkeypatch)
    got = queries.list_cases(county, NOW, filters, OFFICE)
    assert answered == [True]
    monkeypatch.setattr(queries, "_from_queues", lambda *a: None)
    assert got == queries.list_cases(county, NOW, filters, OFFICE)
    assert len(got["items"]) == 5


@pytest.mark.parametrize(
    "filters",
    [
        {"status": "in_progress", "text": "路灯"},
        {"status": "received"},
        {"topic": "environment"},
        {"overdue": False},
        {"warning": "none"},
    ],
)
def test_lists_beyond_the_queues_are_read_from_cases(county, monkeypatch, filters):
    answered = _served(monkeypatch)
    queries.list_cases(county, NOW, {**filters, "limit": 5}, OFFICE)
    assert answered == [False]


def test_the_office_queue_spans_pages(county):
    assert len(pages(county, {"status": "in_progress"}, OFFICE, limit=3)) > 30


@pytest.mark.parametrize("listed", [sweeps.REMINDER_LIST, 3])
def test_the_daily_reminder_is_the_store_s_count_and_list(county, monkeypatch, listed):
    """一天一催 reads each unit's count and soonest-due cases from the queue documents: only
    the cases it leads (a co-unit's queue holds them too), as the store's query finds them."""
    monkeypatch.setattr(sweeps, "REMINDER_LIST", listed)
    co_unit = "chengguan_town"
    for case in county.cases.find(
        {"status": {"$in": ["assigned", "in_progress"]}, "assignment.lead_unit": {"$ne": co_unit}}
    ).limit(5):  # the generated county has no co-units: give a few cases one, as routing would
        county.cases.update_one({"_id": case["_id"]}, {"$set": {"assignment.co_units": [co_unit]}})
        queues.follow(county, case)
    assert county.queues.find_one({"_id": queues.key(co_unit, "in_progress")})
    units = {u["_id"] for u in county.units.find({}, {"_id": 1})}
    want = {u: v for u, v in sweeps._owing_from_cases(county).items() if u in units}
    got = answers(monkeypatch, sweeps, "_owing_from_cases")
    assert sweeps.owing_by_unit(county) == want
    assert got == []  # the queue documents answered
    assert len(want) > 5 and sum(count for count, _ in want.values()) > 100
    most = max(count for count, _ in want.values())
    assert max(len(listed_cases) for _, listed_cases in want.values()) == min(listed, most)


def test_a_case_moves_between_queues_as_it_is_handled(county):
    case = county.cases.find_one({"status": "assigned", "assignment.lead_unit": "chengguan_town"})
    assert case["_id"] in pages(county, {"status": "assigned"}, HANDLER)
    change = handling.claim(case, HANDLER, {}, NOW)
    cases.apply(county, Publisher(), NOW, case, HANDLER, "claim", change)
    assert case["_id"] not in pages(county, {"status": "assigned"}, HANDLER)
    assert case["_id"] in pages(county, {"status": "in_progress"}, HANDLER)
    assert case["_id"] in pages(county, {"status": "in_progress"}, OFFICE)


def test_a_flag_set_through_the_door_reaches_the_lists(county, monkeypatch):
    """Intake's screening flags a repeat petitioner's open cases (`CaseStore.flag`)."""
    case = county.cases.find_one({"status": "in_progress", "flags": {"$ne": "repeat_petitioner"}})
    casestore.CaseStore(county).flag(case["_id"], "repeat_petitioner")
    answered = _served(monkeypatch)
    got = pages(county, {"status": "in_progress", "flag": "repeat_petitioner"}, OFFICE)
    assert answered and all(answered)
    assert case["_id"] in got


def test_a_queue_that_missed_a_write_is_put_right(county, monkeypatch):
    case = county.cases.find_one({"status": "replied", "assignment.lead_unit": "chengguan_town"})
    # as if the case's claim had been stored and its queue's write lost in a crash
    county.queues.update_one(
        {"_id": queues.key("chengguan_town", "assigned")},
        {"$set": {f"e.{case['_id']}": {}}},
        upsert=True,
    )
    want = pages(county, {"status": "assigned"}, HANDLER, via_queues=False, monkeypatch=monkeypatch)
    assert case["_id"] not in want
    assert pages(county, {"status": "assigned"}, HANDLER) == want
    doc = county.queues.find_one({"_id": queues.key("chengguan_town", "assigned")})
    assert case["_id"] not in doc["e"]


def test_a_rebuild_makes_the_same_queues(county):
    kept = {d["_id"]: d["e"] for d in county.queues.find()}
    assert queues.rebuild(county) == len({i for e in kept.values() for i in e})
    assert {d["_id"]: d["e"] for d in county.queues.find()} == kept


def test_an_answer_on_the_spot_is_in_the_office_s_return_visits(county, monkeypatch):
    """直办: a case answered at intake has no unit; the office's list of answered cases (its
    return visits, oldest first) still holds it, from the queue of no unit."""
    case = domain.new_case("LX-T-DIRECT01", SUBMISSION, "ABCD2345", NOW - timedelta(hours=1))
    case = domain.direct_answer(case, {"outcome": "solved", "opinion": "已当场答复"}, CLERK, NOW)
    case["outbox"] = []
    assert casestore.CaseStore(county).insert(case, [], NOW)
    visits = {"status": "answered"}
    answered = _served(monkeypatch)
    got = pages(county, visits, OFFICE, sort="received_at")
    assert answered and all(answered)
    monkeypatch.undo()
    assert case["_id"] in got
    assert got == pages(county, visits, OFFICE, 7, False, monkeypatch, sort="received_at")
    assert case["_id"] not in pages(county, visits, HANDLER, sort="received_at")


def test_the_answered_cases_of_an_older_store_are_queued_once(county, monkeypatch):
    """A store written before answered cases were queued: their lists are read from `cases`
    until the reading service's start queues them (once)."""
    kept = {d["_id"]: d["e"] for d in county.queues.find({"_id": {"$regex": r"\|answered$"}})}
    assert len(kept) > 3 and sum(len(e) for e in kept.values()) >= 5
    county.queues.delete_many({"_id": {"$in": list(kept)}})
    county.upgrades.delete_one({"_id": queues.ANSWERED_UPGRADE})
    queues._answered_ready.clear()
    visits = {"status": "answered"}
    answered = _served(monkeypatch)
    before = pages(county, visits, OFFICE, sort="received_at")
    assert answered and not any(answered)  # read from cases, not from the missing queues
    monkeypatch.undo()
    assert queues.upgrade(county) == len(kept)
    assert queues.upgrade(county) == 0  # done once
    assert {d["_id"]: d["e"] for d in county.queues.find({"_id": {"$in": list(kept)}})} == kept
    answered = _served(monkeypatch)
    assert pages(county, visits, OFFICE, sort="received_at") == before
    assert answered and all(answered)


def test_the_daily_reminder_leaves_out_a_case_its_queue_missed(county):
    case = county.cases.find_one({"status": "in_progress"})
    unit = case["assignment"]["lead_unit"]
    count, listed = sweeps.owing_by_unit(county)[unit]
    assert case["_id"] in [c["_id"] for c in listed]
    # as if the case's answer had been stored and its queue's write lost in a crash
    county.cases.update_one({"_id": case["_id"]}, {"$set": {"status": "answered"}})
    try:
        count_now, listed_now = sweeps.owing_by_unit(county).get(unit, (0, []))
        assert count_now == count - 1
        assert [c["_id"] for c in listed_now] == [
            c["_id"] for c in listed if c["_id"] != case["_id"]
        ]
    finally:
        county.cases.update_one({"_id": case["_id"]}, {"$set": {"status": "in_progress"}})


def test_entries_without_the_lead_unit_are_upgraded(county, monkeypatch):
    """Entries written before the lead unit was added hold one value fewer: the reminder reads
    the store's query until the reading service's start writes them again (once)."""
    kept = {d["_id"]: d["e"] for d in county.queues.find()}
    for doc_id, e in kept.items():
        old = {i: json.dumps(json.loads(text)[:-1]) for i, text in e.items()}
        county.queues.replace_one({"_id": doc_id}, {"_id": doc_id, "e": old})
    county.upgrades.delete_one({"_id": queues.LEAD_UNIT_UPGRADE})
    fallback = answers(monkeypatch, sweeps, "_owing_from_cases")
    before = sweeps.owing_by_unit(county)
    assert len(fallback) == 1
    monkeypatch.undo()
    assert queues.upgrade(county) == len([e for e in kept.values() if e])
    assert queues.upgrade(county) == 0  # done once
    assert {d["_id"]: d["e"] for d in county.queues.find()} == kept
    fallback = answers(monkeypatch, sweeps, "_owing_from_cases")
    assert sweeps.owing_by_unit(county) == before
    assert fallback == []


def test_documents_of_the_first_shape_are_upgraded(county, monkeypatch):
    """Stores written before decision 0032 hold {case id: due time} under `c`: lists are read
    from `cases` until the reading service's start gives each document its entries."""
    kept = {d["_id"]: d["e"] for d in county.queues.find()}
    for doc_id, e in kept.items():
        old = {case_id: queues.unpack(text).get("d") for case_id, text in e.items()}
        county.queues.replace_one({"_id": doc_id}, {"_id": doc_id, "c": old})
    answered = _served(monkeypatch)
    before = pages(county, {"status": "in_progress"}, HANDLER)
    assert answered and not any(answered)
    monkeypatch.undo()
    assert queues.upgrade(county) == len(kept)
    assert queues.upgrade(county) == 0  # done once
    assert {d["_id"]: d for d in county.queues.find()} == {
        k: {"_id": k, "e": e} for k, e in kept.items()
    }
    answered = _served(monkeypatch)
    assert pages(county, {"status": "in_progress"}, HANDLER) == before
    assert answered and all(answered)
