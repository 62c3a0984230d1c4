"""The feed, the inbox and the notes the re-drives read, on the real store: read by `_id`
only, in order, each entry once, and what a crash leaves half-written still read right."""

from datetime import timedelta

import pytest

from lianxin import outbox
from lianxin.clock import utcnow
from lianxin.errors import NotFound
from lianxin.events import make_event
from services.notify import handlers, inbox, journal

pytestmark = pytest.mark.integration
OFFICE = {"role": "supervisor", "username": "supervisor"}


def _events(n, case_id="LX-20261125-000001"):
    return [
        make_event("case.progress", now=utcnow(), case_id=case_id, data={"n": i}) for i in range(n)
    ]


def test_the_feed_pages_through_every_event_once_in_order_across_journal_pages(db):
    events = _events(230)
    for e in events:
        journal.append(db, utcnow(), e)
    journal.append(db, utcnow(), events[5])  # the same event again: recorded once
    seen, after = [], "0"
    while True:
        page = handlers.feed(db, OFFICE, after, 70)
        if not page["items"]:
            break
        seen += page["items"]
        after = page["next_cursor"]
    assert [e["event_id"] for e in seen] == [e["event_id"] for e in events]
    assert after == "230"
    assert db.journal_pages.count_documents({}) == 3  # 1–99, 100–199, 200–230


def test_events_recorded_together_are_numbered_in_order_once_each_across_pages(db):
    events = _events(130)
    journal.append(db, utcnow(), events[3])  # recorded before: keeps its number
    batch = events[:60] + [events[10]] + events[60:]  # and one published twice
    numbers = journal.append_many(db, utcnow(), batch)
    assert numbers[events[3]["event_id"]] == 1
    assert [numbers[e["event_id"]] for e in events[:3]] == [2, 3, 4]
    assert max(numbers.values()) == 130 and len(set(numbers.values())) == 130
    in_feed = journal.read(db, 0, 200, max_scan=300)[0]
    assert [e["event_id"] for e in in_feed] == [events[3]["event_id"]] + [
        e["event_id"] for e in events if e is not events[3]
    ]
    assert db.journal_head.find_one({"_id": journal.HEAD})["seq"] == 130
    assert journal.append_many(db, utcnow(), events) == numbers  # all seen: nothing new


def test_a_batch_meeting_numbers_a_crash_or_another_consumer_took_steps_over_them(db):
    first, mine = _events(3), _events(5)
    for e in first:
        journal.append(db, utcnow(), e)
    # another consumer wrote number 4 and died before moving the head; this consumer had
    # written number 5 (its own first event), then crashed before anything else
    other = _events(1)[0]
    for seq, e in ((4, other), (5, mine[0])):
        db.journal.insert_one(
            {
                "_id": journal.key(seq),
                "seq": seq,
                "event_id": e["event_id"],
                "event": e,
                "recorded_at": utcnow(),
            }
        )
    numbers = journal.append_many(db, utcnow(), mine)
    assert [numbers[e["event_id"]] for e in mine] == [5, 6, 7, 8, 9]
    assert [e["event_id"] for e in journal.read(db, 0, 20)[0]] == [
        e["event_id"] for e in first + [other] + mine
    ]
    assert db.journal_head.find_one({"_id": journal.HEAD})["seq"] == 9


def test_a_batch_s_webhook_deliveries_carry_each_event_s_number(db):
    db.webhooks.insert_one(
        {"_id": "w1", "url": "http://127.0.0.1:9/hook", "secret": "s", "event_types": ["*"]}
    )
    events = _events(3)
    keys = handlers.record_many(db, utcnow(), events)
    assert keys == [f"wh:w1:{e['event_id']}" for e in events]
    assert [db.deliveries.find_one({"_id": k})["sequence"] for k in keys] == [1, 2, 3]
    assert handlers.record_many(db, utcnow(), events) == keys  # again: the same, once each
    assert db.deliveries.count_documents({"kind": "webhook"}) == 3


def test_a_page_slot_a_crash_left_empty_is_read_from_the_journal(db):
    events = _events(5)
    for e in events:
        journal.append(db, utcnow(), e)
    db.journal_pages.update_one({"_id": "0000000000"}, {"$unset": {"e.03": ""}})
    assert [e["event_id"] for e in journal.read(db, 0, 10)[0]] == [e["event_id"] for e in events]


def test_page_slots_are_json_texts_and_read_back_as_the_events(db):
    events = _events(3)
    for e in events:
        journal.append(db, utcnow(), e)
    slots = db.journal_pages.find_one({"_id": "0000000000"})["e"]
    assert sorted(slots) == ["01", "02", "03"]
    assert all(isinstance(value, str) for value in slots.values())
    assert journal.read(db, 0, 10) == (events, 3)


def test_a_page_of_the_older_shape_reads_the_same_and_is_written_again_as_text(db):
    events = _events(4)
    for e in events:
        journal.append(db, utcnow(), e)
    # as written before slots were texts: the events as sub-documents
    db.journal_pages.update_one(
        {"_id": "0000000000"}, {"$set": {"e.01": events[0], "e.02": events[1]}}
    )
    assert journal.read(db, 0, 10) == (events, 4)
    slots = db.journal_pages.find_one({"_id": "0000000000"})["e"]
    assert all(isinstance(value, str) for value in slots.values())
    assert journal.read(db, 1, 2) == (events[1:3], 3)


