"""consult on the real store: a comment whose event could not be published is kept with its
event, published by the relay or by the retry of the same request — nothing accepted is lost,
nothing is taken twice; one answer per contact holds under concurrent tries."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from lianxin import outbox
from lianxin.clock import utcnow
from lianxin.errors import WrongState
from services.consult import handlers, survey_handlers

CLERK = {"username": "clerk", "role": "clerk", "unit": "mass_work_office"}


class Publisher:
    def __init__(self, fail=False):
        self.fail, self.events = fail, []

    def publish(self, event):
        if self.fail:
            raise ConnectionError("the bus is away")
        self.events.append(event)


def _consultation(db, now):
    body = {
        "kind": "consultation",
        "title": "办法",
        "text": "第一条 目的。\n第二条 范围。",
        "unit": "environment_bureau",
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=1),
    }
    c = handlers.create(db, now, CLERK, body)
    handlers.publish(db, Publisher(), now, CLERK, c["id"])
    return c["id"]


def test_a_comment_whose_event_was_not_published_is_kept_and_relayed(db):
    now = utcnow()
    cid = _consultation(db, now)
    body = {"text": "建议", "section": "s1", "anonymous": True}
    receipt = handlers.comment(db, Publisher(fail=True), now, cid, body, "key:1")
    stored = db.consult_comments.find_one({"_id": receipt["id"]})
    assert [e["type"] for e in stored["outbox"]] == ["comment.received"]

    # the retry of the same request: the same comment, and what was left is published
    retry = Publisher()
    assert handlers.comment(db, retry, now, cid, body, "key:1") == receipt
    assert [e["type"] for e in retry.events] == ["comment.received"]
    assert db.consult_comments.count_documents({"consultation_id": cid}) == 1

    # without a retry, the relay publishes it once the grace period has passed
    other = handlers.comment(db, Publisher(fail=True), now, cid, body, "key:2")
    relay = Publisher()
    outbox.relay(db, relay, now + timedelta(seconds=60), grace_seconds=5)
    assert [e["data"]["comment_id"] for e in relay.events] == [other["id"]]
    assert db.consult_comments.find_one({"_id": other["id"]})["outbox"] == []


def test_one_answer_per_contact_under_concurrent_tries(db):
    now = utcnow()
    body = {
        "title": "调查",
        "questions": [
            {"id": "q1", "kind": "scale", "text": "评分", "scale": "1-5", "required": True}
        ],
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=1),
        "identity": "contact",
        "once_per": "contact",
    }
    sid = survey_handlers.create(db, now, CLERK, body)["id"]
    survey_handlers.publish(db, Publisher(), now, CLERK, sid)

    def answer(n):
        try:
            return survey_handlers.answer(
                db,
                now,
                sid,
                {"answers": {"q1": 1 + n % 5}, "contact": {"phone": "13900001111"}},
                f"req:{n}",
            )
        except WrongState:
            return None

    with ThreadPoolExecutor(max_workers=10) as pool:
        taken = [r for r in pool.map(answer, range(20)) if r]
    assert len(taken) == 1
    assert survey_handlers.results(db, now, sid, CLERK)["responses"] == 1
    with pytest.raises(WrongState):
        survey_handlers.publish_results(db, Publisher(), now, CLERK, sid)  # not closed yet


def test_a_satisfaction_survey_goes_to_a_sample_of_closed_cases_beside_their_return_visits(db):
    from lianxin.access import hash_access_code

    now = utcnow()
    start, end = now - timedelta(days=30), now
    ratings = ["satisfied", "satisfied", "basically_satisfied", "dissatisfied", None, "satisfied"]
    for n, rating in enumerate(ratings):
        salt, digest = hash_access_code(f"code{n}")
        db.cases.insert_one(
            {
                "_id": f"LX-20261101-{n:06d}",
                "status": "closed",
                "closed_at": now - timedelta(days=n + 1),
                "citizen": {"phone": f"1390000{n:04d}"} if n != 5 else {"anonymous": True},
                "return_visit": {"satisfaction": rating} if rating else None,
                "access_salt": salt,
                "access_hash": digest,
            }
        )
    body = {
        "title": "满意度回访调查",
        "purpose": "satisfaction",
        "questions": [
            {"id": "q1", "kind": "scale", "text": "满意度", "scale": "1-5", "required": True}
        ],
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=7),
    }
    sid = survey_handlers.create(db, now, CLERK, body)["id"]
    survey_handlers.publish(db, Publisher(), now, CLERK, sid)
    bus = Publisher()
    s = survey_handlers.sample(db, bus, now, CLERK, sid, start, end, 3, seed=7)
    invited = s["sample"]["case_ids"]
    assert len(invited) == 3 and s["sample"]["population"] == 5  # the anonymous one cannot be asked
    assert sorted(e["case_id"] for e in bus.events) == invited
    assert {e["type"] for e in bus.events} == {"survey.invited"}
    with pytest.raises(WrongState):  # a survey is sent once
        survey_handlers.sample(db, bus, now, CLERK, sid, start, end, 3, seed=7)

    n = int(invited[0][-6:])
    survey_handlers.answer(
        db, now, sid, {"answers": {"q1": 5}, "case_id": invited[0], "code": f"code{n}"}, "r1"
    )
    with pytest.raises(WrongState):
        survey_handlers.answer(
            db, now, sid, {"answers": {"q1": 1}, "case_id": invited[0], "code": f"code{n}"}, "r2"
        )
    from lianxin.errors import NotFound

    with pytest.raises(NotFound):  # a wrong code is no invitation
        survey_handlers.answer(
            db, now, sid, {"answers": {"q1": 1}, "case_id": invited[1], "code": "wrong"}, "r3"
        )
    results = survey_handlers.results(db, now, sid, CLERK)
    assert results["responses"] == 1
    visits = results["return_visits"]
    assert visits["counts"] == {
        "satisfied": 3,
        "basically_satisfied": 1,
        "dissatisfied": 1,
        "none": 1,
    }
    assert (
        visits["satisfaction_rate"]["numerator"] == 4
        and visits["satisfaction_rate"]["denominator"] == 5
    )
