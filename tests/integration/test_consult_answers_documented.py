"""What the consult service answers is what the API document says, at every step of a
consultation and a survey (on the real store): the fuzzing's random ids almost never reach a
published consultation with comments, decisions and a summary, or a survey with answers, so
each answer is checked here against its documented response, as schemathesis checks a live
one (tests/unit/test_response_schemas.py does the same for the case views)."""

from datetime import timedelta

import pytest
import schemathesis

from gateway.app import create_app
from lianxin.clock import utcnow
from services.consult import handlers, summary, survey_handlers
from tests.unit.test_response_schemas import conforms

CLERK = {"username": "clerk", "role": "clerk", "unit": "mass_work_office"}
SUPERVISOR = {"username": "sup", "role": "supervisor", "unit": "mass_work_office"}


class Publisher:
    def publish(self, event):
        pass


@pytest.fixture(scope="module")
def document():
    app = create_app({"AMQP_URI": "memory://", "MONGO_URI": "mongodb://127.0.0.1:1/"})
    return schemathesis.openapi.from_dict(app.test_client().get("/api/v1/openapi.json").get_json())


def test_a_consultation_from_draft_to_published_summary_fits_the_document(db, document):
    now, bus = utcnow(), Publisher()
    body = {
        "kind": "consultation",
        "title": "养犬管理办法",
        "text": "前言。\n第一条 目的。\n第二条 范围。",
        "unit": "environment_bureau",
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=1),
        "object_to": None,
    }
    c = handlers.create(db, now, CLERK, body)
    conforms(document, "POST", "/api/v1/consultations", c, 201)
    cid = c["id"]
    conforms(
        document,
        "POST",
        f"/api/v1/consultations/{cid}/publish",
        handlers.publish(db, bus, now, CLERK, cid),
    )
    named = {
        "text": "建议拴绳",
        "section": "s2",
        "contact": {"name": "张三", "phone": "13900001111"},
    }
    first = handlers.comment(db, bus, now, cid, named, "k1")
    conforms(document, "POST", f"/api/v1/public/consultations/{cid}/comments", first, 201)
    second = handlers.comment(db, bus, now, cid, {"text": "无", "anonymous": True}, "k2")
    reported = handlers.report(db, bus, now, cid, second["id"], "spam", "ip-1")
    conforms(
        document,
        "POST",
        f"/api/v1/public/consultations/{cid}/comments/{second['id']}/report",
        reported,
    )
    moderated = handlers.moderate(
        db, bus, now, CLERK, cid, [second["id"], "CM-none"], "hidden", "spam"
    )
    assert moderated["done"] == [second["id"]] and moderated["failed"]
    conforms(document, "POST", f"/api/v1/consultations/{cid}/moderation", moderated)
    log = handlers.moderation_log(db, CLERK, cid)
    assert log["items"]
    conforms(document, "GET", f"/api/v1/consultations/{cid}/moderation-log", log)
    decided = handlers.decide(db, bus, now, CLERK, cid, first["id"], "adopted", "采纳")
    path = f"/api/v1/consultations/{cid}/comments/{first['id']}/decision"
    conforms(document, "POST", path, decided)
    listed = handlers.list_comments(db, CLERK, cid, {})
    assert listed["total"] == 2
    conforms(document, "GET", f"/api/v1/consultations/{cid}/comments", listed)

    public = handlers.public_consultation(db, now, cid)
    assert public["comments"] and public["comments"][0]["author"]
    conforms(document, "GET", f"/api/v1/public/consultations/{cid}", public)
    conforms(
        document,
        "GET",
        f"/api/v1/consultations/{cid}",
        handlers.view(db.consultations.find_one({"_id": cid}), now),
    )
    for actor, path in ((None, "/api/v1/public/consultations"), (CLERK, "/api/v1/consultations")):
        conforms(document, "GET", path, handlers.list_consultations(db, now, actor))

    closed = now + timedelta(days=2)
    drafted = summary.generate_summary(db, bus, closed, CLERK, cid)
    conforms(document, "POST", f"/api/v1/consultations/{cid}/summary", drafted)
    approved = summary.approve_summary(db, bus, closed, SUPERVISOR, cid)
    conforms(document, "POST", f"/api/v1/consultations/{cid}/summary/approve", approved)
    conforms(
        document,
        "GET",
        f"/api/v1/public/consultations/{cid}/summary",
        summary.get_summary(db, None, cid),
    )


def test_a_survey_with_answers_results_tokens_and_a_sample_fits_the_document(db, document):
    now, bus = utcnow(), Publisher()
    db.cases.insert_one(
        {
            "_id": "LX-20261101-000001",
            "status": "closed",
            "closed_at": now - timedelta(days=1),
            "citizen": {"phone": "13900001111"},
            "return_visit": {"satisfaction": "satisfied"},
        }
    )
    questions = [
        {"id": "q1", "kind": "single", "text": "常去", "options": ["是", "否"], "required": True},
        {"id": "q2", "kind": "scale", "text": "满意度", "scale": "1-5"},
        {"id": "q3", "kind": "short_text", "text": "建议"},
        {"id": "q4", "kind": "matrix", "text": "评价", "rows": ["环境"], "options": ["好", "差"]},
    ]
    body = {
        "title": "公园满意度",
        "intro": "",
        "purpose": "opinion",
        "unit": None,
        "questions": questions,
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=7),
        "identity": "anonymous",
        "once_per": None,
    }
    s = survey_handlers.create(db, now, CLERK, body)
    conforms(document, "POST", "/api/v1/surveys", s, 201)
    sid = s["id"]
    conforms(
        document,
        "POST",
        f"/api/v1/surveys/{sid}/publish",
        survey_handlers.publish(db, bus, now, CLERK, sid),
    )
    answers = {"q1": 0, "q2": 4, "q3": "多种树", "q4": [0]}
    receipt = survey_handlers.answer(db, now, sid, {"answers": answers}, "r1")
    conforms(document, "POST", f"/api/v1/public/surveys/{sid}/answers", receipt, 201)
    results = survey_handlers.results(db, now, sid, CLERK)
    assert results["responses"] == 1
    conforms(document, "GET", f"/api/v1/surveys/{sid}/results", results)

    satisfaction = survey_handlers.create(db, now, CLERK, {**body, "purpose": "satisfaction"})
    sat = satisfaction["id"]
    survey_handlers.publish(db, bus, now, CLERK, sat)
    sampled = survey_handlers.sample(db, bus, now, CLERK, sat, now - timedelta(days=30), now, 5)
    assert sampled["sample"]["case_ids"]
    conforms(document, "POST", f"/api/v1/surveys/{sat}/sample", sampled)
    results = survey_handlers.results(db, now, sat, CLERK)
    assert results["return_visits"]["cases"] == 1
    conforms(document, "GET", f"/api/v1/surveys/{sat}/results", results)
    conforms(document, "GET", f"/api/v1/surveys/{sat}", survey_handlers.get(db, now, sat, CLERK))
    conforms(document, "GET", f"/api/v1/public/surveys/{sat}", survey_handlers.get(db, now, sat))
    for actor, path in ((None, "/api/v1/public/surveys"), (CLERK, "/api/v1/surveys")):
        conforms(document, "GET", path, survey_handlers.list_surveys(db, now, actor))

    by_link = survey_handlers.create(db, now, CLERK, {**body, "once_per": "token"})
    tokens = survey_handlers.issue_tokens(db, now, CLERK, by_link["id"], 2)
    conforms(document, "POST", f"/api/v1/surveys/{by_link['id']}/tokens", tokens)
