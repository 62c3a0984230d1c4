"""The local store pushes equality, $in and range filters down into SQLite (patch 0004 in
scripts/ferretdb, decision 0015) and never loses a document MongoDB would match: every result
here is compared with a plain re-implementation of MongoDB's matching over documents chosen
to trip a careless pushdown (arrays, nested arrays, missing fields, null, int vs double,
strings that look like numbers, dates on both sides of 2001 and 1970; FerretDB stores no array
directly inside an array), and with the same filter made unpushable (so only FerretDB's own
matcher runs)."""

import datetime
import uuid

import pytest
from bson import Int64, ObjectId

from lianxin import store
from tests.conftest import MONGO_URI

pytestmark = pytest.mark.integration

OID = ObjectId("65a1b2c3d4e5f60718293a4b")
D = datetime.datetime
MISSING = object()

DOCS = [
    {"_id": "int", "v": 1, "w": 1},
    {"_id": "double", "v": 1.0},
    {"_id": "long", "v": Int64(1)},
    {"_id": "str1", "v": "1"},
    {"_id": "arr", "v": [0, 1, 2]},
    {"_id": "nested", "v": [{"x": [1]}, 5]},
    {"_id": "null", "v": None},
    {"_id": "missing", "w": 3},
    {"_id": "empty", "v": []},
    {"_id": "obj", "v": {"x": 1}},
    {"_id": "true", "v": True},
    {"_id": "false", "v": False},
    {"_id": "zero", "v": 0},
    {"_id": "negzero", "v": -0.0},
    {"_id": "neg", "v": -3},
    {"_id": "frac", "v": 2.5},
    {"_id": "frac2", "v": 2.4000000000000004},
    {"_id": "big", "v": 2**40},
    {"_id": "huge", "v": Int64(2**62)},
    {"_id": "e21", "v": 1e21},
    {"_id": "date", "v": D(2024, 1, 1)},
    {"_id": "date90", "v": D(1990, 6, 1)},
    {"_id": "date60", "v": D(1960, 6, 1)},
    {"_id": "date2300", "v": D(2300, 1, 1)},
    {"_id": "abc", "v": "abc"},
    {"_id": "ab_space", "v": "ab "},
    {"_id": "ab", "v": "ab"},
    {"_id": "ab_ls", "v": "ab\u2028"},
    {"_id": "tag", "v": "<a&b>"},
    {"_id": "quote", "v": 'a"b'},
    {"_id": "cjk", "v": "连心"},
    {"_id": "num_str", "v": "10"},
    {"_id": "bracket", "v": "[1]"},
    {"_id": "oid", "v": OID},
    {"_id": "oid_str", "v": str(OID)},
    {"_id": "mixed", "v": ["abc", D(2024, 1, 1), None]},
    {"_id": "arr_dates", "v": [D(1990, 1, 1)]},
    {"_id": "p_doc", "p": {"q": 1}},
    {"_id": "p_arr", "p": [{"q": 1}, {"q": 2}]},
    {"_id": "p_qarr", "p": {"q": [1, 7]}},
    {"_id": "p_scalar", "p": 5},
    {"_id": "p_noq", "p": [{"r": 1}]},
    {"_id": "p_double", "p": {"q": 2.0}},
    {"_id": "p_deep", "p": {"q": "x", "s": {"t": D(2024, 5, 1)}}},
]


# --- a plain re-implementation of MongoDB's matching for the operators under test ---------


