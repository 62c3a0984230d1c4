"""At intake, before a case is stored: is it the same matter from the same citizen as an open
or recently closed case (一稿多投 → merged), and is the citizen a repeat petitioner
(docs/contract.md §6)?

Candidates come from `citizen_index`, one document per citizen key (`_id` = the key) listing
that citizen's cases: a lookup by `_id`, whatever the number of cases in the store.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from lianxin import casestore, duplicates, settings, workflow
from lianxin.auth import SYSTEM_ACTOR as SYSTEM
from lianxin.cases import timeline_entry
from lianxin.events import make_event

MAX_CANDIDATES = 50  # the citizen's most recent cases looked at
HISTORY_KEPT = 500  # index entries kept per citizen key


@dataclass
class Screening:
    keys: list
    match: tuple = None  # (primary case, score) or None
    recent: list = field(default_factory=list)  # the citizen's other cases in the repeat window

    @property
    def repeat(self):
        return len(self.recent) + 1 >= settings.REPEAT_PETITIONER_CASES


def history(db, keys):
    """{case_id: received_at} of every case indexed under any of `keys`."""
    seen = {}
    for key in keys:
        for entry in (db.citizen_index.find_one({"_id": key}) or {}).get("cases", []):
            seen[entry["id"]] = entry["at"]
    return seen


def takes_duplicates(case, now):
    """Can `case` still take the same citizen's new submissions as duplicates (一稿多投)? Open
    ones can, closed ones for LX_DUPLICATE_WINDOW_DAYS; automatic and manual merges ask here."""
    if case is None or case["status"] in ("merged", "not_accepted"):
        return False
    if case["status"] == "closed":
        closed = case.get("closed_at")
        return bool(closed) and now - closed <= timedelta(days=settings.DUPLICATE_WINDOW_DAYS)
    return True


def screen(db, now, case):
    keys = duplicates.citizen_keys(case.get("citizen"), settings.CITIZEN_KEY_SECRET)
    past = history(db, keys)
    past.pop(case["_id"], None)  # a retried request indexed itself before it crashed
    repeat_since = now - timedelta(days=settings.REPEAT_PETITIONER_DAYS)
    recent = sorted(i for i, at in past.items() if at >= repeat_since)
    candidates, seen = [], set()
    projection = {"status": 1, "closed_at": 1, "title": 1, "content": 1, "primary_id": 1}
    for case_id, _ in sorted(past.items(), key=lambda kv: kv[1], reverse=True)[:MAX_CANDIDATES]:
        found = db.cases.find_one({"_id": case_id}, projection)
        if found and found["status"] == "merged" and found.get("primary_id"):
            found = db.cases.find_one({"_id": found["primary_id"]}, projection)
        if found and found["_id"] not in seen and takes_duplicates(found, now):
            seen.add(found["_id"])
            candidates.append(found)
    match = duplicates.best_match(case, candidates, settings.DUPLICATE_THRESHOLD)
    return Screening(keys, match, recent)


def apply_to_case(case, screening, now, actor):
    """The new case as screening leaves it, and the events to add (a merge's)."""
    case["citizen_keys"] = screening.keys
    if screening.repeat and "repeat_petitioner" not in case["flags"]:
        case["flags"].append("repeat_petitioner")
    if not screening.match:
        return case, []
    primary, score = screening.match
    case["status"] = workflow.check("merge", case["status"], SYSTEM["role"])
    case["primary_id"] = primary["_id"]
    case["duplicate"] = {"primary_id": primary["_id"], "score": score, "by": "system", "at": now}
    case["timeline"].append(
        timeline_entry(
            now,
            SYSTEM,
            "merge",
            f"与 {primary['_id']} 相似度 {score:.2f}，自动并入",
            f"与 {primary['_id']} 合并办理",
        )
    )
    event = make_event(
        "case.merged",
        now=now,
        case_id=case["_id"],
        actor="system",
        data={"status": "merged", "primary_id": primary["_id"], "score": score, "auto": True},
    )
    return case, [event]


def index(db, keys, case_id, now):
    """Put the case in its citizen's index (idempotent), keeping the latest entries."""
    for key in keys:
        db.citizen_index.update_one(
            {"_id": key}, {"$addToSet": {"cases": {"id": case_id, "at": now}}}, upsert=True
        )
        doc = db.citizen_index.find_one({"_id": key})
        if len(doc["cases"]) > HISTORY_KEPT:
            keep = sorted(doc["cases"], key=lambda e: e["at"])[-HISTORY_KEPT:]
            db.citizen_index.update_one({"_id": key}, {"$set": {"cases": keep}})


def after_insert(db, now, case, screening):
    """What the stored case changes elsewhere: the primary learns of its duplicate (on its
    timeline too, once), and the citizen's recent cases are flagged as a repeat petitioner's."""
    store = casestore.for_db(db)
    if case["status"] == "merged":
        primary_id, score = case["primary_id"], case["duplicate"]["score"]
        store.link_duplicate(
            primary_id,
            case["_id"],
            timeline_entry(now, SYSTEM, "merge", f"{case['_id']} 并入本件（相似度 {score:.2f}）"),
        )
    if screening.repeat:
        for other in screening.recent:
            store.flag(other, "repeat_petitioner")


def similar_open_case(db, now, probe):
    """{id, status, title, score} of the open case of the same citizen that `probe` (a
    citizen, a title, a content) is the same matter as, by the same screening a submission
    gets; None if there is none (reception shows it beside a booking)."""
    match = screen(db, now, {"_id": probe.get("_id", ""), **probe}).match
    if not match or match[0]["status"] in ("closed", "not_accepted", "merged"):
        return None
    found, score = match
    return {"id": found["_id"], "status": found["status"], "title": found["title"], "score": score}
