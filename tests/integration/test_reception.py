"""Reception days on the real store (docs/contract.md §13): 50 bookings at once never take
more places than there are, the waiting list moves up when a place is freed, a booking about
the citizen's open case is shown with it, bad input is refused with the field and the
reason, and the people who booked are planned a message when the leader is replaced."""

from datetime import date, timedelta

import eventlet
import pytest

from lianxin.errors import Forbidden, ValidationFailed
from services.intake import handlers as intake
from services.intake import screening
from services.notify import handlers as notify
from services.reception import bookings, desk, sessions

pytestmark = pytest.mark.integration

TZ = "Asia/Shanghai"
CLERK = {"username": "clerk", "role": "clerk", "unit": "mass_work_office", "leader": None}
HANDLER = {"username": "env_handler", "role": "handler", "unit": "environment_bureau"}
HOUSING = {"username": "housing_handler", "role": "handler", "unit": "housing_bureau"}


class Bus:
    def __init__(self):
        self.events = []

    def publish(self, event):
        self.events.append(event)

    def types(self):
        return [e["type"] for e in self.events]


def now_of(db):
    from lianxin.clock import utcnow

    return utcnow()


def a_session(db, bus, capacity=3, **extra):
    tomorrow = (now_of(db) + timedelta(days=2)).date().isoformat()
    body = {
        "date": tomorrow,
        "start": "09:00",
        "end": "11:30",
        "place": "县群众来访接待中心",
        "rota": ["magistrate_li", "deputy_zhao", "deputy_chen"],
        "accompanying_units": ["environment_bureau"],
        "capacity": capacity,
        "content": "县领导接访",
        "publish": True,
        **extra,
    }
    return sessions.create(db, bus, now_of(db), CLERK, body, TZ)


def booking(n, about="小区门口垃圾站臭气熏天", **citizen):
    return {
        "citizen": {"name": f"群众{n}", "phone": f"1391234{n:04d}", **citizen},
        "about": about,
    }


def test_fifty_bookings_at_once_never_take_more_places_than_there_are(db):
    bus = Bus()
    session = a_session(db, bus, capacity=10)
    pool = eventlet.GreenPool(50)

    def one(n):
        try:
            return bookings.book(db, bus, now_of(db), session["id"], booking(n))["status"]
        except ValidationFailed as exc:
            return exc.details["fields"]["session_id"][0]

    outcomes = list(pool.imap(one, range(50)))
    assert outcomes.count("booked") == 10
    assert outcomes.count("waitlisted") == 10  # the waiting list is as long as the room
    assert outcomes.count("the session and its waiting list are full") == 30
    stored = db.reception_sessions.find_one({"_id": session["id"]})
    assert (stored["places_left"], stored["booked"], stored["waitlisted"]) == (0, 10, 10)
    assert db.reception_bookings.count_documents({"status": "booked"}) == 10
    positions = sorted(b["position"] for b in db.reception_bookings.find({"status": "waitlisted"}))
    assert positions == list(range(1, 11))


def test_a_cancellation_gives_the_place_to_the_first_on_the_waiting_list(db):
    bus = Bus()
    session = a_session(db, bus, capacity=1, waiting_list=5)
    first = bookings.book(db, bus, now_of(db), session["id"], booking(1))
    second = bookings.book(db, bus, now_of(db), session["id"], booking(2))
    third = bookings.book(db, bus, now_of(db), session["id"], booking(3))
    assert [r["status"] for r in (first, second, third)] == ["booked", "waitlisted", "waitlisted"]
    with pytest.raises(Exception) as wrong:
        bookings.cancel(db, bus, now_of(db), session["id"], first["id"], {"code": "nope"})
    assert wrong.value.status == 404
    bookings.cancel(db, bus, now_of(db), session["id"], first["id"], {"code": first["cancel_code"]})
    statuses = {
        b["_id"]: b["status"] for b in db.reception_bookings.find({"session_id": session["id"]})
    }
    assert statuses == {first["id"]: "cancelled", second["id"]: "booked", third["id"]: "waitlisted"}
    assert bus.types().count("reception.promoted") == 1
    promoted = next(e for e in bus.events if e["type"] == "reception.promoted")
    assert promoted["data"]["booking_id"] == second["id"] and promoted["case_id"] is None
    # the contact that cancelled may book again (and waits behind the third)
    again = bookings.book(db, bus, now_of(db), session["id"], booking(1))
    assert again["status"] == "waitlisted"


def test_one_booking_per_contact_and_session(db):
    bus = Bus()
    session = a_session(db, bus)
    bookings.book(db, bus, now_of(db), session["id"], booking(1))
    with pytest.raises(ValidationFailed) as twice:
        bookings.book(db, bus, now_of(db), session["id"], booking(1, about="另一件事"))
    assert "citizen" in twice.value.details["fields"]


