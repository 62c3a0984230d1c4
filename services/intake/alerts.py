"""Early warning (抓苗头, docs/contract.md §6): a collective case raises an alert at once;
5+ cases of one topic from one town within 72 hours raise one cluster alert, which grows as
more cases join.

`cluster_index` holds, per "<topic>|<town>", the recent cases and the cluster's open alert:
a lookup by `_id` per new case. An alert document is created under a unique id (two replicas
seeing the 5th case at once create one) and carries its `alert.raised` event in an outbox, so
the event is published at least once even if the writer dies (the relay sweeps it up).
"""

import logging
from datetime import timedelta

from pymongo.errors import DuplicateKeyError

from lianxin import outbox, settings
from lianxin.events import event_id_for, make_event
from lianxin.schemas import COLLECTIVE_THRESHOLD

log = logging.getLogger(__name__)


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
