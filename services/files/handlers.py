"""The files service's use cases: attach a file to a case, list a case's files, read one, and
sweep what killed uploads left. Who may do what is asked of the workflow table (`attach`),
the case's scope (`lianxin/cases.py`) and `lianxin/attachments.py`; the bytes rules are
`content.py`, the chunks `storage.py`.

Order of an upload, so that nothing is half-stored (docs/decisions/0023): the note of the
upload, every chunk, the file's record, then the case lists the file (one compare-and-set
with its timeline line and its `case.attached` event), then the note goes. A failure before
the case lists it removes what was stored; a process killed meanwhile leaves a note that the
sweep finds when it is due."""

import base64
import logging
import re
import uuid

from lianxin import attachments, cases, workflow
from lianxin.access import code_matches
from lianxin.auth import CITIZEN
from lianxin.clock import exact_utcnow
from lianxin.errors import NotFound, Unavailable, WrongState

from . import content, storage

log = logging.getLogger(__name__)

ACTION = "attach"
# Unit staff may publish evidence with the answer only for the case their unit leads.
MAY_PUBLISH_ROLES = ("clerk", "dispatcher", "supervisor")


def citizen_case(db, case_id, code):
    """The case, if the access code opens it (404 otherwise, as for tracking)."""
    case = db.cases.find_one({"_id": case_id}) if isinstance(case_id, str) else None
    if case is None or not code_matches(case, code):
        raise NotFound("no case with this tracking number and access code", {})
    return case


def _who(db, case_id, who):
    """(actor, case) for a staff actor or a citizen with the access code."""
    if who.get("actor"):
        actor = who["actor"]
        return actor, cases.load(db, case_id, actor)
    return CITIZEN, citizen_case(db, case_id, who.get("code"))


def may_publish(case, actor):
    if actor["role"] in MAY_PUBLISH_ROLES:
        return True
    lead = (case.get("assignment") or {}).get("lead_unit")
    return actor["role"] in ("handler", "unit_leader") and bool(lead) and actor.get("unit") == lead


def check_attach(case, actor, with_answer, max_per_case):
    """Raise unless `actor` may add one more file to `case` now."""
    workflow.check(ACTION, case["status"], actor["role"])
    if len(case.get("attachments") or []) >= max_per_case:
        raise WrongState(
            f"a case takes at most {max_per_case} files",
            {"action": ACTION, "max_per_case": max_per_case},
        )
    if with_answer and not may_publish(case, actor):
        raise WrongState(
            "only the lead unit or the office publishes evidence with the answer",
            {"action": ACTION},
        )


def may_attach(case, actor, max_per_case):
    try:
        check_attach(case, actor, False, max_per_case)
        return True
    except Exception:
        return False


_UNSAFE = re.compile(r"[^\w.\- ()\u4e00-\u9fff]+")


def file_name(case, actor, given, content_type, number):
    """The name the file is shown with. A citizen's own name for a file is not kept (a name
    identifies as well as EXIF does); staff names are cleaned of path and odd characters."""
    ext = content.TYPES[content_type]
    if actor["role"] == "citizen":
        return f"{case['_id']}-{number}.{ext}"
    stem = _UNSAFE.sub("_", (given or "").replace("\\", "/").rsplit("/", 1)[-1]).strip(" ._")
    stem = stem.rsplit(".", 1)[0][:80] if "." in stem else stem[:80]
    return f"{stem or 'file'}.{ext}"


def attach(deps, case_id, who, upload, cfg):
    """Store one file and list it on the case. `upload` = {data (base64), name, with_answer};
    `cfg` = {limits, max_per_case, chunk_bytes, orphan_seconds}. Returns the case's entry."""
    db = deps.db
    actor, case = _who(db, case_id, who)
    with_answer = bool(upload.get("with_answer")) and actor["role"] != "citizen"
    check_attach(case, actor, with_answer, cfg["max_per_case"])
    prepared = content.prepare(base64.b64decode(upload["data"]), cfg["limits"])

    file_id = uuid.uuid4().hex
    pieces = storage.split(prepared.data, cfg["chunk_bytes"])
    thumbs = storage.split(prepared.thumbnail, cfg["chunk_bytes"]) if prepared.thumbnail else []
    blobs = {file_id: len(pieces)}
    if thumbs:
        blobs[storage.thumb_blob(file_id)] = len(thumbs)
    storage.begin(db, file_id, case["_id"], blobs, exact_utcnow(), cfg["orphan_seconds"])
    try:
        storage.put(db, file_id, pieces)
        if thumbs:
            storage.put(db, storage.thumb_blob(file_id), thumbs)
        db.files.insert_one(
            {
                "_id": file_id,
                "case_id": case["_id"],
                "content_type": prepared.content_type,
                "size": len(prepared.data),
                "chunks": len(pieces),
                "thumb_chunks": len(thumbs),
                "sha256": storage.sha256(prepared.data),
                "created_at": deps.now,
            }
        )
        if not storage.renew(db, file_id, exact_utcnow(), cfg["orphan_seconds"]):
            raise Unavailable("the upload took too long; send the file again", {})
        entry = _commit(deps, case["_id"], actor, upload, prepared, file_id, bool(thumbs), cfg)
    except BaseException:
        try:
            storage.discard(db, file_id, blobs)
        except Exception:  # the store went away: the note is due later, the sweep removes it
            log.warning("upload %s of %s left for the sweep", file_id, case["_id"], exc_info=True)
        raise
    storage.finish(db, file_id)
    return _iso(entry)


