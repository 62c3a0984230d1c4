"""Documents come back from the local store exactly as they were written, whatever they hold
(patch 0007 in scripts/ferretdb, decision 0040: documents are decoded in one pass, strings
and integers without a decoder each, schemas kept by their bytes). The patch's own Go tests
and fuzz targets compare its parts with encoding/json; here whole documents go through the
real store and back: strings with quotes, backslashes, braces, control characters and
non-ASCII text (keys with what the store takes of them, `key_of`), every value type the
services store, nesting, empty documents and arrays, and many documents sharing one shape or
each of its own (the decoded-schema cache)."""

import datetime
import re

import pytest
from bson import Int64, ObjectId, Regex

pytestmark = pytest.mark.integration

UTC = datetime.UTC
TRICKY = [
    "",
    "plain",
    '引号"里',
    "back\\slash",
    "{brace} [bracket] ,comma: colon",
    '"}],"x":{"',
    "tab\there\nnewline\r\x01\x1f",
    "连心 ✓ 😀",
    "\u2028\u2029",
    "null",
    "123",
    "-0.5e3",
]


def key_of(i, text):
    """The text as a key where the store takes it: FerretDB 1.24.2 refuses a key with a dot
    (as MongoDB does), and writes a key with a quote, a backslash or a control character
    unescaped, so such a document cannot be stored or read back (before this patch too)."""
    if not text or any(c in '."\\' or c < " " for c in text):
        return f"k{i}"
    return text


def tricky_doc(i, text):
    key = key_of(i, text)
    return {
        "_id": f"doc-{i}",
        "text": text,
        key: text,
        f"in-{key}": {"inner": [text, {"deep": text}], key: None},
        "int": -(2**31),
        "big_int": 2**31 - 1,
        "long": Int64(2**62 + i),
        "double": -1.5e-7,
        "whole_double": 3.0,
        "bool": i % 2 == 0,
        "none": None,
        "date": datetime.datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
        "date2": datetime.datetime(2026, 11, 27, 8, 5, 0, 123000, tzinfo=UTC),
        "oid": ObjectId("65a1b2c3d4e5f60718293a4b"),
        "bin": b"\x00\xff" + text.encode(),  # binary, subtype 0
        "regex": Regex("^a.*" + re.escape(text), "i"),
        "empty_doc": {},
        "empty_list": [],
        "mixed": [1, "two", 3.5, None, True, {"a": [1, {"b": []}]}, {}],
    }


def test_documents_come_back_as_written(db):
    docs = [tricky_doc(i, text) for i, text in enumerate(TRICKY)]
    db.docs.insert_many(docs)
    back = {d["_id"]: d for d in db.docs.find({}, sort=[("_id", 1)])}
    assert len(back) == len(docs)
    for doc in docs:
        got = back[doc["_id"]]
        assert list(got) == list(doc), "the keys in their order"
        assert got == {**doc, "date": got["date"], "date2": got["date2"]}
        for field in ("date", "date2"):  # the store gives naive UTC datetimes back
            assert got[field].replace(tzinfo=UTC) == doc[field]
        assert isinstance(got["long"], int) and got["long"] == doc["long"]


def test_many_shapes_and_one_shape(db):
    """600 documents of one shape, then 600 each of its own (more than the 512 decoded
    schemas the store keeps), then the first shape again: each read back as written."""
    same = [{"_id": f"same-{i:04d}", "n": i, "s": f"v{i}", "at": [i, {"x": i}]} for i in range(600)]
    own = [{"_id": f"own-{i:04d}", f"field_{i}": i, "list": list(range(i % 7))} for i in range(600)]
    db.shapes.insert_many(same + own)
    assert list(db.shapes.find({"_id": {"$regex": "^same-"}}, sort=[("_id", 1)])) == same
    assert list(db.shapes.find({"_id": {"$regex": "^own-"}}, sort=[("_id", 1)])) == own
    assert list(db.shapes.find({"_id": {"$regex": "^same-"}}, sort=[("_id", 1)])) == same


def test_updates_keep_what_they_do_not_touch(db):
    doc = tricky_doc(0, '"}],"x":{"\\')
    db.docs.insert_one(doc)
    db.docs.update_one({"_id": doc["_id"]}, {"$set": {"text": "改过", "mixed.0": 2}})
    got = db.docs.find_one({"_id": doc["_id"]})
    assert got["text"] == "改过" and got["mixed"][0] == 2
    key = key_of(0, doc["text"])
    assert got[key] == doc[key] and got[f"in-{key}"] == doc[f"in-{key}"]
