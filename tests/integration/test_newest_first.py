"""A newest-first list read in widening windows of received time (services/reading/queries.py
`_newest_first`, decision 0034) is the list the store's query gives without a window: the same
cases in the same order, page after page by cursor and by page number."""

import random
import uuid
from datetime import timedelta

import pytest

from bench import generate
from lianxin import casestore, store
from services.reading import queries
from tests.conftest import MONGO_URI
from tests.helpers import answers

pytestmark = pytest.mark.integration

HANDLER = {"username": "cg_handler", "role": "handler", "unit": "chengguan_town", "name": "h"}
OFFICE = {"username": "supervisor", "role": "supervisor", "unit": None, "name": "s"}
NOW = generate.NOW


@pytest.fixture(scope="module")
def county():
    """300 cases received over 200 days (one or two a day, so a page of 7 needs the 8-day
    window and later pages the wider ones), a few on the same second, one an hour ahead of
    the reader's clock; stored through the case store."""
    name = f"lx_newest_{uuid.uuid4().hex[:8]}"
    db = store.database(MONGO_URI, name)
    rnd = random.Random(11)
    county = generate.County(db, generate.SECRET)
    store.ensure_indexes(db)
    door = casestore.CaseStore(db)
    times = list(generate.received_times(rnd, 300, days=200))
    times[10:14] = [times[10]] * 4  # ties: ordered by id
    times.append(NOW + timedelta(hours=1))
    for i, received in enumerate(times):
        doc, _, _ = generate.make_case(county, rnd, f"LX-N-{i:06d}", received, i % 50)
        doc["outbox"] = []
        assert door.insert(doc, [], NOW)
    yield db
    store.client(MONGO_URI).drop_database(name)


def _windows_used(monkeypatch):
    """Records, for each list, whether a window answered it."""
    return answers(monkeypatch, queries, "_newest_first")


def by_cursor(db, filters, actor, limit=7):
    ids, cursor = [], None
    while True:
        page = queries.list_cases(db, NOW, {**filters, "limit": limit, "cursor": cursor}, actor)
        ids += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            return ids


FILTERS = [
    {},
    {"sort": "-received_at"},
    {"status": "closed"},
    {"topic": "environment"},
    {"channel": "hotline", "kind": "complaint"},
    {"from": (NOW - timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ")},
    {"flag": "final_dissatisfied"},  # a leader's raised cases (decision 0039)
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "none")
def test_newest_first_pages_are_the_store_s_pages(county, monkeypatch, filters):
    used = _windows_used(monkeypatch)
    windowed = by_cursor(county, filters, OFFICE)
    assert True in used  # some pages came from a window
    monkeypatch.setattr(queries, "WINDOWS", ())
    assert windowed == by_cursor(county, filters, OFFICE)
    assert len(windowed) == len(set(windowed)) > 7


def test_every_case_newest_first_begins_with_the_case_ahead_of_the_clock(county):
    ids = by_cursor(county, {}, OFFICE)
    assert len(ids) == 301 and ids[0] == "LX-N-000300"
    tied = [ids.index(f"LX-N-{i:06d}") for i in (13, 12, 11, 10)]  # one second: by id, descending
    assert tied == sorted(tied)


def test_a_numbered_page_is_the_store_s_page(county, monkeypatch):
    used = _windows_used(monkeypatch)
    windowed = [
        [c["id"] for c in queries.list_cases(county, NOW, {"limit": 9, "page": p}, OFFICE)["items"]]
        for p in (1, 2, 5)
    ]
    assert used == [True, True, True]
    monkeypatch.setattr(queries, "WINDOWS", ())
    assert windowed == [
        [c["id"] for c in queries.list_cases(county, NOW, {"limit": 9, "page": p}, OFFICE)["items"]]
        for p in (1, 2, 5)
    ]


@pytest.mark.parametrize(
    "filters, actor",
    [({}, HANDLER), ({"unit": "chengguan_town"}, OFFICE)],
    ids=["a unit's every state", "the unit filter"],
)
def test_lists_a_window_does_not_narrow_are_read_without_one(county, monkeypatch, filters, actor):
    used = _windows_used(monkeypatch)
    queries.list_cases(county, NOW, {**filters, "limit": 5}, actor)
    assert used == []


def test_a_unit_s_list_of_one_state_is_read_in_windows(county, monkeypatch):
    used = _windows_used(monkeypatch)
    windowed = by_cursor(county, {"status": "closed"}, HANDLER, limit=3)
    assert True in used
    monkeypatch.setattr(queries, "WINDOWS", ())
    assert windowed == by_cursor(county, {"status": "closed"}, HANDLER, limit=3)
