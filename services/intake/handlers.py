"""Intake use cases. Each takes its dependencies (db, publisher, now) as arguments."""

import logging
from datetime import timedelta

from pymongo.errors import DuplicateKeyError

from lianxin import access, cases, casestore, counters, settings, workflow
from lianxin.action_schemas import RegistrationSchema
from lianxin.auth import CITIZEN
from lianxin.clock import isoformat, parse_iso
from lianxin.errors import Expired, ValidationFailed, WrongState
from lianxin.events import make_event
from lianxin.schemas import CaseSubmissionSchema, Open311SubmissionSchema, load_or_raise

from . import alerts, domain, screening

log = logging.getLogger(__name__)
_submission_schema = CaseSubmissionSchema()
_registration_schema = RegistrationSchema()
_open311_schema = Open311SubmissionSchema()


def next_case_id(db, now, tz):
    """A tracking number unique across replicas: an atomic per-day counter in the store."""
    day = domain.local_day(now, tz)
    return domain.tracking_number(day, counters.next_number(db, f"case-seq:{day:%Y%m%d}"))


def _claim_number(db, now, tz, request_key):
    """Claim a tracking number with a unique insert: even if a counter ever handed one out
    twice, only one request can own it."""
    for _ in range(20):
        case_id = next_case_id(db, now, tz)
        try:
            db.case_numbers.insert_one({"_id": case_id, "request_key": request_key, "at": now})
            return case_id
        except DuplicateKeyError:
            continue
    raise RuntimeError("could not claim a tracking number")


def _receipt(case, access_code):
    return {
        "id": case["_id"],
        "access_code": access_code,
        "status": case["status"],
        "due_at": isoformat(cases.due_at(case)),
    }


def _reserve(db, now, tz, request_key, secret):
    """(tracking number, access code, whether made now) for this request key: made on its
    first arrival, read back (unsealed) on a retry within the retry window. After the window
    the code is gone: a retry of a request whose case was stored gets 409 with the case's
    number. A number made now was claimed just now: no case has it yet."""
    reservation = db.submissions.find_one({"_id": request_key})
    if reservation is None:
        case_id, code = _claim_number(db, now, tz, request_key), access.new_access_code()
        try:
            db.retry_codes.insert_one(
                {
                    "_id": request_key,
                    "case_id": case_id,
                    "sealed": access.seal(code, secret, case_id),
                    "expires_at": now + timedelta(seconds=settings.RETRY_WINDOW_SECONDS),
                }
            )
        except DuplicateKeyError:  # the same key, concurrently: the first reservation wins
            pass
        else:
            db.submissions.update_one(
                {"_id": request_key}, {"$setOnInsert": {"case_id": case_id, "at": now}}, upsert=True
            )
            return case_id, code, True
    kept = db.retry_codes.find_one({"_id": request_key})
    case_id = (kept or reservation)["case_id"]
    code = kept and access.unseal(kept["sealed"], secret, case_id)
    if code:
        return case_id, code, False
    if db.cases.find_one({"_id": case_id}, {"_id": 1}) is not None:
        raise WrongState(
            "this request was filed already; its receipt is no longer kept", {"case_id": case_id}
        )
    # The first try never stored its case and its code is gone: start this one afresh.
    db.retry_codes.delete_one({"_id": request_key})
    db.submissions.delete_one({"_id": request_key})
    return _reserve(db, now, tz, request_key, secret)


def forget_retry_codes(db, now, limit=1000):
    """Delete the sealed codes whose retry window has ended (reads only those)."""
    ids = [
        d["_id"] for d in db.retry_codes.find({"expires_at": {"$lt": now}}, {"_id": 1}).limit(limit)
    ]
    if ids:
        db.retry_codes.delete_many({"_id": {"$in": ids}})
    return len(ids)


