"""Attachments on the real store: chunks written before the case lists the file, read back
through the `_id` index, served only within the case's scope, nothing left by a refused or
failed upload, and what a killed upload left swept once (services/files/)."""

import base64
import io
import threading
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image

from bench.open_cases import load
from lianxin import cases
from lianxin.clock import exact_utcnow
from lianxin.errors import NotFound, ValidationFailed, WrongState
from services.files import content, handlers, storage

pytestmark = pytest.mark.integration
START = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
CODE = "ABCD2345"
HANDLER = {"username": "env_handler", "role": "handler", "unit": "environment_bureau"}
OTHER_UNIT = {"username": "cg_handler", "role": "handler", "unit": "chengguan_town"}
SUPERVISOR = {"username": "supervisor", "role": "supervisor", "unit": "mass_work_office"}
CFG = {
    "limits": content.Limits(max_bytes=2 * 1024 * 1024, max_pixels=20_000_000, thumbnail_px=160),
    "max_per_case": 3,
    "chunk_bytes": 4096,  # a photo of a few tens of KB spans many chunks
    "orphan_seconds": 600,
}


class Events:
    def __init__(self):
        self.sent = []

    def publish(self, event):
        self.sent.append(event)


def photo(seed=0, size=(900, 700)):
    image = Image.effect_noise(size, 40 + seed).convert("RGB")  # noise: poorly compressible
    exif = Image.Exif()
    exif[0x013B] = "Zhang San"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=85)
    return out.getvalue()


def upload(data, name="IMG_0001.jpg", with_answer=False):
    return {"data": base64.b64encode(data).decode(), "name": name, "with_answer": with_answer}


@pytest.fixture
def case_id(db):
    return load(db, 1, START, ["environment_bureau"])[0]


@pytest.fixture
def deps(db):
    return cases.Deps(db, Events(), START + timedelta(hours=1))


def stored(db):
    return (
        db.file_chunks.count_documents({}),
        db.files.count_documents({}),
        db.file_uploads.count_documents({}),
    )


def test_a_citizens_photo_is_stored_in_chunks_listed_and_read_back_clean(db, deps, case_id):
    entry = handlers.attach(deps, case_id, {"code": CODE}, upload(photo()), CFG)
    meta = db.files.find_one({"_id": entry["id"]})
    assert meta["chunks"] > 1 and meta["thumb_chunks"] >= 1
    assert stored(db) == (meta["chunks"] + meta["thumb_chunks"], 1, 0)  # the note is gone
    assert entry["origin"] == "citizen" and entry["name"] == f"{case_id}-1.jpg"  # not IMG_0001
    case = db.cases.find_one({"_id": case_id})
    assert [a["id"] for a in case["attachments"]] == [entry["id"]]
    line = case["timeline"][-1]
    assert (line["action"], line["public"], line["public_note"]) == (
        "attach",
        True,
        f"{case_id}-1.jpg",
    )
    assert [e["type"] for e in deps.publisher.sent] == ["case.attached"]
    assert deps.publisher.sent[0]["units"] == ["environment_bureau"]

    got = handlers.read(db, case_id, entry["id"], {"actor": HANDLER})
    data = base64.b64decode(got["data"])
    assert got["content_type"] == "image/jpeg" and len(data) == entry["size"]
    assert storage.sha256(data) == meta["sha256"] and b"Zhang San" not in data
    thumb = handlers.read(db, case_id, entry["id"], {"code": CODE}, thumbnail=True)
    assert max(Image.open(io.BytesIO(base64.b64decode(thumb["data"]))).size) == 160
    # the citizen's tracking view lists it
    assert [a["id"] for a in cases.public_view(case, deps.now)["attachments"]] == [entry["id"]]


def test_files_are_served_only_within_the_cases_scope(db, deps, case_id):
    mine = handlers.attach(deps, case_id, {"code": CODE}, upload(photo()), CFG)
    evidence = handlers.attach(
        deps, case_id, {"actor": HANDLER}, upload(photo(1), "整改后.jpg", with_answer=True), CFG
    )
    internal = handlers.attach(deps, case_id, {"actor": SUPERVISOR}, upload(photo(2)), CFG)
    assert evidence["name"] == "整改后.jpg" and evidence["with_answer"] is True
    with pytest.raises(NotFound):  # another unit does not learn the case exists
        handlers.read(db, case_id, mine["id"], {"actor": OTHER_UNIT})
    with pytest.raises(NotFound):
        handlers.listing(db, case_id, {"actor": OTHER_UNIT}, 3)
    with pytest.raises(NotFound):  # a wrong code
        handlers.read(db, case_id, mine["id"], {"code": "ZZZZ2345"})
    other = {**db.cases.find_one({"_id": case_id}), "_id": "LX-OTHER", "attachments": []}
    db.cases.insert_one(other)
    with pytest.raises(NotFound):  # a file of another case through this one
        handlers.read(db, "LX-OTHER", mine["id"], {"actor": SUPERVISOR})
    staff = handlers.listing(db, case_id, {"actor": HANDLER}, 3)
    assert len(staff["items"]) == 3 and staff["may_attach"] is False  # the limit is reached
    # before the answer: the citizen sees their own photo only
    citizen = handlers.listing(db, case_id, {"code": CODE}, 3)
    assert [a["id"] for a in citizen["items"]] == [mine["id"]]
    assert "by" not in citizen["items"][0]
    with pytest.raises(NotFound):
        handlers.read(db, case_id, evidence["id"], {"code": CODE})
    # once the answer is delivered, the evidence published with it too, never the internal one
    db.cases.update_one(
        {"_id": case_id},
        {
            "$set": {
                "status": "answered",
                "reply": {"delivered_at": deps.now, "outcome": "resolved"},
            }
        },
    )
    citizen = handlers.listing(db, case_id, {"code": CODE}, 3)
    assert [a["id"] for a in citizen["items"]] == [mine["id"], evidence["id"]]
    assert handlers.read(db, case_id, evidence["id"], {"code": CODE})["name"] == "整改后.jpg"
    with pytest.raises(NotFound):
        handlers.read(db, case_id, internal["id"], {"code": CODE})


