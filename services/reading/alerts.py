"""The alerts of early warning (docs/contract.md §6) as the office reads them: the list with
the cases behind each, and the acknowledgement. Intake's screening raises them
(`services/intake/alerts.py`) as cases come in."""

from lianxin.auth import OFFICE_ROLES
from lianxin.clock import isoformat
from lianxin.errors import Forbidden, NotFound

ACK_ROLES = ("clerk", "dispatcher", "supervisor")


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
