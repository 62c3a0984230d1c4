"""Queues' parts (lianxin/queues.py) follow the cases through the one door, and a queue page
read from them is the page the store's query gives: the same cases in the same order, page
after page, for a unit and for the office; a queue that missed a write is put right; the
lists of overdue and yellow-marked cases read only the parts that can hold them."""

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


def queued(db):
    """{(queue key, case id): entry} of every part of the store's queues."""
    parts = db.queues.find({"q": {"$exists": True}})
    return {(d["q"], i): text for d in parts for i, text in d["e"].items()}


def one_piece(db, field="e", value=lambda text: text):
    """Make the store's queues one document each again (`_id` = the queue's key), as stores
    before decision 0046 kept them, each entry's text given as `value(text)` under `field`,
    and unmark the store's upgrade to parts; returns what the parts held (`queued`)."""
    kept = queued(db)
    pieces: dict = {}
    for (queue_key, case_id), text in kept.items():
        pieces.setdefault(queue_key, {})[case_id] = value(text)
    db.queues.delete_many({})
    db.queues.insert_many([{"_id": k, field: e} for k, e in pieces.items()])
    db.upgrades.delete_one({"_id": queues.PARTS_UPGRADE})
    queues._ready.clear()
    return kept


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
    assert county.queues.find_one({"q": queues.key(co_unit, "in_progress")})
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
    queue_key = queues.key("chengguan_town", "assigned")
    name, first = queues.part_of({**case, "status": "assigned"})
    part = queues.part_key(queue_key, name)
    county.queues.update_one(
        {"_id": part}, {"$set": {"q": queue_key, "p": first, f"e.{case['_id']}": {}}}, upsert=True
    )
    want = pages(county, {"status": "assigned"}, HANDLER, via_queues=False, monkeypatch=monkeypatch)
    assert case["_id"] not in want
    assert pages(county, {"status": "assigned"}, HANDLER) == want
    doc = county.queues.find_one({"_id": part})
    assert doc is None or case["_id"] not in doc["e"]


def test_a_rebuild_makes_the_same_queues(county):
    kept = queued(county)
    weeks = {d["_id"]: (d["q"], d.get("p")) for d in county.queues.find() if d["e"]}
    assert queues.rebuild(county) == len({case_id for _, case_id in kept})
    assert queued(county) == kept
    assert {d["_id"]: (d["q"], d.get("p")) for d in county.queues.find()} == weeks


def _read_parts(monkeypatch):
    """Records the parts each list reads."""
    read: list = []
    real = queues.read_parts

    def recording(*args, **kwargs):
        for doc in real(*args, **kwargs):
            read.append(doc)
            yield doc

    monkeypatch.setattr(queues, "read_parts", recording)
    return read


def test_overdue_and_yellow_lists_read_only_the_parts_that_can_hold_them(county, monkeypatch):
    everything = _read_parts(monkeypatch)
    pages(county, {"status": ",".join(queries.RUNNING)}, OFFICE, limit=50)
    monkeypatch.undo()
    for filters, can_hold in (
        ({"overdue": True}, lambda d: d["p"] < NOW),
        ({"warning": "red"}, lambda d: d["p"] < NOW),
        ({"warning": "yellow"}, lambda d: d.get("ym", NOW) <= NOW <= d.get("xm", NOW)),
    ):
        read = _read_parts(monkeypatch)
        got = pages(county, filters, OFFICE, limit=50)
        monkeypatch.undo()
        assert got and read and all(can_hold(d) for d in read), filters
        unread = [d for d in everything if d["_id"] not in {r["_id"] for r in read}]
        assert unread and not any(can_hold(d) for d in unread), filters