def _class(v):
    """MongoDB's canonical type class: ranges and equality compare within a class."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, D):
        return "date"
    if isinstance(v, ObjectId):
        return "objectid"
    if isinstance(v, list):
        return "array"
    return "object"


def _key(v):
    if isinstance(v, str):
        return v.encode()  # simple collation: UTF-8 bytes
    return v


def _candidates(value, segs):
    """The values a dotted path reaches: through embedded documents, into arrays of
    documents, and at the end an array and each of its elements."""
    if not segs:
        yield value
        if isinstance(value, list):
            yield from value
        return
    if isinstance(value, dict):
        yield from _candidates(value.get(segs[0], MISSING), segs[1:])
        if segs[0] not in value:
            return
    elif isinstance(value, list):
        for e in value:
            if isinstance(e, dict):
                yield from _candidates(e, segs)
            # MongoDB: a path through an array element that has not the field is missing
            else:
                yield MISSING
    else:
        yield MISSING


def _eq(c, x):
    if x is None:
        return c is None or c is MISSING
    if c is MISSING or _class(c) != _class(x):
        return False
    return c == x


def _op(c, op, x):
    if op == "$eq":
        return _eq(c, x)
    if c is MISSING or x is None or _class(c) != _class(x) or _class(c) in ("array", "object"):
        return False
    a, b = _key(c), _key(x)
    return {"$gt": a > b, "$gte": a >= b, "$lt": a < b, "$lte": a <= b}[op]


def _field(doc, path, cond):
    cands = list(_candidates(doc, path.split(".")))
    if isinstance(cond, dict) and cond and next(iter(cond)).startswith("$"):
        for op, x in cond.items():
            if op == "$in":
                if not any(_eq(c, y) for c in cands for y in x):
                    return False
            elif not any(_op(c, op, x) for c in cands):
                return False
        return True
    return any(_eq(c, cond) for c in cands)


def mongo_match(doc, flt):
    for k, cond in flt.items():
        if k == "$and":
            ok = all(mongo_match(doc, f) for f in cond)
        elif k == "$or":
            ok = any(mongo_match(doc, f) for f in cond)
        else:
            ok = _field(doc, k, cond)
        if not ok:
            return False
    return True


# --- the tests ------------------------------------------------------------------------------

QUERIES = [
    # equality: numbers of every type are equal, strings that look like numbers are not
    {"v": 1},
    {"v": 1.0},
    {"v": Int64(1)},
    {"v": "1"},
    {"v": 0},
    {"v": -0.0},
    {"v": 5},
    {"v": True},
    {"v": False},
    {"v": None},
    {"v": "abc"},
    {"v": "ab\u2028"},
    {"v": "<a&b>"},
    {"v": 'a"b'},
    {"v": "连心"},
    {"v": D(2024, 1, 1)},
    {"v": D(1960, 6, 1)},
    {"v": OID},
    {"v": str(OID)},
    {"v": 2**40},
    {"v": {"$eq": 2}},
    # $in
    {"v": {"$in": [1, "abc"]}},
    {"v": {"$in": [None, 2]}},
    {"v": {"$in": [D(1990, 1, 1), "10"]}},
    {"v": {"$in": [True, -3]}},
    # ranges: numbers, strings (bytes order), dates before 2001 and 1970 and after 2286
    {"v": {"$gt": 0}},
    {"v": {"$gte": 1, "$lt": 3}},
    {"v": {"$lt": 2.5}},
    {"v": {"$lte": 2.5}},
    {"v": {"$gt": 2.4}},
    {"v": {"$gt": -1, "$lte": 0}},
    {"v": {"$gt": 2**39}},
    {"v": {"$gt": "ab"}},
    {"v": {"$gte": "ab", "$lt": "abd"}},
    {"v": {"$lt": "ab!"}},
    {"v": {"$gt": "z"}},
    {"v": {"$lt": "1"}},
    {"v": {"$gte": D(2000, 1, 1)}},
    {"v": {"$lt": D(2000, 1, 1)}},
    {"v": {"$lt": D(1970, 1, 1)}},
    {"v": {"$gt": D(1900, 1, 1), "$lt": D(2030, 1, 1)}},
    {"v": {"$gt": D(2200, 1, 1)}},
    {"v": {"$gt": False}},
    {"v": {"$gte": 1, "$lt": "b"}},
    # dotted paths: embedded documents, arrays of documents, arrays under documents
    {"p.q": 1},
    {"p.q": 2},
    {"p.q": {"$in": [7, "x"]}},
    {"p.q": {"$gt": 1}},
    {"p.q": None},
    {"p.s.t": {"$lt": D(2025, 1, 1)}},
    # combinations: a conjunction's safe part, a disjunction only when every branch is safe
    {"v": {"$gte": 0}, "w": 1},
    {"$or": [{"v": "abc"}, {"p.q": 2}]},
    {"$and": [{"v": {"$in": [1, 2, 5]}}, {"v": {"$lt": 3}}]},
    {"$or": [{"v": 1}, {"w": 3}]},
    {"v": 1, "_id": {"$in": ["int", "long", "str1"]}},
]


@pytest.fixture(scope="module")
def coll():
    name = f"t_{uuid.uuid4().hex[:10]}"
    c = store.database(MONGO_URI, name).pushdown
    c.create_index([("v", 1)])
    c.create_index([("p.q", 1)])
    c.create_index([("p.s.t", 1)])
    c.insert_many(DOCS)
    yield c
    store.client(MONGO_URI).drop_database(name)


@pytest.fixture
def scratch(coll):
    """A collection of its own for a test that writes, with the same documents and indexes."""
    c = coll.database.scratch
    c.drop()
    for index in ("v", "p.q"):
        c.create_index([(index, 1)])
    c.insert_many(DOCS)
    return c


def _ids(cursor):
    return sorted(d["_id"] for d in cursor)


def _is_ferretdb(db):
    return "ferretdbVersion" in db.command("buildInfo")


@pytest.mark.parametrize("flt", QUERIES, ids=repr)
def test_results_are_mongodb_matching(coll, flt):
    expected = sorted(d["_id"] for d in DOCS if mongo_match(d, flt))
    assert _ids(coll.find(flt)) == expected
    assert coll.count_documents(flt) == len(expected)
    # the same filter with an unpushable branch: only the store's own matcher decides
    unpushed = {"$or": [flt, {"never": {"$exists": True}}]}
    assert _ids(coll.find(unpushed)) == expected


@pytest.mark.parametrize("flt", QUERIES, ids=repr)
def test_supported_shapes_are_pushed_down(coll, flt):
    if not _is_ferretdb(coll.database):
        pytest.skip("filterPushdown is FerretDB's explain extension")
    plan = coll.database.command("explain", {"find": coll.name, "filter": flt})
    assert plan["filterPushdown"] is True


@pytest.mark.parametrize(
    "flt",
    [
        {"v": "abc"},
        {"v": {"$in": [1, "abc"]}},
        {"v": {"$lt": 2.5}},
        {"v": {"$gte": D(2000, 1, 1)}},
        {"p.q": 1},
        {"p.s.t": {"$gte": D(2024, 1, 1), "$lt": D(2025, 1, 1)}},
        {"_id": {"$in": ["int", "abc"]}},
    ],
    ids=repr,
)
def test_indexed_fields_are_served_by_their_index(coll, flt):
    if not _is_ferretdb(coll.database):
        pytest.skip("the SQLite plan is FerretDB's explain extension")
    plan = coll.database.command("explain", {"find": coll.name, "filter": flt})
    steps = " ".join(plan["queryPlanner"]["Plan"])
    assert "USING INDEX" in steps and "SCAN" not in steps, steps


@pytest.mark.parametrize(
    "flt",
    [
        {"v": {"$regex": "^a"}},
        {"v": {"$ne": 1}},
        {"$nor": [{"v": 1}]},
        {"v": {"x": 1}},
        {"v.0": 0},
        {"$or": [{"v": 1}, {"v": {"$exists": False}}]},
    ],
    ids=repr,
)
def test_unsupported_shapes_are_not_pushed_and_still_work(coll, flt):
    expected = sorted(d["_id"] for d in DOCS if _unsupported_match(d, flt))
    assert _ids(coll.find(flt)) == expected
    if _is_ferretdb(coll.database):
        plan = coll.database.command("explain", {"find": coll.name, "filter": flt})
        assert plan["filterPushdown"] is False


def _unsupported_match(doc, flt):
    v = doc.get("v", MISSING)
    key = repr(flt)
    if "$regex" in key:
        return any(isinstance(c, str) and c.startswith("a") for c in _candidates(doc, ["v"]))
    if "$ne" in key or "$nor" in key:
        return not _field(doc, "v", 1)
    if "'x'" in key:
        return v == {"x": 1}
    if "v.0" in key:
        return isinstance(v, list) and len(v) > 0 and v[0] == 0 and not isinstance(v[0], bool)
    return _field(doc, "v", 1) or v is MISSING


def test_a_field_without_an_index_is_filtered_in_sqlite_too(coll):
    assert _ids(coll.find({"w": 3})) == ["missing"]
    assert _ids(coll.find({"w": {"$gte": 1}})) == ["int", "missing"]
    if _is_ferretdb(coll.database):
        plan = coll.database.command("explain", {"find": coll.name, "filter": {"w": 3}})
        assert plan["filterPushdown"] is True


def test_sort_and_limit_still_apply_after_the_pushdown(coll):
    found = coll.find({"v": {"$gte": 0, "$lt": 3}}).sort("_id", -1).limit(3)
    assert [d["_id"] for d in found] == ["zero", "negzero", "long"]


def test_documents_written_after_the_index_are_found_through_it(scratch):
    scratch.update_one({"_id": "int"}, {"$set": {"v": "changed"}})
    scratch.insert_one({"_id": "late", "v": [9, "changed"]})
    assert _ids(scratch.find({"v": "changed"})) == ["int", "late"]
    assert _ids(scratch.find({"v": 1})) == ["arr", "double", "long"]


# --- sort pushdown (patch 0005): only when SQL's order is provably MongoDB's ----------------


def _sort_key(value, direction):
    """MongoDB's sort key for one field: null/missing first, then by type, then by value."""
    order = {
        "null": 0,
        "number": 1,
        "string": 2,
        "object": 3,
        "array": 4,
        "objectid": 5,
        "bool": 6,
        "date": 7,
    }
    if value is MISSING:
        value = None
    return order[_class(value)], _key(value)


