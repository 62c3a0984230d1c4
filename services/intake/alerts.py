"""Early warning (抓苗头, docs/contract.md §6): a collective case raises an alert at once; 5+ cases of one
topic from one town within 72 hours raise one cluster alert, which grows as more cases join.

`cluster_index` holds, per "<topic>|<town>", the recent cases and the cluster's open alert:
a lookup by `_id` per new case. An alert document is created under a unique id (two replicas
seeing the 5th case at once create one) and carries its `alert.raised` event in an outbox, so
the event is published at least once even if the writer dies (the relay sweeps it up).
"""

import logging
from datetime import timedelta

from pymongo.errors import DuplicateKeyError

from lianxin import outbox, settings
from lianxin.auth import OFFICE_ROLES
from lianxin.clock import isoformat
from lianxin.errors import Forbidden, NotFound
from lianxin.events import event_id_for, make_event
from lianxin.schemas import COLLECTIVE_THRESHOLD

log = logging.getLogger(__name__)
ACK_ROLES = ("clerk", "dispatcher", "supervisor")


def _raise(db, publisher, now, alert):
    """Insert a new alert with its event; False if it exists already."""
    event = make_event(
        "alert.raised",
        now=now,
        case_id=alert["cases"][-1],
        actor="system",
        event_id=event_id_for(f"alert:{alert['_id']}"),
        units=[],
        data={k: alert[k] for k in ("kind", "topic", "town", "count", "cases", "title", "summary")}
        | {"alert_id": alert["_id"]},
    )
    token = outbox.mark(db, alert["_id"], now, "alerts")
    try:
        db.alerts.insert_one({**alert, "outbox": [event], "outbox_since": now})
    except DuplicateKeyError:
        return False
    try:
        outbox.flush(db, publisher, alert["_id"], [event], "alerts", token)
    except Exception:  # stored with the alert; the shared outbox relay publishes it later
        log.warning("alert.raised for %s not published yet", alert["_id"], exc_info=True)
    return True


def _new(kind, alert_id, topic, town, case_ids, now, title, summary):
    return {
        "_id": alert_id,
        "kind": kind,
        "topic": topic,
        "town": town,
        "cases": case_ids,
        "count": len(case_ids),
        "first_at": now,
        "last_at": now,
        "raised_at": now,
        "status": "open",
        "title": title,
        "summary": summary,
    }


def watch(db, publisher, now, case):
    """Raise or grow the alerts a newly stored case calls for. Idempotent."""
    raised = []
    people = case.get("people_involved", 1)
    if people >= COLLECTIVE_THRESHOLD:
        alert = _new(
            "collective",
            f"collective:{case['_id']}",
            case["topic"],
            (case.get("location") or {}).get("town"),
            [case["_id"]],
            now,
            f"集体诉求：{case['title']}",
            f"{case['_id']}“{case['title']}”涉及 {people} 人，请及时关注。",
        )
        if _raise(db, publisher, now, alert):
            raised.append(alert["_id"])
    town = (case.get("location") or {}).get("town")
    if town:
        alert_id = _cluster(db, publisher, now, case, town)
        if alert_id:
            raised.append(alert_id)
    return raised


def _cluster(db, publisher, now, case, town):
    key = f"{case['topic']}|{town}"
    window = timedelta(hours=settings.CLUSTER_ALERT_HOURS)
    db.cluster_index.update_one(
        {"_id": key},
        {"$addToSet": {"cases": {"id": case["_id"], "at": case["received_at"]}}},
        upsert=True,
    )
    doc = db.cluster_index.find_one({"_id": key})
    recent = sorted(
        (e for e in doc["cases"] if e["at"] > now - window), key=lambda e: (e["at"], e["id"])
    )
    if len(doc["cases"]) > len(recent) + 50:  # keep the index short
        db.cluster_index.update_one({"_id": key}, {"$set": {"cases": recent}})
    ids = [e["id"] for e in recent]
    current = db.alerts.find_one({"_id": doc["alert"]}) if doc.get("alert") else None
    if current and current["last_at"] > now - window:
        db.alerts.update_one(
            {"_id": current["_id"]},
            {"$addToSet": {"cases": {"$each": ids}}, "$set": {"last_at": now}},
        )
        grown = db.alerts.find_one({"_id": current["_id"]})
        db.alerts.update_one({"_id": current["_id"]}, {"$set": {"count": len(grown["cases"])}})
        return None
    if len(ids) < settings.CLUSTER_ALERT_CASES:
        return None
    alert_id = f"cluster:{key}:{ids[0]}"
    topic = (db.topics.find_one({"_id": case["topic"]}) or {}).get("name", case["topic"])
    hours = f"{settings.CLUSTER_ALERT_HOURS:g}"
    alert = _new(
        "cluster",
        alert_id,
        case["topic"],
        town,
        ids,
        now,
        f"{town}{topic}类诉求集中",
        f"{town} {hours} 小时内收到 {len(ids)} 件{topic}类诉求，请关注苗头。",
    )
    created = _raise(db, publisher, now, alert)
    db.cluster_index.update_one({"_id": key}, {"$set": {"alert": alert_id}})
    return alert_id if created else None


def _out(db, alert):
    cases = [
        db.cases.find_one({"_id": i}, {"title": 1, "status": 1, "received_at": 1})
        for i in alert["cases"]
    ]
    return {
        "id": alert["_id"],
        "kind": alert["kind"],
        "topic": alert["topic"],
        "town": alert.get("town"),
        "count": alert["count"],
        "status": alert["status"],
        "title": alert["title"],
        "summary": alert["summary"],
        "raised_at": isoformat(alert["raised_at"]),
        "last_at": isoformat(alert["last_at"]),
        "acknowledged_by": alert.get("acknowledged_by"),
        "acknowledged_at": isoformat(alert.get("acknowledged_at")),
        "cases": [
            {
                "id": c["_id"],
                "title": c["title"],
                "status": c["status"],
                "received_at": isoformat(c["received_at"]),
            }
            for c in cases
            if c
        ],
    }


# An office reads its open alerts on every queue page; more than this is a list to work through
# in pages, not one screen.
MAX_ALERTS = 200


def list_alerts(db, actor, status=None):
    if actor.get("role") not in OFFICE_ROLES:
        raise Forbidden("alerts are for the office and leaders", {})
    query = {"status": status} if status else {}
    # newest first, by the (status, raised_at) index: a page, not every alert ever raised
    found = db.alerts.find(query).sort([("raised_at", -1), ("_id", -1)]).limit(MAX_ALERTS)
    return {"items": [_out(db, a) for a in found]}


def acknowledge(db, now, actor, alert_id):
    if actor.get("role") not in ACK_ROLES:
        raise Forbidden("an office user acknowledges an alert", {})
    db.alerts.update_one(
        {"_id": alert_id, "status": "open"},
        {
            "$set": {
                "status": "acknowledged",
                "acknowledged_by": actor["username"],
                "acknowledged_at": now,
            }
        },
    )
    alert = db.alerts.find_one({"_id": alert_id})
    if alert is None:
        raise NotFound("no such alert", {"id": alert_id})
    return _out(db, alert)  # acknowledged before: the first acknowledgement stands