def test_an_extended_case_stays_in_the_week_it_was_first_due(county, monkeypatch):
    """Approved extensions: the case is due later and its yellow mark moves; it stays in the
    part of its first due time (the earlier: a part never begins after what it holds is
    overdue), its part's `ym` no later than the new mark, and the lists of overdue and
    yellow-marked cases are still the store's."""
    running = {"status": "in_progress", "assignment.lead_unit": "chengguan_town"}
    leader = {"username": "cg_leader", "role": "unit_leader", "unit": "chengguan_town", "name": "l"}
    overdue = county.cases.find_one({**running, "assignment.due_at": {"$lt": NOW}})
    assert overdue, "the county has an overdue case"
    due_later = {**running, "_id": {"$ne": overdue["_id"]}, "assignment.due_at": {"$gt": NOW}}
    for case_id, days in ((overdue["_id"], 30), (county.cases.find_one(due_later)["_id"], 1)):
        case = county.cases.find_one({"_id": case_id})
        before = queues.part_of(case)
        cases.apply(
            county,
            Publisher(),
            NOW,
            case,
            HANDLER,
            "request_extension",
            handling.request_extension(case, HANDLER, {"days": days, "reason": "r"}, NOW),
        )
        case = county.cases.find_one({"_id": case["_id"]})
        cases.apply(
            county,
            Publisher(),
            NOW,
            case,
            leader,
            "decide_extension",
            handling.decide_extension(case, leader, {"approve": True}, NOW),
        )
        case = county.cases.find_one({"_id": case["_id"]})
        assert queues.part_of(case) == before  # the earlier of the two due times
        held = county.queues.find_one(
            {"_id": queues.part_key(queues.key("chengguan_town", "in_progress"), before[0])}
        )
        assert held["e"][case["_id"]] == queues.entry(case)
        assert held["ym"] <= case["assignment"]["yellow_at"]
        assert held["xm"] >= case["assignment"]["extended_to"]
    for filters in (
        {"overdue": True},
        {"warning": "yellow"},
        {"overdue": False, "status": "in_progress"},
    ):
        got = pages(county, filters, OFFICE, limit=9)
        assert got == pages(county, filters, OFFICE, 9, False, monkeypatch), filters
    assert overdue["_id"] not in pages(county, {"overdue": True}, OFFICE, limit=50)


def test_return_visits_read_windows_of_received_time_either_way(county, monkeypatch):
    """The answered cases are kept by when they were received: a list of them oldest or
    newest first reads the parts in windows from that end, and is the store's list."""
    answered = list(county.cases.find({"status": "answered"}, {"_id": 1}).limit(4))
    assert len(answered) == 4
    for case, days in zip(answered, (40, 200, 400, 800)):  # as if waiting that long
        when = NOW - timedelta(days=days)
        county.cases.update_one({"_id": case["_id"]}, {"$set": {"received_at": when}})
        queues.follow(county, case)
    visits = {"status": "answered"}
    for sort in ("received_at", "-received_at"):
        read = _read_parts(monkeypatch)
        got = pages(county, visits, OFFICE, limit=2, sort=sort)
        monkeypatch.undo()
        assert got == pages(county, visits, OFFICE, 2, False, monkeypatch, sort=sort), sort
        if sort == "received_at":  # the part of the case received 800 days ago first
            assert read[0]["p"] < NOW - timedelta(days=720)
        else:  # the part of the days just gone first
            assert read[0]["p"] > NOW - timedelta(days=60)
    oldest = pages(county, visits, OFFICE, limit=50, sort="received_at")[:4]
    assert oldest == [c["_id"] for c in reversed(answered)]


def test_a_part_left_empty_is_deleted_when_read(county):
    queue_key = queues.key("chengguan_town", "in_progress")
    part = queues.part_key(queue_key, "1971-01-07")
    county.queues.insert_one({"_id": part, "q": queue_key, "p": queues.EPOCH, "e": {}})
    pages(county, {"overdue": True}, HANDLER)
    assert county.queues.find_one({"_id": part}) is None


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
    kept = {d["_id"]: d["e"] for d in county.queues.find({"q": {"$regex": r"\|answered$"}})}
    assert len(kept) > 3 and sum(len(e) for e in kept.values()) >= 5
    county.queues.delete_many({"_id": {"$in": list(kept)}})
    county.upgrades.delete_one({"_id": queues.ANSWERED_UPGRADE})
    queues._ready.clear()
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


