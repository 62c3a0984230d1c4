"""What anyone may read (docs/contract.md §11): Open311 GeoReport v2 requests, and the public board
of answered cases whose citizen agreed to publication — names and phones masked, e-mail and id
number never shown, never a report, never an internal note."""

from datetime import timedelta

from lianxin.cases import TRACKING_NUMBER, due_at
from lianxin.clock import isoformat
from lianxin.errors import NotFound, ValidationFailed
from lianxin.masking import mask_name, mask_phone, mask_text, on_public_board

ANSWERED = ("answered", "closed")
CLOSED_FOR_OPEN311 = ("answered", "closed", "not_accepted")


def _names(db, collection, ids):
    return {
        i: (db[collection].find_one({"_id": i}, {"name": 1}) or {}).get("name", i)
        for i in set(ids)
        if i
    }


# --- Open311 --------------------------------------------------------------------------


def _open311_visible(case):
    return case.get("kind") != "report" and (
        case.get("channel") == "open311" or case.get("public_consent")
    )


def open311_request(case, topics, units):
    a = case.get("assignment") or {}
    location = case.get("location") or {}
    reply = case.get("reply") or {}
    closed = case["status"] in CLOSED_FOR_OPEN311
    if case["status"] in ANSWERED and reply.get("opinion"):
        notes = mask_text(reply["opinion"])
    elif case["status"] == "not_accepted":
        notes = (case.get("not_accepted") or {}).get("reason")
    else:
        public = [e for e in case.get("timeline", []) if e.get("public")]
        notes = public[-1]["public_note"] if public else None
    return {
        "service_request_id": case["_id"],
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": topics.get(case["topic"], case["topic"]),
        "service_code": case["topic"],
        "description": mask_text(case["content"]) if case.get("public_consent") else None,
        "agency_responsible": units.get(a.get("lead_unit")),
        "service_notice": None,
        "requested_datetime": isoformat(case["received_at"]),
        "updated_datetime": isoformat(case.get("updated_at") or case["received_at"]),
        "expected_datetime": isoformat(due_at(case)),
        "address": location.get("address"),
        "address_id": None,
        "zipcode": None,
        "lat": location.get("lat"),
        "long": location.get("lon"),
        "media_url": None,
    }


def _render_open311(db, found):
    topics = _names(db, "topics", [c["topic"] for c in found])
    units = _names(db, "units", [(c.get("assignment") or {}).get("lead_unit") for c in found])
    return [open311_request(c, topics, units) for c in found]


def open311_requests(db, now, query):
    """GET requests.json: by ids, or by service code, dates (default the last 90 days, at most
    90 days) and status; newest first, at most 1000."""
    if query.get("service_request_id"):
        ids = [i.strip() for i in query["service_request_id"].split(",") if i.strip()][:100]
        found = [db.cases.find_one({"_id": i}) for i in ids if TRACKING_NUMBER.match(i)]
        return _render_open311(db, [c for c in found if c and _open311_visible(c)])
    end = query.get("end_date") or now
    start = query.get("start_date") or end - timedelta(days=90)
    if start > end or end - start > timedelta(days=90):
        raise ValidationFailed("start_date and end_date may span at most 90 days", {})
    codes = set(filter(None, (query.get("service_code") or "").split(",")))
    statuses = set(filter(None, (query.get("status") or "").split(",")))
    if statuses - {"open", "closed"}:
        raise ValidationFailed("status is open or closed", {})
    found = []
    for case in db.cases.find({"received_at": {"$gte": start, "$lte": end}}):
        if not _open311_visible(case) or (codes and case["topic"] not in codes):
            continue
        closed = case["status"] in CLOSED_FOR_OPEN311
        if statuses and ("closed" if closed else "open") not in statuses:
            continue
        found.append(case)
    found.sort(key=lambda c: (c["received_at"], c["_id"]), reverse=True)
    return _render_open311(db, found[:1000])


def open311_one(db, case_id):
    case = db.cases.find_one({"_id": case_id}) if TRACKING_NUMBER.match(case_id or "") else None
    if case is None or not _open311_visible(case):
        raise NotFound(f"no service request {case_id}", {})
    return _render_open311(db, [case])


# --- the public board -----------------------------------------------------------------


_board_visible = on_public_board


def board_item(case, topics, units):
    citizen = case.get("citizen") or {}
    reply = case.get("reply") or {}
    visit = case.get("return_visit") or {}
    anonymous = citizen.get("anonymous")
    return {
        "id": case["_id"],
        "kind": case["kind"],
        "topic": case["topic"],
        "topic_name": topics.get(case["topic"], case["topic"]),
        "title": mask_text(case["title"]),
        "content": mask_text(case["content"]),
        "status": case["status"],
        "town": (case.get("location") or {}).get("town"),
        "citizen": {
            "name": None if anonymous else mask_name(citizen.get("name")),
            "phone": None if anonymous else mask_phone(citizen.get("phone")),
        },
        "unit": units.get((case.get("assignment") or {}).get("lead_unit")),
        "answer": {"outcome": reply.get("outcome"), "opinion": mask_text(reply.get("opinion"))},
        "satisfaction": visit.get("satisfaction") if visit.get("counts", True) else None,
        "received_at": isoformat(case["received_at"]),
        "answered_at": isoformat(case.get("answered_at")),
        "closed_at": isoformat(case.get("closed_at")),
    }


def board(db, query):
    found = [
        c
        for c in db.cases.find({"public_consent": True, "status": {"$in": list(ANSWERED)}})
        if _board_visible(c)
        and (not query.get("topic") or c["topic"] == query["topic"])
        and (not query.get("unit") or (c.get("assignment") or {}).get("lead_unit") == query["unit"])
    ]
    found.sort(key=lambda c: (c.get("answered_at") or c["received_at"], c["_id"]), reverse=True)
    page, limit = query.get("page", 1), query.get("limit", 20)
    chunk = found[(page - 1) * limit : page * limit]
    topics = _names(db, "topics", [c["topic"] for c in chunk])
    units = _names(db, "units", [(c.get("assignment") or {}).get("lead_unit") for c in chunk])
    return {
        "total": len(found),
        "page": page,
        "limit": limit,
        "items": [board_item(c, topics, units) for c in chunk],
    }


def board_case(db, case_id):
    case = db.cases.find_one({"_id": case_id}) if TRACKING_NUMBER.match(case_id or "") else None
    if case is None or not _board_visible(case):
        raise NotFound(f"no public case {case_id}", {})
    topics = _names(db, "topics", [case["topic"]])
    units = _names(db, "units", [(case.get("assignment") or {}).get("lead_unit")])
    return board_item(case, topics, units)