def _mongo_sorted(docs, path, direction, limit):
    def key(d):
        value = d
        for seg in path.split("."):
            value = value.get(seg, MISSING) if isinstance(value, dict) else MISSING
        return _sort_key(value, direction), d["_id"]

    if direction == 1:
        return [d["_id"] for d in sorted(docs, key=key)][:limit]
    return [d["_id"] for d in sorted(docs, key=lambda d: (key(d)[0], d["_id"]), reverse=True)][
        :limit
    ]


@pytest.fixture(scope="module")
def timed(coll):
    """Cases-like documents: a date field (sometimes null or missing) and a string field."""
    c = coll.database.timed
    c.create_index([("unit", 1), ("due", 1)])
    docs = [
        {
            "_id": f"c{i:03d}",
            "unit": f"u{i % 3}",
            "title": f"t{(i * 7) % 50:02d}",
            "due": D(2026, 1, 1) + datetime.timedelta(hours=(i * 37) % 500),
        }
        for i in range(150)
    ]
    docs += [
        {"_id": "c-null", "unit": "u0", "due": None, "title": "t99"},
        {"_id": "c-missing", "unit": "u0", "title": "连心"},
        {"_id": "c-old", "unit": "u0", "due": D(1960, 1, 1), "title": "<t>"},
    ]
    c.insert_many(docs)
    return c, docs


