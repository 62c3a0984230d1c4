"""The office's decisions on a registered case that intake owns: not accepted (不予受理),
merge and unmerge (一稿多投)."""

from lianxin import cases, casestore
from lianxin.cases import Change
from lianxin.duplicates import case_text, similarity
from lianxin.errors import NotFound, ValidationFailed, WrongState

from .screening import takes_duplicates


def not_accept(deps, action, case_id, actor, body):
    now = deps.now
    return cases.act(
        deps.db,
        deps.publisher,
        now,
        case_id,
        actor,
        action,
        lambda case: Change(
            "case.not_accepted",
            note=body["reason"],
            public_note=f"不予受理：{body['reason']}",
            set={"not_accepted": {"reason": body["reason"], "by": actor["username"], "at": now}},
            data={"reason": body["reason"]},
        ),
    )


def merge(deps, action, case_id, actor, body):
    db, now = deps.db, deps.now
    primary_id = body["primary_id"]

    def decide(case):
        if primary_id == case["_id"]:
            raise ValidationFailed(
                "a case cannot be merged into itself", {"fields": {"primary_id": ["is this case"]}}
            )
        primary = db.cases.find_one({"_id": primary_id})
        if primary is None:
            raise NotFound(f"no case {primary_id}", {"primary_id": primary_id})
        if not takes_duplicates(primary, now):
            raise WrongState(
                f"cannot merge into a case that is {primary['status']}",
                {"primary_status": primary["status"]},
            )
        score = round(similarity(case_text(case), case_text(primary)), 4)
        return Change(
            "case.merged",
            note=f"并入 {primary_id}（相似度 {score:.2f}）",
            public_note=f"与 {primary_id} 合并办理",
            set={
                "primary_id": primary_id,
                "duplicate": {
                    "primary_id": primary_id,
                    "score": score,
                    "by": actor["username"],
                    "at": now,
                },
            },
            data={"primary_id": primary_id, "score": score},
        )

    merged = cases.act(db, deps.publisher, now, case_id, actor, action, decide)
    # On the primary's timeline too (once, whatever retries happen).
    casestore.for_db(db).link_duplicate(
        primary_id, case_id, cases.timeline_entry(now, actor, "merge", f"{case_id} 并入本件")
    )
    return merged


def unmerge(deps, action, case_id, actor, body):
    """Back to `received`; the routing sweeper routes it again by the rules."""
    db, now = deps.db, deps.now
    holder = {}

    def decide(case):
        holder["primary"] = case.get("primary_id")
        return Change(
            "case.unmerged",
            note=f"从 {case.get('primary_id')} 拆分",
            public_note="拆分为独立诉求件办理",
            set={"primary_id": None, "duplicate": None, "routing": {"queued": False}},
            data={"primary_id": case.get("primary_id")},
        )

    # Routing's re-drive reads `unrouted` notes (not cases): one before the write, so a crash
    # after it leaves the case findable, and one after, in case a sweep took the first away
    # while the case was still merged.
    _note_unrouted(db, case_id, now)
    case = cases.act(db, deps.publisher, now, case_id, actor, action, decide)
    _note_unrouted(db, case_id, now)
    if holder.get("primary"):
        casestore.for_db(db).unlink_duplicate(
            holder["primary"],
            case_id,
            cases.timeline_entry(now, actor, "unmerge", f"{case_id} 拆分为独立诉求件"),
        )
    return case


def _note_unrouted(db, case_id, now):
    db.unrouted.update_one({"_id": case_id}, {"$setOnInsert": {"at": now}}, upsert=True)


ACTIONS = {"not_accept": not_accept, "merge": merge, "unmerge": unmerge}
