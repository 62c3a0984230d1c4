"""The public board of projects (挂图作战, docs/contract.md §14, §11): every published project
with its units, leader, milestones, percent done and the latest report — published fields
only, masked as the case board masks (lianxin/masking.py); never a draft, an internal
instruction, an evidence file or a staff name. The page shows the cases that led to the
project and those that came in after it was published (the same topic, and town if it has
one), counted, and listed only where the case itself is on the public board."""

from lianxin import matter_workflow
from lianxin.clock import isoformat
from lianxin.errors import NotFound
from lianxin.masking import mask_text, on_public_board


def visible(matter):
    return (
        matter is not None
        and matter.get("public")
        and matter["status"] in matter_workflow.PUBLIC_STATES
    )


def _names(db, collection, ids):
    return {
        i: (db[collection].find_one({"_id": i}, {"name": 1}) or {}).get("name", i)
        for i in set(ids)
        if i
    }


def votes(db, matter_id):
    return {
        "seen_done": db.matter_votes.count_documents({"matter_id": matter_id, "done": True}),
        "not_seen_done": db.matter_votes.count_documents({"matter_id": matter_id, "done": False}),
    }


def _latest(matter):
    reports = matter.get("progress") or []
    done = matter.get("done")
    if done:
        return {"at": isoformat(done["at"]), "text": mask_text(done["text"]), "percent": 100}
    if not reports:
        return None
    r = reports[-1]
    return {"at": isoformat(r["at"]), "text": mask_text(r["text"]), "percent": r["percent"]}


def item(matter, units, leaders):
    return {
        "id": matter["_id"],
        "title": mask_text(matter["title"]),
        "description": mask_text(matter.get("description")),
        "year": (matter.get("source") or {}).get("year"),
        "beneficiaries": mask_text(matter.get("beneficiaries")) or None,
        "status": matter["status"],
        "lead_unit": units.get(matter.get("lead_unit")),
        "co_units": [units.get(u) for u in matter.get("co_units") or []],
        "leader": leaders.get(matter.get("leader")),
        "percent": matter.get("percent", 0),
        "starts_at": isoformat(matter["starts_at"]),
        "ends_at": isoformat(matter["ends_at"]),
        "milestones": [
            {
                "title": mask_text(m["title"]),
                "due_at": isoformat(m["due_at"]),
                "done_at": isoformat(m.get("done_at")),
            }
            for m in matter["milestones"]
        ],
        "latest_report": _latest(matter),
        "confirmed_at": isoformat((matter.get("confirmed") or {}).get("at")),
    }


def _render(db, found):
    units = _names(
        db, "units", [u for m in found for u in [m.get("lead_unit"), *(m.get("co_units") or [])]]
    )
    leaders = _names(db, "leaders", [m.get("leader") for m in found])
    return [item(m, units, leaders) for m in found]


def board(db, query):
    found = [
        m
        for m in db.matters.find(
            {"public": True, "status": {"$in": list(matter_workflow.PUBLIC_STATES)}}
        )
        if visible(m)
        and (not query.get("year") or (m.get("source") or {}).get("year") == query["year"])
        and (
            not query.get("unit")
            or query["unit"] in [m.get("lead_unit"), *(m.get("co_units") or [])]
        )
    ]
    found.sort(key=lambda m: (m["ends_at"], m["_id"]))
    page, limit = query.get("page", 1), query.get("limit", 20)
    chunk = found[(page - 1) * limit : page * limit]
    items = _render(db, chunk)
    for i, m in zip(items, chunk):
        i.update(votes(db, m["_id"]))
    return {"total": len(found), "page": page, "limit": limit, "items": items}


def _case_item(case):
    if not on_public_board(case):
        return None
    return {
        "id": case["_id"],
        "title": mask_text(case["title"]),
        "status": case["status"],
        "received_at": isoformat(case["received_at"]),
    }


def related_cases(db, matter):
    """(cases that led to it, cases that came in after it was published)."""
    source = matter.get("source") or {}
    before_ids = list(source.get("case_ids") or [])
    if source.get("case_id"):
        before_ids.append(source["case_id"])
    before = [c for c in (db.cases.find_one({"_id": i}) for i in dict.fromkeys(before_ids)) if c]
    after = []
    if matter.get("topic") and matter.get("published_at"):
        query = {"topic": matter["topic"], "received_at": {"$gte": matter["published_at"]}}
        if matter.get("town"):
            query["location.town"] = matter["town"]
        after = [c for c in db.cases.find(query) if c["_id"] not in before_ids]
    return before, after


def _cases(found):
    shown = [x for x in (_case_item(c) for c in found) if x]
    return {"count": len(found), "published": sorted(shown, key=lambda c: c["received_at"])}


def project(db, matter_id):
    matter = db.matters.find_one({"_id": matter_id})
    if not visible(matter):
        raise NotFound(f"no public project {matter_id}", {})
    out = _render(db, [matter])[0]
    out.update(votes(db, matter_id))
    before, after = related_cases(db, matter)
    out["cases_before"], out["cases_after"] = _cases(before), _cases(after)
    return out