def _upgraded_into_parts(county, monkeypatch, upgraded, kept, actor, before):
    """The reading service's start upgrades `upgraded` documents, once; the parts then hold
    what `kept` held, nothing of one piece is left, and the actor's list of cases in progress
    is `before` again, from the parts."""
    assert queues.upgrade(county) == upgraded
    assert queues.upgrade(county) == 0  # done once
    assert queued(county) == kept
    assert county.queues.count_documents({"q": {"$exists": False}}) == 0
    answered = _served(monkeypatch)
    assert pages(county, {"status": "in_progress"}, actor) == before
    assert answered and all(answered)
    monkeypatch.undo()


def test_queues_of_one_piece_are_moved_into_parts(county, monkeypatch):
    """Stores before decision 0046 keep a queue in one document: lists are read from `cases`
    and the reminder from the store's query until the reading service's start moves every
    queue's cases into parts (once), then they come from the parts again."""
    answered = _served(monkeypatch)
    before = pages(county, {"status": "in_progress"}, OFFICE)
    monkeypatch.undo()
    reminder = sweeps.owing_by_unit(county)
    kept = one_piece(county)
    answered = _served(monkeypatch)
    assert pages(county, {"status": "in_progress"}, OFFICE) == before
    assert answered and not any(answered)
    monkeypatch.undo()
    fallback = answers(monkeypatch, sweeps, "_owing_from_cases")
    assert sweeps.owing_by_unit(county) == reminder
    assert len(fallback) == 1
    monkeypatch.undo()
    pieces = county.queues.count_documents({})
    _upgraded_into_parts(county, monkeypatch, pieces, kept, OFFICE, before)
    fallback = answers(monkeypatch, sweeps, "_owing_from_cases")
    assert sweeps.owing_by_unit(county) == reminder
    assert fallback == []


def test_entries_without_the_lead_unit_are_upgraded(county, monkeypatch):
    """Entries written before the lead unit was added hold one value fewer: the reminder reads
    the store's query until the reading service's start writes them again (once)."""
    kept = one_piece(county, value=lambda text: json.dumps(json.loads(text)[:-1]))
    county.upgrades.delete_one({"_id": queues.LEAD_UNIT_UPGRADE})
    fallback = answers(monkeypatch, sweeps, "_owing_from_cases")
    before = sweeps.owing_by_unit(county)
    assert len(fallback) == 1
    monkeypatch.undo()
    assert queues.upgrade(county) > 0
    assert queues.upgrade(county) == 0  # done once
    assert queued(county) == kept
    fallback = answers(monkeypatch, sweeps, "_owing_from_cases")
    assert sweeps.owing_by_unit(county) == before
    assert fallback == []


def test_documents_of_the_first_shape_are_upgraded(county, monkeypatch):
    """Stores written before decision 0032 hold {case id: due time} under `c`: lists are read
    from `cases` until the reading service's start gives each queue its entries, in parts."""
    kept = one_piece(county, "c", lambda text: queues.unpack(text).get("d"))
    answered = _served(monkeypatch)
    before = pages(county, {"status": "in_progress"}, HANDLER)
    assert answered and not any(answered)
    monkeypatch.undo()
    pieces = county.queues.count_documents({})
    # a queue still holding such ids is not moved into parts, and the store not marked
    assert queues.upgrade_parts(county) == 0
    assert not county.upgrades.find_one({"_id": queues.PARTS_UPGRADE})
    # given their entries, then moved into parts
    _upgraded_into_parts(county, monkeypatch, 2 * pieces, kept, HANDLER, before)