def _commit(deps, case_id, actor, upload, prepared, file_id, has_thumb, cfg):
    """List the file on the case: one compare-and-set; another file landing at the same
    moment makes us read the case again (the count limit is checked on what is stored)."""
    with_answer = bool(upload.get("with_answer")) and actor["role"] != "citizen"
    entry = {}

    def decide(case):
        check_attach(case, actor, with_answer, cfg["max_per_case"])
        number = len(case.get("attachments") or []) + 1
        name = file_name(case, actor, upload.get("name"), prepared.content_type, number)
        entry.clear()
        entry.update(
            {
                "id": file_id,
                "name": name,
                "content_type": prepared.content_type,
                "size": len(prepared.data),
                "origin": "citizen" if actor["role"] == "citizen" else "staff",
                "with_answer": with_answer,
                "thumbnail": has_thumb,
                "width": prepared.width,
                "height": prepared.height,
                "pages": prepared.pages,
                "at": deps.now,
                "by": actor["username"],
                "role": actor["role"],
            }
        )
        return cases.Change(
            event="case.attached",
            note=f"{name} ({prepared.content_type}, {len(prepared.data)} bytes)",
            # the citizen's own photos show on their timeline; staff files do not
            public_note=name if actor["role"] == "citizen" else None,
            push={"attachments": dict(entry)},
            data={
                "attachment": {
                    "id": file_id,
                    "content_type": prepared.content_type,
                    "size": len(prepared.data),
                    "origin": entry["origin"],
                    "with_answer": with_answer,
                }
            },
        )

    for attempt in range(3):
        try:
            cases.act(deps.db, deps.publisher, deps.now, case_id, actor, ACTION, decide)
            return entry
        except WrongState as exc:
            if "changed by someone else" not in exc.message or attempt == 2:
                raise
    return entry  # pragma: no cover


def listing(db, case_id, who, max_per_case):
    """A case's files as the caller may see them, and whether the caller may add one now."""
    actor, case = _who(db, case_id, who)
    items = case.get("attachments") or []
    if actor["role"] == "citizen":
        items = attachments.for_citizen(case)
    return {
        "items": [_iso(a) for a in items],
        "may_attach": may_attach(case, actor, max_per_case),
        "may_publish": actor["role"] != "citizen" and may_publish(case, actor),
        "max_per_case": max_per_case,
    }


def read(db, case_id, file_id, who, thumbnail=False):
    """One file's bytes (base64) with its type and name, if the caller may see it."""
    actor, case = _who(db, case_id, who)
    entry = attachments.find(case, file_id)
    if entry is None or (
        actor["role"] == "citizen" and not attachments.visible_to_citizen(case, entry)
    ):
        raise NotFound("no such file with this case", {"id": file_id})
    meta = db.files.find_one({"_id": file_id})
    if meta is None:
        raise NotFound("no such file with this case", {"id": file_id})
    if thumbnail and meta.get("thumb_chunks"):
        data = storage.read(db, storage.thumb_blob(file_id), meta["thumb_chunks"])
        content_type, name = "image/jpeg", f"thumbnail-{entry['name'].rsplit('.', 1)[0]}.jpg"
    elif thumbnail:
        raise NotFound("this file has no thumbnail", {"id": file_id})
    else:
        data = storage.read(db, file_id, meta["chunks"])
        content_type, name = meta["content_type"], entry["name"]
    if data is None:
        log.error("file %s of %s has missing chunks", file_id, case_id)
        raise NotFound("no such file with this case", {"id": file_id})
    return {
        "content_type": content_type,
        "name": name,
        "size": len(data),
        "data": base64.b64encode(data).decode(),
    }


def sweep(db, now):
    """Remove orphans: uploads whose note is due and whose file no case lists."""

    def committed(note):
        case = db.cases.find_one({"_id": note["case_id"]}, {"attachments": 1})
        return bool(case) and attachments.find(case, note["_id"]) is not None

    return storage.sweep_orphans(db, now, committed)


def _iso(entry):
    return cases._iso_all(entry)