def test_a_feed_numbered_by_integer_ids_keeps_its_numbers_and_cursors(db):
    events = _events(3)
    for seq, e in enumerate(events, 1):
        db.journal.insert_one(
            {"_id": seq, "event_id": e["event_id"], "event": e, "recorded_at": utcnow()}
        )
    db.journal_head.insert_one({"_id": journal.HEAD, "seq": 3})
    assert journal.upgrade(db) == 3
    assert journal.upgrade(db) == 0  # once
    assert [e["event_id"] for e in handlers.feed(db, OFFICE, "1", 10)["items"]] == [
        e["event_id"] for e in events[1:]
    ]
    assert journal.append(db, utcnow(), _events(1)[0]) == 4


def test_the_inbox_lists_newest_first_once_each_and_counts_what_is_unread(db):
    now = utcnow()
    for i in range(5):
        inbox.put(
            db,
            "env_handler",
            f"d{i}",
            {"title": f"t{i}", "body": "", "case_id": None, "template": "x", "created_at": now},
        )
    assert not inbox.put(db, "env_handler", "d2", {"title": "again", "created_at": now})
    inbox.put(db, "cg_handler", "other", {"title": "x", "body": "", "created_at": now})
    user = {"username": "env_handler"}
    listed = handlers.inbox(db, user, False, 3)
    assert [m["title"] for m in listed["items"]] == ["t4", "t3", "t2"]
    assert listed["unread"] == 5
    third = listed["items"][1]["id"]
    handlers.mark_read(db, now, user, third)
    handlers.mark_read(db, now, user, third)  # twice: counted once
    unread = handlers.inbox(db, user, True, 10)
    assert [m["title"] for m in unread["items"]] == ["t4", "t2", "t1", "t0"]
    assert unread["unread"] == 4
    with pytest.raises(NotFound):
        handlers.mark_read(db, now, {"username": "cg_handler"}, third)  # not theirs


def test_an_inbox_written_before_the_numbering_is_numbered_once(db):
    now = utcnow()
    for i in range(3):
        db.inbox.insert_one(
            {
                "_id": f"old{i}",
                "user": "env_handler",
                "title": f"t{i}",
                "body": "",
                "created_at": now + timedelta(seconds=i),
                "read": i == 0,
            }
        )
    assert inbox.upgrade(db) == 3 and inbox.upgrade(db) == 0
    listed = handlers.inbox(db, {"username": "env_handler"}, False, 10)
    assert [m["title"] for m in listed["items"]] == ["t2", "t1", "t0"]
    assert [m["read"] for m in listed["items"]] == [False, False, True]
    assert listed["unread"] == 2
    assert not inbox.put(db, "env_handler", "old1", {"title": "again", "created_at": now})


def test_the_outbox_note_goes_with_the_flush_that_empties_it_but_not_a_renewed_one(db):
    class Bus:
        def __init__(self):
            self.sent = []

        def publish(self, event):
            self.sent.append(event["event_id"])

    now = utcnow()
    [e1, e2] = _events(2)
    token = outbox.mark(db, "c1", now)
    db.cases.insert_one({"_id": "c1", "outbox": [e1], "outbox_since": now})
    renewed = outbox.mark(db, "c1", now)  # a second writer, before the first one flushes
    db.cases.update_one({"_id": "c1"}, {"$push": {"outbox": e2}})
    outbox.flush(db, Bus(), "c1", [e1], token=token)
    assert db.outbox_due.find_one({"_id": "cases:c1"})["token"] == renewed  # e2 still owed
    bus = Bus()
    # the second writer crashed: the relay finds the note once it is old enough
    assert outbox.relay(db, bus, now + timedelta(seconds=60), 5) == 1
    assert bus.sent == [e2["event_id"]] and db.outbox_due.count_documents({}) == 0


def test_notify_redrive_plans_what_no_handler_planned_and_only_that(db):
    from services.notify.channels import Inbox

    class Mail:
        def __init__(self):
            self.sent = []

        def send(self, to, parts, ref):
            self.sent.append((to, ref))

    old = utcnow() - timedelta(hours=1)
    cfg = handlers.Config.from_settings()
    senders = handlers.Senders(email=Mail(), sms=Mail(), inbox=Inbox(db), webhook=None)
    assert handlers.redrive(db, senders, utcnow(), cfg, 300, 100) == 0  # starts at the end
    lost = make_event(
        "alert.raised", now=old, data={"alert_id": "a1", "kind": "collective", "count": 12}
    )
    planned = make_event(
        "alert.raised", now=old, data={"alert_id": "a2", "kind": "collective", "count": 12}
    )
    for e in (lost, planned):
        journal.append(db, old, e)
    db.notify_planned.insert_one({"_id": planned["event_id"], "at": old})
    assert handlers.redrive(db, senders, utcnow(), cfg, 300, 100) == 1
    assert db.notify_planned.find_one({"_id": lost["event_id"]})
    assert handlers.redrive(db, senders, utcnow(), cfg, 300, 100) == 0  # the cursor moved on