@pytest.mark.parametrize("path,direction", [("due", 1), ("due", -1), ("title", 1), ("title", -1)])
def test_a_sort_on_one_date_or_string_field_is_pushed_and_gives_mongodbs_order(
    timed, path, direction
):
    c, docs = timed
    flt = {"unit": "u0"}
    expected = _mongo_sorted([d for d in docs if d["unit"] == "u0"], path, direction, 12)
    got = [d["_id"] for d in c.find(flt).sort([(path, direction), ("_id", direction)]).limit(12)]
    assert got == expected
    if _is_ferretdb(c.database):
        plan = c.database.command(
            "explain", {"find": c.name, "filter": flt, "sort": {path: direction, "_id": direction}}
        )
        assert plan["sortPushdown"] is True


def test_a_sort_is_not_pushed_when_a_selected_document_has_another_type(timed):
    c, docs = timed
    c.insert_one({"_id": "c-number", "unit": "u1", "due": 5})
    c.insert_one({"_id": "c-array", "unit": "u2", "due": [D(2030, 1, 1), D(2000, 1, 1)]})
    try:
        for unit, first in (("u1", "c-number"), ("u2", "c-array")):
            got = [d["_id"] for d in c.find({"unit": unit}).sort("due", 1).limit(1)]
            assert got == [first]  # a number sorts before dates; an array by its least date
            if _is_ferretdb(c.database):
                plan = c.database.command(
                    "explain", {"find": c.name, "filter": {"unit": unit}, "sort": {"due": 1}}
                )
                assert plan["sortPushdown"] is False
    finally:
        c.delete_many({"_id": {"$in": ["c-number", "c-array"]}})