def test_a_unit_that_does_not_lead_cannot_publish_evidence(db, deps, case_id):
    db.cases.update_one({"_id": case_id}, {"$set": {"assignment.co_units": ["chengguan_town"]}})
    with pytest.raises(WrongState):
        handlers.attach(
            deps, case_id, {"actor": OTHER_UNIT}, upload(photo(), with_answer=True), CFG
        )
    entry = handlers.attach(deps, case_id, {"actor": OTHER_UNIT}, upload(photo()), CFG)
    assert entry["with_answer"] is False
    assert stored(db)[1:] == (1, 0)


def test_refused_and_failed_uploads_leave_nothing_behind(db, deps, case_id):
    with pytest.raises(ValidationFailed) as bad:
        handlers.attach(deps, case_id, {"code": CODE}, upload(b"<svg/>", "photo.jpg"), CFG)
    assert bad.value.details["reason"] == "unsupported_type"
    assert stored(db) == (0, 0, 0)
    # the limit is found full only at the commit (another upload landed meanwhile)
    for i in range(3):
        handlers.attach(deps, case_id, {"code": CODE}, upload(photo(i)), CFG)
    before = stored(db)
    real_check = handlers.check_attach
    calls = []

    def check_passes_first_time(case, actor, with_answer, max_per_case):
        calls.append(1)
        if len(calls) == 1:
            return None
        return real_check(case, actor, with_answer, max_per_case)

    handlers.check_attach = check_passes_first_time
    try:
        with pytest.raises(WrongState):
            handlers.attach(deps, case_id, {"code": CODE}, upload(photo(9)), CFG)
    finally:
        handlers.check_attach = real_check
    assert stored(db) == before
    # a closed case takes no more files
    db.cases.update_one({"_id": case_id}, {"$set": {"status": "closed"}})
    with pytest.raises(WrongState):
        handlers.attach(deps, case_id, {"actor": SUPERVISOR}, upload(photo()), CFG)
    assert stored(db) == before


def _killed_upload(db, case_id, file_id, started):
    storage.begin(db, file_id, case_id, {file_id: 3, f"{file_id}.t": 1}, started, 600)
    storage.put(db, file_id, [b"a" * 10, b"b" * 10])  # killed before the third chunk


def test_a_killed_upload_is_swept_once_when_due(db, deps, case_id):
    committed = handlers.attach(deps, case_id, {"code": CODE}, upload(photo()), CFG)
    kept = stored(db)
    now = exact_utcnow()
    _killed_upload(db, case_id, "killed1", now)
    _killed_upload(db, case_id, "killed2", now)
    # an upload that committed but died before removing its note
    storage.begin(db, committed["id"], case_id, {committed["id"]: 99}, now, 600)
    assert handlers.sweep(db, now + timedelta(seconds=599)) == 0  # not due yet
    assert stored(db)[0] == kept[0] + 4
    results = []
    later = now + timedelta(seconds=601)
    sweepers = [threading.Thread(target=lambda: results.append(handlers.sweep(db, later)))] * 1
    sweepers += [threading.Thread(target=lambda: results.append(handlers.sweep(db, later)))]
    for t in sweepers:
        t.start()
    for t in sweepers:
        t.join()
    assert sum(results) == 2  # each orphan removed by one sweeper
    assert stored(db) == kept  # the committed file is untouched, the notes are gone
    assert handlers.read(db, case_id, committed["id"], {"code": CODE})["size"] == committed["size"]


def _is_ferretdb(db):
    return "ferretdbVersion" in db.command("buildInfo")


def test_chunk_reads_and_the_sweep_are_served_by_an_index(db, deps, case_id):
    if not _is_ferretdb(db):
        pytest.skip("the SQLite plan is FerretDB's explain extension")
    handlers.attach(deps, case_id, {"code": CODE}, upload(photo()), CFG)
    for coll, flt in [
        ("file_chunks", {"_id": {"$in": storage.chunk_ids("abc", 3)}}),
        ("file_uploads", {"due_at": {"$lt": exact_utcnow()}}),
    ]:
        plan = db.command("explain", {"find": coll, "filter": flt})
        steps = " ".join(plan["queryPlanner"]["Plan"])
        assert "USING INDEX" in steps and "SCAN" not in steps, (coll, steps)
