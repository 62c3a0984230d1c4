"""评星复议 as the office and leaders read them (docs/contract.md §3, §7): the appealed cases of
a period with the rating appealed, the unit's appeal and the supervisor's decision, or
"pending". Handling writes the appeal and its decision on the case (`appeal`); this only
reads them.

The period is the assessment's: cases *received* in [from, to), so the list under a period's
assessment holds exactly the appeals that bear on its figures (an upheld appeal takes the
dissatisfied rating out of them). The read selects on `appeal.status` and the received time
— the index `(appeal.status, received_at)` of `store.ensure_indexes` serves it, a case never
appealed has no `appeal.status` and is not read — and takes only the fields shown
(`lianxin/hot_queries.py` lists it; docs/decisions/0029)."""

from lianxin.auth import OFFICE_ROLES
from lianxin.clock import isoformat
from lianxin.errors import Forbidden, ValidationFailed

STATES = ("pending", "upheld", "rejected")
LIMIT = 500  # appeals of one period the answer holds (a county's are tens a quarter)
PROJECTION = {
    "title": 1,
    "status": 1,
    "received_at": 1,
    "assignment.lead_unit": 1,
    "return_visit": 1,
    "appeal": 1,
}
SORT = (("received_at", -1), ("_id", -1))


def query(start, end, states=STATES):
    """The store's filter: appealed cases (in `states`) received in [start, end)."""
    return {"appeal.status": {"$in": list(states)}, "received_at": {"$gte": start, "$lt": end}}


def appeal_list(db, actor, start, end, state=None):
    if actor.get("role") not in OFFICE_ROLES:
        raise Forbidden("appeals are read by the office and leaders", {})
    if start >= end:
        raise ValidationFailed("`from` must be before `to`", {"fields": {"to": ["before from"]}})
    if state is not None and state not in STATES:
        raise ValidationFailed("unknown appeal state", {"fields": {"status": list(STATES)}})
    # one read per state, pending first (what someone must still decide), so that a period
    # with more appeals than the answer holds cuts the decided ones, and counts them all
    cases, counts, truncated = [], dict.fromkeys(STATES, 0), False
    for st in [state] if state else STATES:
        room = LIMIT - len(cases)
        found = _read(db, query(start, end, [st]), room + 1) if room > 0 else []
        if len(found) > room or room <= 0:
            counts[st] = db.cases.count_documents(query(start, end, [st]))
            truncated = truncated or counts[st] > max(room, 0)
        else:
            counts[st] = len(found)
        cases += found[: max(room, 0)]
    units = {(c.get("assignment") or {}).get("lead_unit") for c in cases} - {None}
    unit_names = {
        u["_id"]: u.get("name", u["_id"])
        for u in (db.units.find({"_id": {"$in": sorted(units)}}, {"name": 1}) if units else [])
    }
    people = {c["appeal"].get(k) for c in cases for k in ("by", "decided_by")} - {None}
    names = {
        u["_id"]: u.get("name") or u["_id"]
        for u in (db.users.find({"_id": {"$in": sorted(people)}}, {"name": 1}) if people else [])
    }
    items = [_item(c, unit_names, names) for c in cases]
    # waiting ones first (what someone must still decide), then the newest appeal first
    items.sort(key=lambda i: i["appeal"]["at"] or "", reverse=True)
    items.sort(key=lambda i: i["state"] != "pending")
    return {
        "from": isoformat(start),
        "to": isoformat(end),
        "counts": counts,
        "truncated": truncated,
        "items": items,
    }


def _read(db, filter_, limit):
    return list(db.cases.find(filter_, PROJECTION).sort(list(SORT)).limit(limit))


def _item(case, unit_names, names):
    a = case["appeal"]
    visit = case.get("return_visit") or {}
    unit = (case.get("assignment") or {}).get("lead_unit")
    decided = a["status"] != "pending"
    return {
        "id": case["_id"],
        "title": case.get("title", ""),
        "status": case["status"],
        "received_at": isoformat(case["received_at"]),
        "unit": unit,
        "unit_name": unit_names.get(unit, unit),
        "rating": {
            "satisfaction": visit.get("satisfaction"),
            "method": visit.get("method"),
            "at": isoformat(visit.get("at")),
            "counts": visit.get("counts", True) is not False,
        },
        "state": a["status"],
        "appeal": {
            "reason": a.get("reason", ""),
            "by": a.get("by"),
            "by_name": names.get(a.get("by"), a.get("by")),
            "at": isoformat(a.get("at")),
        },
        "decision": {
            "upheld": a["status"] == "upheld",
            "comment": a.get("comment"),
            "by": a.get("decided_by"),
            "by_name": names.get(a.get("decided_by"), a.get("decided_by")),
            "at": isoformat(a.get("decided_at")),
        }
        if decided
        else None,
    }
