"""intake against the real broker and store: numbering, idempotency, concurrency."""

import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from lianxin.access import code_matches
from lianxin.cases import TRACKING_NUMBER
from lianxin.errors import Expired, ValidationFailed

from .test_flow import SUBMISSION

pytestmark = pytest.mark.integration


def test_a_case_is_stored_with_its_number_hashed_code_and_first_timeline_line(
    start_services, rpc, db
):
    start_services("intake")
    receipt = rpc.intake.submit(SUBMISSION, "req:one")
    case = db.cases.find_one({"_id": receipt["id"]})
    assert TRACKING_NUMBER.match(receipt["id"])
    assert case["status"] == "received" and receipt["status"] == "received"
    assert receipt["access_code"] not in str(case)  # only the hash is kept
    assert code_matches(case, receipt["access_code"])
    assert [e["action"] for e in case["timeline"]] == ["received"]


def test_the_same_request_key_returns_the_same_case(start_services, rpc, db):
    start_services("intake")
    first = rpc.intake.submit(SUBMISSION, "key:retry-me")
    again = rpc.intake.submit(SUBMISSION, "key:retry-me")
    assert first == again
    assert db.cases.count_documents({}) == 1


def test_fifty_concurrent_submissions_on_two_replicas_get_fifty_numbers(start_services, config, db):
    start_services("intake")
    start_services("intake")  # a second replica on the same queue

    def submit(i):
        with ClusterRpcProxy(config, timeout=60) as proxy:
            return proxy.intake.submit(SUBMISSION, f"req:{i}")["id"]

    pool = eventlet.GreenPool(50)
    ids = list(pool.imap(submit, range(50)))
    assert len(set(ids)) == 50
    assert db.cases.count_documents({}) == 50


def test_fifty_concurrent_retries_of_one_key_create_one_case(start_services, config, db):
    start_services("intake")
    start_services("intake")

    def submit(i):
        with ClusterRpcProxy(config, timeout=60) as proxy:
            return proxy.intake.submit(SUBMISSION, "key:same")["id"]

    ids = set(eventlet.GreenPool(50).imap(submit, range(50)))
    assert len(ids) == 1
    assert db.cases.count_documents({}) == 1


def test_invalid_submission_is_refused_with_field_details(start_services, rpc, db):
    start_services("intake")
    with pytest.raises(ValidationFailed) as err:
        rpc.intake.submit({**SUBMISSION, "topic": "astrology"}, "req:bad")
    assert "topic" in err.value.details["fields"]
    assert db.cases.count_documents({}) == 0


def test_a_request_that_expired_in_the_queue_does_nothing(start_services, rpc, db):
    start_services("intake")
    with pytest.raises(Expired):
        rpc.intake.submit(SUBMISSION, "req:late", "2000-01-01T00:00:00Z")
    assert db.cases.count_documents({}) == 0
