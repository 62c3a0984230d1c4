"""A queue entry's text and its reading back (lianxin/queues.py): what `entry` writes,
`unpack` reads as `json.loads` would, by the C scanner when it can."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from lianxin import queues

CASE = {
    "_id": "C1",
    "status": "in_progress",
    "received_at": datetime(2026, 11, 2, 1, 30, tzinfo=timezone.utc),
    "topic": "environment",
    "location": {"town": "城关镇"},
    "channel": "hotline",
    "kind": "complaint",
    "flags": ["repeat_petitioner"],
    "assignment": {
        "lead_unit": "u1",
        "due_at": datetime(2026, 11, 20, 9, 0, 0, 123456, tzinfo=timezone.utc),
        "yellow_at": datetime(2026, 11, 17, tzinfo=timezone.utc),
    },
}


def test_an_entry_reads_back_with_its_fields_and_none_left_out():
    text = queues.entry(CASE)
    assert queues.unpack(text) == {
        "d": queues.ms(CASE["assignment"]["due_at"]),
        "y": queues.ms(CASE["assignment"]["yellow_at"]),
        "r": queues.ms(CASE["received_at"]),
        "t": "environment",
        "n": "城关镇",
        "h": "hotline",
        "k": "complaint",
        "f": ["repeat_petitioner"],
        "u": "u1",
    }


@pytest.mark.parametrize(
    "text",
    [
        '[1,null,2,3,"a \\"quoted\\" \\\\ \\u00e9","b","c","d",null,"u"]',
        ' [1,null,2,3,"a","b","c","d",null,"u"]',  # whitespace: as json.loads reads it
        '[1,null,2,3,"a","b","c","d",null,"u"]\n',
    ],
)
def test_unpack_reads_what_json_reads(text):
    values = json.loads(text)
    assert queues.unpack(text) == {
        name: v for name, v in zip(queues.FIELDS, values) if v is not None
    }


@pytest.mark.parametrize(
    "text",
    [
        '[1,null,2,3,"a","b","c","d",null,"u"]x',  # more after the value
        '[1,null,2,3,"a","b","c","d",null,"u"][1]',
        "[1,null,2]",  # another shape
        '{"d": 1}',
        "",
        "not json",
        None,
        17,
        b"[1]",
    ],
)
def test_unpack_of_what_is_not_an_entry_is_none(text):
    assert queues.unpack(text) is None


def test_the_dates_read_from_the_text_are_the_decoded_ones():
    bare = {"_id": "C2", "status": "answered", "received_at": CASE["received_at"]}
    for case in (CASE, bare):
        text = queues.entry(case)
        e = queues.unpack(text)
        assert queues._head_entry(text) == {k: v for k, v in e.items() if k in queues.HEAD}
        for index, name in enumerate(queues.HEAD):
            assert queues._head_value(text, index) == e.get(name)
    assert queues._head_entry("[-5,null,null,7,1,2,3,4,5,6]") == {"d": -5, "r": 7}


@pytest.mark.parametrize(
    "text",
    [
        '["2026-11-20",null,null,3,"a","b","c","d",null,"u"]',
        "[1.5,2,3,4,5]",
        "[1,2,3,4]",
        "[²,null,null,null,1]",  # a digit to str.isdigit, not to int
        "[1,-,null,null,1]",
        "",
        "x",
        None,
    ],
)
def test_a_text_not_of_that_form_is_decoded_instead(text):
    assert queues._head_entry(text) is None


@pytest.mark.parametrize(
    "text, index",
    [
        ('["2026-11-20",null,null,3,"a","b","c","d",null,"u"]', 0),
        ("[1.5,2,3,4,5]", 0),
        ("[1,2,3,4]", 3),
        ("[²,null,null,null,1]", 0),
        ("[1,-,null,null,1]", 1),
        ("", 0),
        (None, 3),
    ],
)
def test_a_sort_key_not_of_that_form_is_decoded_instead(text, index):
    assert queues._head_value(text, index) is queues._UNREAD


def test_an_entry_holds_the_json_text_of_each_value_a_filter_accepts():
    """Keep.holds leaves out an entry only when no value of a group appears in its text: every
    entry `entry` writes whose fields match holds them, whatever the characters."""
    towns = ["城关镇", 'a "quoted" town', "back\\slash", "tab\there", "é"]
    for town in towns:
        case = {**CASE, "location": {"town": town}, "flags": ["x", "repeat_petitioner"]}
        text = queues.entry(case)
        keep = queues.Keep(
            lambda s, e: True,
            needles=(
                tuple(json.dumps(t, ensure_ascii=False) for t in [town, "other"]),
                (json.dumps("repeat_petitioner"),),
            ),
        )
        assert keep.holds(text)
        other = queues.Keep(lambda s, e: True, needles=((json.dumps("elsewhere"),),))
        assert not other.holds(text)


def test_a_running_case_is_kept_in_the_part_of_the_days_it_is_first_due():
    due = CASE["assignment"]["due_at"]
    name, first = queues.part_of(CASE)
    days = timedelta(days=queues.PART_DAYS)
    assert first <= due < first + days
    assert name == first.strftime("%Y-%m-%d") and (first - queues.EPOCH) % days == timedelta(0)
    later = {**CASE, "assignment": {**CASE["assignment"], "extended_to": due + timedelta(days=30)}}
    assert queues.part_of(later) == (name, first)  # the earlier of the two due times
    at_first = {**CASE, "assignment": {**CASE["assignment"], "due_at": first}}
    assert queues.part_of(at_first) == (name, first)
    next_part = {**at_first, "assignment": {"due_at": first + days}}
    assert queues.part_of(next_part)[1] == first + days
    assert queues.part_of({**CASE, "status": "answered"}) == ("", None)
    assert queues.part_of({**CASE, "assignment": {}}) == ("1970-01-01", queues.EPOCH)
    # without `due_at` (it sorts first), the first part whatever the extension
    extended_only = {**CASE, "assignment": {"extended_to": due}}
    assert queues.part_of(extended_only) == ("1970-01-01", queues.EPOCH)


def test_a_case_s_parts_hold_its_entry_and_yellow_mark_in_each_of_its_units_queues():
    case = {**CASE, "assignment": {**CASE["assignment"], "co_units": ["hexi_town"]}}
    name, first = queues.part_of(case)
    placed = queues.placed(case)
    assert set(placed) == {
        queues.part_key(queues.key(unit, case["status"]), name)
        for unit in (case["assignment"]["lead_unit"], "hexi_town")
    }
    for held in placed.values():
        assert held.first == first and held.yellow == case["assignment"]["yellow_at"]
        assert held.latest == case["assignment"]["due_at"] and held.entry == queues.entry(case)
    assert queues.placed({**case, "status": "closed"}) == {}


def test_a_list_by_due_time_reads_contiguous_windows_of_parts():
    now = datetime(2026, 11, 25, 2, tzinfo=timezone.utc)
    part, day = queues._PART_MS, 86_400_000
    start = queues.ms(now) // part * part
    edges = sorted({(queues.ms(now) + d * day) // part * part for d in queues.WINDOW_DAYS})
    windows = queues._windows({"ym": {"$lte": now}}, now)
    assert [upper for _, upper in windows] == [*edges, None]
    lower = None
    for only, upper in windows:
        assert only["ym"] == {"$lte": now}  # the list's own bounds kept
        assert only["p"].get("$gte") == lower
        lower = only["p"].get("$lt")
        assert (queues.ms(lower) if lower else None) == upper
    # overdue: nothing begins at now or later, and the window that reaches now is the last
    windows = queues._windows({"p": {"$lt": now}}, now)
    assert [upper for _, upper in windows] == [*[e for e in edges if e <= start], None]
    assert windows[-1][0]["p"] == {"$gte": queues.EPOCH + timedelta(milliseconds=start), "$lt": now}
    # yellow (due after now): the parts before now's in one window
    windows = queues._windows({"xm": {"$gte": now}}, now)
    assert [upper for _, upper in windows] == [*[e for e in edges if e >= start], None]


def test_a_page_is_known_when_enough_come_before_what_is_unread():
    places = [(True, 10, "a"), (True, 20, "b"), (True, 30, "c"), (False, 0, "z")]
    assert queues._known(places, None, 25, 3)  # null first, then 10 and 20
    assert not queues._known(places, None, 25, 4)
    assert not queues._known(places, (True, 10, "a"), 25, 2)  # after the cursor: 20 only
    assert queues._known(places, (True, 10, "a"), 31, 2)