def submit(
    db,
    publisher,
    now,
    payload,
    request_key,
    expires_at=None,
    tz="Asia/Shanghai",
    actor=CITIZEN,
    exact_now=None,
    schema=_submission_schema,
    secret=None,
):
    """Register a submission once per `request_key` and publish `case.received`.

    The key is the client's Idempotency-Key or, without one, a key the gateway made for this
    request, so that an RPC redelivered after a crash creates no second case.
    """
    if expires_at and (exact_now or now) > parse_iso(expires_at):
        raise Expired("the request waited too long and was dropped", {})
    submission = load_or_raise(schema, payload)
    # A leader receiving citizens may settle any matter on the spot (当场解决); a clerk only
    # a consultation (docs/decisions/0024).
    if (
        submission.get("direct_answer")
        and submission["kind"] != "consultation"
        and not submission.get("reception")
    ):
        raise ValidationFailed(
            "only a consultation is answered on the spot (直办)",
            {"fields": {"direct_answer": ["only for kind consultation"]}},
        )
    _check_topic(db, submission["topic"])
    secret = secret or settings.SECRET_KEY

    # Reserve (tracking number, access code) for this request key before anything else.
    case_id, code, fresh = _reserve(db, now, tz, request_key, secret)
    existing = None if fresh else db.cases.find_one({"_id": case_id})
    if existing is not None:
        # A retry of a request that stored its case: redo the idempotent follow-ups a crash
        # may have cut short, then answer as the first time.
        screening.after_insert(
            db, now, existing, screening.Screening(existing.get("citizen_keys", []))
        )
        if existing["status"] != "merged":
            alerts.watch(db, publisher, now, existing)
        return _receipt(existing, code)

    case = domain.new_case(case_id, submission, code, now, actor=actor)
    events = [
        make_event(
            "case.received",
            now=now,
            case_id=case_id,
            actor=actor["username"],
            data=domain.event_facts(case),
        )
    ]
    screened = screening.screen(db, now, case)
    if submission.get("direct_answer"):
        screened.match = None  # answered on the spot: nothing to wait for
    case, merge_events = screening.apply_to_case(case, screened, now, actor)
    events += merge_events
    # The citizen's index first: a crash after it leaves an entry the retry skips (its own id),
    # never a stored case its citizen cannot be found by.
    screening.index(db, screened.keys, case_id, now)
    if submission.get("direct_answer"):
        case = domain.direct_answer(case, submission["direct_answer"], actor, now)
        events.append(
            make_event(
                "case.answered",
                now=now,
                case_id=case_id,
                actor=actor["username"],
                data={
                    "status": case["status"],
                    "direct": True,
                    "outcome": case["reply"]["outcome"],
                },
            )
        )
    if case["status"] == "received":  # routing's to route: its re-drive reads these notes
        db.unrouted.update_one({"_id": case_id}, {"$setOnInsert": {"at": now}}, upsert=True)
    # notify opens the sealed code once, for the acknowledgement, then deletes it.
    db.ack_codes.update_one(
        {"_id": case_id},
        {"$setOnInsert": {"sealed": access.seal(code, secret, case_id), "at": now}},
        upsert=True,
    )
    store = casestore.for_db(db)
    if not store.insert(case, events, now):
        return _receipt(store.get(case_id), code)
    screening.after_insert(db, now, case, screened)
    try:
        store.flush(publisher, case_id, events)
    except Exception:  # the case is safe in the store; the relay publishes it later
        log.warning("case.received for %s not published yet", case_id, exc_info=True)
    if case["status"] != "merged":
        alerts.watch(db, publisher, now, case)
    return _receipt(case, code)


def register(db, publisher, now, payload, request_key, actor, tz="Asia/Shanghai"):
    """A clerk registers a case from the hotline, a letter, a visit, a reception day or an
    information collector (docs/contract.md §3), possibly answered on the spot (直办)."""
    workflow.check_role("register", actor["role"])
    return submit(
        db, publisher, now, payload, request_key, tz=tz, actor=actor, schema=_registration_schema
    )


def submit_open311(db, publisher, now, payload, request_key, api_key_id, tz="Asia/Shanghai"):
    """A case filed by an Open311 client under an API key: the citizen's acknowledgement is
    the same as from our own API."""
    actor = {**CITIZEN, "username": f"open311:{api_key_id}"}
    return submit(
        db, publisher, now, payload, request_key, tz=tz, actor=actor, schema=_open311_schema
    )


def _check_topic(db, topic):
    if db.topics.find_one({"_id": topic}) is None and db.topics.estimated_document_count():
        raise ValidationFailed(
            "the submission is not valid", {"fields": {"topic": [f"unknown topic {topic!r}"]}}
        )
