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
    received, month = CASE["received_at"], timedelta(days=queues.ANSWERED_PART_DAYS)
    name, first = queues.part_of({**CASE, "status": "answered"})  # by received time
    assert first <= received < first + month and name == first.strftime("%Y-%m-%d")
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


def _contiguous(windows, descending=False):
    """The windows' bounds on `p` follow each other, and each edge is where they meet."""
    near, far = ("$gte", "$lt") if descending else ("$lt", "$gte")
    for (a, edge), (b, _) in zip(windows, windows[1:]):
        assert a["p"][near] == b["p"][far]
        assert queues.ms(a["p"][near]) == edge
    assert windows[-1][1] is None


def test_a_list_by_due_time_reads_contiguous_windows_of_parts():
    now = datetime(2026, 11, 25, 2, tzinfo=timezone.utc)
    part, day = queues.part_ms("in_progress"), 86_400_000
    start = queues.ms(now) // part * part
    edges = sorted({(queues.ms(now) + d * day) // part * part for d in queues.WINDOW_DAYS})
    windows = queues._windows({"ym": {"$lte": now}}, now, "in_progress", False)
    assert [edge for _, edge in windows] == [*edges, None]
    assert all(only["ym"] == {"$lte": now} for only, _ in windows)  # the list's bounds kept
    assert "$gte" not in windows[0][0]["p"] and "$lt" not in windows[-1][0]["p"]
    _contiguous(windows)
    # overdue: nothing begins at now or later, and the window that reaches now is the last
    windows = queues._windows({"p": {"$lt": now}}, now, "in_progress", False)
    assert [edge for _, edge in windows] == [*[e for e in edges if e <= start], None]
    assert windows[-1][0]["p"] == {"$gte": queues.EPOCH + timedelta(milliseconds=start), "$lt": now}
    _contiguous(windows)
    # yellow (due after now): the parts before now's in one window
    windows = queues._windows({"xm": {"$gte": now}}, now, "in_progress", False)
    assert [edge for _, edge in windows] == [*[e for e in edges if e >= start], None]


def test_a_list_of_answered_cases_reads_windows_of_received_time_either_way():
    now = datetime(2026, 11, 25, 2, tzinfo=timezone.utc)
    part, day = queues.part_ms("answered"), 86_400_000
    edges = sorted({(queues.ms(now) + d * day) // part * part for d in queues.ANSWERED_WINDOW_DAYS})
    oldest_first = queues._windows({}, now, "answered", False)
    assert [edge for _, edge in oldest_first] == [*edges, None]
    _contiguous(oldest_first)
    newest_first = queues._windows({}, now, "answered", True)
    assert [edge for _, edge in newest_first] == [*reversed(edges), None]
    assert [w for w, _ in newest_first] == [w for w, _ in reversed(oldest_first)]
    _contiguous(newest_first, descending=True)


def test_a_page_is_known_when_enough_come_before_what_is_unread():
    places = [(True, 10, "a"), (True, 20, "b"), (True, 30, "c"), (False, 0, "z")]
    assert queues._known(places, None, 25, 3)  # null first, then 10 and 20
    assert not queues._known(places, None, 25, 4)
    assert not queues._known(places, (True, 10, "a"), 25, 2)  # after the cursor: 20 only
    assert queues._known(places, (True, 10, "a"), 31, 2)
    # newest first: what sorts at or after the edge is known
    assert queues._known(places, None, 20, 2, descending=True)  # 30 and 20
    assert not queues._known(places, None, 20, 3, descending=True)
    assert not queues._known(places, (True, 30, "c"), 20, 2, descending=True)  # 20 only