def test_a_session_in_the_past_and_a_capacity_below_the_bookings_are_refused_with_the_field(db):
    bus = Bus()
    yesterday = (now_of(db) - timedelta(days=1)).date().isoformat()
    with pytest.raises(ValidationFailed) as past:
        a_session(db, bus, date=yesterday)
    assert past.value.details["fields"]["date"] == ["the session would be in the past"]
    session = a_session(db, bus, capacity=3)
    for n in range(2):
        bookings.book(db, bus, now_of(db), session["id"], booking(n))
    with pytest.raises(ValidationFailed) as smaller:
        sessions.change(db, bus, now_of(db), CLERK, session["id"], {"capacity": 1}, TZ)
    assert smaller.value.details["fields"]["capacity"] == ["below the 2 places already booked"]
    with pytest.raises(ValidationFailed) as unknown:
        a_session(db, bus, rota=["nobody"])
    assert "rota" in unknown.value.details["fields"]


def test_a_larger_room_moves_the_waiting_list_up(db):
    bus = Bus()
    session = a_session(db, bus, capacity=1)
    bookings.book(db, bus, now_of(db), session["id"], booking(1))
    waiting = bookings.book(db, bus, now_of(db), session["id"], booking(2))
    after = sessions.change(db, bus, now_of(db), CLERK, session["id"], {"capacity": 2}, TZ)
    assert db.reception_bookings.find_one({"_id": waiting["id"]})["status"] == "booked"
    assert (after["places_left"], after["capacity"]) == (1, 2)  # before the move up
    assert db.reception_sessions.find_one({"_id": session["id"]})["places_left"] == 0
    [changed] = [e for e in bus.events if e["type"] == "reception.changed"]
    assert changed["data"]["fields"] == ["capacity"] and not changed["data"]["tell_bookers"]


def test_a_booking_about_an_open_case_of_the_citizen_is_shown_with_that_case(db):
    bus = Bus()
    case = {
        "kind": "complaint",
        "topic": "environment",
        "title": "垃圾站臭气",
        "content": "小区门口垃圾站臭气熏天，夏天更严重",
        "citizen": {"name": "群众7", "phone": "13912340007"},
    }
    receipt = intake.submit(db, bus, now_of(db), case, "key:open-case", tz=TZ)
    session = a_session(db, bus)

    def similar(probe):  # what reception asks of intake over RPC (intake.similar_open_case)
        return screening.similar_open_case(db, now_of(db), probe)

    bookings.book(db, bus, now_of(db), session["id"], booking(7), similar=similar)
    bookings.book(db, bus, now_of(db), session["id"], booking(8), similar=similar)  # another
    seen = {
        v["citizen"]["name"]: v["similar_case"]
        for v in sessions.get_session(db, CLERK, session["id"])["visits"]
    }
    assert seen["群众7"]["id"] == receipt["id"] and seen["群众7"]["score"] >= 0.45
    assert seen["群众8"] is None


def test_the_stand_in_is_shown_as_a_change_and_every_booker_is_planned_a_message(db):
    bus = Bus()
    session = a_session(db, bus, capacity=1)
    bookings.book(db, bus, now_of(db), session["id"], booking(1))
    bookings.book(
        db,
        bus,
        now_of(db),
        session["id"],
        {**booking(2), "citizen": {"name": "群众2", "email": "q2@example.cn"}},
    )
    after = sessions.replace_leader(
        db, bus, now_of(db), CLERK, session["id"], {"reason": "李县长赴省开会"}
    )
    assert after["leader"]["id"] == "deputy_zhao"
    public = sessions.public_session(db, session["id"])
    [change] = public["changes"]
    assert (change["kind"], change["from"], change["to"]) == ("stand_in", "李县长", "赵副县长")
    event = bus.events[-1]
    assert event["type"] == "reception.changed" and event["data"]["tell_bookers"]
    keys = notify.plan(db, now_of(db), event, notify.Config.from_settings())
    planned = {
        (d["template"], d["channel"], d["recipient"])
        for d in db.deliveries.find({"_id": {"$in": keys}})
    }
    assert ("reception_changed", "sms", "13912340001") in planned
    assert ("reception_changed", "email", "q2@example.cn") in planned  # waiting list too
    assert ("reception_changed_staff", "email", "zhao@demo-county.gov.cn") in planned
    sms = db.deliveries.find_one({"template": "reception_changed", "channel": "sms"})
    assert "赵副县长" in sms["content"]["sms"]


