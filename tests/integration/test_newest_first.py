"""A newest-first list read in slices of received time (services/reading/queries.py
`_newest_first`, decisions 0034 and 0047) is the list the store's query gives without them: the
same cases in the same order, page after page by cursor and by page number."""

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
    """300 cases received over 200 days (one or two a day, so a page of 7 needs several slices
    and the last pages the rest beyond 64 days), a few on the same second, one an hour ahead
    of the reader's clock; stored through the case store."""
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


def _slices_used(monkeypatch):
    """Records, for each list, whether slices answered it."""
    return answers(monkeypatch, queries, "_newest_first")


def _unsliced(monkeypatch):
    """From now on lists are the store's query alone, read without slices."""
    monkeypatch.setattr(queries, "_sliced", lambda filters, actor: False)


class Reads:
    """The store, with the filters of the lists' reads of `cases` written down."""

    def __init__(self, db):
        self.db, self.filters = db, []

    def __getattr__(self, name):
        return getattr(self.db, name)

    @property
    def cases(self):
        reads = self

        class Cases:
            def __getattr__(self, name):
                return getattr(reads.db.cases, name)

            def find(self, where, *args, **kwargs):
                reads.filters.append(where)
                return reads.db.cases.find(where, *args, **kwargs)

        return Cases()


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
    used = _slices_used(monkeypatch)
    sliced = by_cursor(county, filters, OFFICE)
    assert True in used  # some pages came from slices
    _unsliced(monkeypatch)
    assert sliced == by_cursor(county, filters, OFFICE)
    assert len(sliced) == len(set(sliced)) > 7


def test_every_case_newest_first_begins_with_the_case_ahead_of_the_clock(county):
    ids = by_cursor(county, {}, OFFICE)
    assert len(ids) == 301 and ids[0] == "LX-N-000300"
    tied = [ids.index(f"LX-N-{i:06d}") for i in (13, 12, 11, 10)]  # one second: by id, descending
    assert tied == sorted(tied)


def test_a_numbered_page_is_the_store_s_page(county, monkeypatch):
    used = _slices_used(monkeypatch)
    sliced = [
        [c["id"] for c in queries.list_cases(county, NOW, {"limit": 9, "page": p}, OFFICE)["items"]]
        for p in (1, 2, 5)
    ]
    assert used == [True, True, True]
    _unsliced(monkeypatch)
    assert sliced == [
        [c["id"] for c in queries.list_cases(county, NOW, {"limit": 9, "page": p}, OFFICE)["items"]]
        for p in (1, 2, 5)
    ]


@pytest.mark.parametrize(
    "filters, actor",
    [({}, HANDLER), ({"unit": "chengguan_town"}, OFFICE)],
    ids=["a unit's every state", "the unit filter"],
)
def test_lists_a_slice_does_not_narrow_are_read_without_one(county, monkeypatch, filters, actor):
    used = _slices_used(monkeypatch)
    queries.list_cases(county, NOW, {**filters, "limit": 5}, actor)
    assert used == []


def test_a_unit_s_list_of_one_state_is_read_in_slices(county, monkeypatch):
    used = _slices_used(monkeypatch)
    sliced = by_cursor(county, {"status": "closed"}, HANDLER, limit=3)
    assert True in used
    _unsliced(monkeypatch)
    assert sliced == by_cursor(county, {"status": "closed"}, HANDLER, limit=3)


def test_a_page_after_a_cursor_bounds_its_slices_by_the_cursor_not_by_an_or(county, monkeypatch):
    """The cursor's `$or` (received before it, or at its time with a lower id) would make the
    local store walk every case received before the cursor; the slices read the cursor's
    ties, then ranges below its time — and give the store's pages."""
    first = queries.list_cases(county, NOW, {"limit": 7}, OFFICE)
    reads = Reads(county)
    second = queries.list_cases(reads, NOW, {"limit": 7, "cursor": first["next_cursor"]}, OFFICE)
    assert reads.filters and not any("$or" in repr(f) for f in reads.filters)
    top = queries._decode(first["next_cursor"])[0]
    assert reads.filters[0]["received_at"] == top  # the ties first
    assert all(f["received_at"].get("$lt") for f in reads.filters[1:])
    tied = county.cases.find_one({"_id": "LX-N-000013"})["received_at"]
    inside = {"limit": 7, "cursor": queries._encode(tied, "LX-N-000013")}  # among ties
    third = queries.list_cases(county, NOW, inside, OFFICE)
    assert [c["id"] for c in third["items"][:3]] == ["LX-N-000012", "LX-N-000011", "LX-N-000010"]
    _unsliced(monkeypatch)
    assert second == queries.list_cases(
        county, NOW, {"limit": 7, "cursor": first["next_cursor"]}, OFFICE
    )
    assert third == queries.list_cases(county, NOW, inside, OFFICE)


def test_a_first_page_reads_back_only_as_far_as_its_cases(county):
    """Slices begin at an hour and grow at most twice as long each (one holding more than
    the page wants is shortened): the first page of every case reads back no further than
    three times its oldest row's age, and never without a lower bound."""
    reads = Reads(county)
    page = queries.list_cases(reads, NOW, {"limit": 7}, OFFICE)
    oldest = min(county.cases.find_one({"_id": c["id"]})["received_at"] for c in page["items"])
    starts = [f["received_at"]["$gte"] for f in reads.filters]
    assert len(starts) > 2
    assert NOW - min(starts) <= 3 * (NOW - oldest.replace(tzinfo=NOW.tzinfo))


def test_a_slice_is_as_long_as_the_rate_of_the_last_says_and_at_most_twice_as_long():
    hour = timedelta(hours=1)
    assert queries._next_length(hour, 0, 50) == 2 * hour
    assert queries._next_length(hour, 100, 40) == hour / 2  # 40 more at 100 an hour, + 1/4
    assert queries._next_length(hour, 1, 50) == 2 * hour
