"""Every hot query (lianxin/hot_queries.py) is served by an index on the local store — its
filter pushed down into SQLite and planned as an index search, never a scan — and its index is
in `store.ensure_indexes`, where MongoDB gets it too (issue 14). A query added to the code
without an index, or an index dropped, fails here rather than at a county's first million."""

import uuid
from datetime import timedelta

import pytest

from lianxin import hot_queries, store
from lianxin.hot_queries import NOW, QUERIES
from services.reading import queries
from tests.conftest import MONGO_URI

pytestmark = pytest.mark.integration

# One document in each collection, of the shapes the code writes (dates where it writes
# dates): FerretDB plans nothing for a collection that does not exist.
SEED = {
    "cases": {
        "_id": "LX-20261125-000042",
        "status": "in_progress",
        "topic": "environment",
        "location": {"town": "城关镇"},
        "flags": ["leader_led"],
        "public_consent": True,
        "received_at": NOW - timedelta(days=3),
        "assignment": {
            "lead_unit": "hexi_town",
            "co_units": [],
            "due_at": NOW + timedelta(days=4),
        },
    },
    "journal_pages": {"_id": "0000000042", "e": {}},
    "journal": {"_id": "000000004201", "seq": 4201},
    "inbox": {"_id": "env_handler:000000000042", "user": "env_handler"},
    "alerts": {"_id": "a1", "status": "open", "raised_at": NOW},
    "deliveries": {
        "_id": "d1",
        "kind": "webhook",
        "status": "dead",
        "case_id": "LX-20261125-000042",
        "created_at": NOW,
    },
    "saved_filters": {"_id": "env_handler:mine", "username": "env_handler"},
    "outbox_due": {"_id": "cases:x", "at": NOW},
    "unrouted": {"_id": "LX-20261125-000042", "at": NOW},
    "ack_codes": {"_id": "LX-20261125-000042", "at": NOW},
    "retry_codes": {"_id": "k", "expires_at": NOW},
    "delivery_due": {"_id": "d1", "at": NOW},
    "rate_windows": {"_id": "w", "expires_at": NOW},
    "clocks": {"_id": "LX-20261125-000042:1", "state": "running", "next_at": NOW},
    "clock_claims": {"_id": "c", "at": NOW},
    "alerts_published": {"_id": "notice:LX-20261125-000042:1:3", "at": NOW},
    "leases": {"_id": "outbox-relay", "until": NOW},
    "queues": {
        "_id": "hexi_town|in_progress|2026-11-19",
        "q": "hexi_town|in_progress",
        "p": NOW - timedelta(days=6),
        "ym": NOW,
        "xm": NOW,
        "e": {"LX-20261125-000042": "[]"},
    },
    "units": {"_id": "hexi_town"},
    "users": {"_id": "env_handler", "unit": "hexi_town", "role": "handler"},
}


@pytest.fixture(scope="module")
def db():
    name = f"lx_hot_{uuid.uuid4().hex[:8]}"
    database = store.database(MONGO_URI, name)
    store.ensure_indexes(database)
    for collection, doc in SEED.items():
        database[collection].insert_one(doc)
    yield database
    store.client(MONGO_URI).drop_database(name)


def _explain(db, q):
    cmd = {"find": q.collection, "filter": q.filter}
    if q.sort:
        cmd["sort"] = dict(q.sort)
    if q.limit:
        cmd["limit"] = q.limit
    return db.command("explain", cmd)


def _params():
    for q in QUERIES:
        marks = [pytest.mark.xfail(strict=True, reason=q.known_scan)] if q.known_scan else []
        yield pytest.param(q, id=q.name, marks=marks)


def test_every_collection_of_the_list_is_seeded():
    assert {q.collection for q in QUERIES} <= set(SEED)


@pytest.mark.parametrize("q", list(_params()))
def test_the_local_store_serves_it_from_an_index(db, q):
    plan = _explain(db, q)
    steps = [s.split("detail=")[-1] for s in plan.get("queryPlanner", {}).get("Plan") or []]
    assert plan.get("filterPushdown") is True, (q.name, plan)
    assert steps and all("SCAN" not in s for s in steps), (q.name, steps)
    assert any("USING INDEX" in s for s in steps), (q.name, steps)


@pytest.mark.parametrize("q", [q for q in QUERIES if q.index], ids=lambda q: q.name)
def test_its_index_is_made_by_ensure_indexes(db, q):
    for name, found in db.cases.database[q.collection].index_information().items():
        if tuple(field for field, _ in found["key"]) == q.index:
            return
    raise AssertionError(f"{q.name}: no index {q.index} on {q.collection}")


@pytest.mark.parametrize("q", [q for q in QUERIES if q.sort and q.index], ids=lambda q: q.name)
def test_sorted_pages_are_sorted_by_the_store(db, q):
    """The page is read in order from SQLite and stops at the limit; FerretDB does not sort
    every selected document in memory."""
    if q.known_scan:
        pytest.skip(q.known_scan)
    assert _explain(db, q).get("sortPushdown") is True, q.name


HANDLER = {"username": "hexi_handler", "role": "handler", "unit": "hexi_town"}
OFFICE = {"username": "supervisor", "role": "supervisor", "unit": None}


@pytest.mark.parametrize(
    "name, filters, actor",
    [
        ("unit's queue with other filters", {"status": "in_progress"}, HANDLER),
        ("unit's list: owing", {"status": ",".join(hot_queries.OWING)}, HANDLER),
        ("office queue with other filters", {"status": "replied"}, OFFICE),
        ("clerk's queue", {"status": "received"}, OFFICE),
        ("case list by topic", {"topic": "environment", "town": "城关镇"}, OFFICE),
        ("leader's queue", {"status": ",".join(hot_queries.OWING), "flag": "leader_led"}, OFFICE),
    ],
)
def test_the_list_shapes_are_those_the_case_list_builds(name, filters, actor):
    """The catalogue's list filters are what `list_cases` sends for the queues of the web
    console (web/src/staff/queues.ts), so the explain above tests the real thing."""
    listed = next(q for q in QUERIES if q.name.startswith(name))
    built = queries.query_for(filters, actor, NOW)
    clauses = listed.filter["$and"]
    if "received_at" in str(clauses[-1]):  # the 90-day window is the caller's `from`
        clauses = clauses[:-1]
    assert built == {"$and": clauses}