def test_units_see_the_sessions_they_accompany_without_the_citizens(db):
    bus = Bus()
    session = a_session(db, bus)
    held = bookings.book(db, bus, now_of(db), session["id"], booking(1))
    with pytest.raises(Forbidden):  # only the office cancels for a citizen
        bookings.cancel(db, bus, now_of(db), session["id"], held["id"], {}, HANDLER)
    mine = sessions.get_session(db, HANDLER, session["id"])
    assert "visits" not in mine
    with pytest.raises(Exception) as other:
        sessions.get_session(db, HOUSING, session["id"])
    assert other.value.status == 404
    with pytest.raises(Forbidden):
        sessions.publish(db, bus, now_of(db), HANDLER, session["id"])
    assert sessions.list_sessions(db, HOUSING, {})["items"] == []


def test_the_desk_registers_matters_through_intake_and_the_leader_keeps_the_open_ones(db):
    bus = Bus()
    session = a_session(db, bus)
    visit = bookings.book(db, bus, now_of(db), session["id"], booking(1))
    # the session's day has come
    db.reception_sessions.update_one(
        {"_id": session["id"]}, {"$set": {"starts_at": now_of(db) - timedelta(minutes=5)}}
    )

    def call(service, method, payload, request_key, actor):
        assert (service, method) == ("intake", "register")
        return intake.register(db, bus, now_of(db), payload, request_key, actor, tz=TZ)

    for step in ("check_in", "receive"):
        desk.move(db, bus, now_of(db), CLERK, session["id"], visit["id"], step)
    matter = {
        "kind": "complaint",
        "topic": "environment",
        "title": "垃圾站臭气",
        "content": "小区门口垃圾站臭气熏天",
        "location": {"town": "城关镇"},
    }
    open_one = desk.raise_matter(
        db, call, now_of(db), CLERK, session["id"], visit["id"], matter, "key:m1"
    )
    solved = desk.raise_matter(
        db,
        call,
        now_of(db),
        CLERK,
        session["id"],
        visit["id"],
        {
            **matter,
            "kind": "request",
            "title": "低保咨询",
            "content": "想了解低保申请条件",
            "solved_on_the_spot": {"outcome": "resolved", "opinion": "当场讲解了申请条件"},
        },
        "key:m2",
    )
    stored = db.cases.find_one({"_id": open_one["id"]})
    assert stored["channel"] == "reception_day" and stored["status"] == "received"
    assert stored["reception"]["leader"] == "magistrate_li"
    assert db.cases.find_one({"_id": solved["id"]})["status"] == "answered"
    desk.move(db, bus, now_of(db), CLERK, session["id"], visit["id"], "finish")
    closed = desk.close(db, bus, now_of(db), CLERK, session["id"], {"notes": "秩序良好"})
    report = closed["closing"]
    assert (report["received"], report["registered"], report["solved_on_the_spot"]) == (1, 2, 1)
    event = bus.events[-1]
    assert event["type"] == "reception.closed"
    assert {c["case_id"] for c in event["data"]["open_cases"]} == {open_one["id"], solved["id"]}
    leader = {"username": "leader_li", "role": "leader", "leader": "magistrate_li"}
    assert len(desk.open_matters(db, leader, "deputy_zhao")["items"]) == 2  # own list only
    with pytest.raises(Forbidden):
        desk.open_matters(db, HANDLER, "magistrate_li")
    keys = notify.plan(db, now_of(db), event, notify.Config.from_settings())
    [mail] = list(db.deliveries.find({"_id": {"$in": keys}, "recipient": "li@demo-county.gov.cn"}))
    assert open_one["id"] in mail["content"]["body"] and "尚未办结" in mail["content"]["body"]


def test_generating_from_the_demo_rules_is_idempotent_and_skips_nothing_but_the_past(db):
    bus = Bus()
    first = (now_of(db) + timedelta(days=1)).date()
    body = {"from": first.isoformat(), "to": (first + timedelta(days=27)).isoformat()}
    made = sessions.generate(db, bus, now_of(db), CLERK, body, TZ)["created"]
    assert made and sessions.generate(db, bus, now_of(db), CLERK, body, TZ)["created"] == []
    mondays = [s for s in made if s.startswith("monday_leaders-")]
    assert all(
        date.fromisoformat(f"{s[-8:-4]}-{s[-4:-2]}-{s[-2:]}").isoweekday() == 1 for s in mondays
    )
    assert 3 <= len(mondays) <= 4
    for far in (
        {"from": "2090-01-01", "to": "2090-02-01"},
        {"from": "2027-01-01", "to": "2027-12-31"},
    ):
        with pytest.raises(ValidationFailed) as refused:  # a year ahead, a quarter at a time
            sessions.generate(db, bus, now_of(db), CLERK, far, TZ)
        assert "to" in refused.value.details["fields"]
    assert sessions.public_schedule(db, now_of(db), {})["items"] == [
        i
        for i in sessions.public_schedule(db, now_of(db), {})["items"]
        if i["status"] == "cancelled"
    ]  # drafts are never public; only holiday cancellations show before publication
