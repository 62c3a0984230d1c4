"""Attachments over HTTP on the running system (gateway → files service → store): a citizen's
photos with the access code, the unit's evidence published with the answer, scope, 422s with
their reason, 413, and the sweep of what a killed upload left (docs/contract.md §17)."""

import io

import pytest
import requests
from PIL import Image

from lianxin import settings
from lianxin.clock import exact_utcnow
from services.files import storage
from tests.helpers import wait_for

from .test_lifecycle import CASE

pytestmark = pytest.mark.e2e


def photo(color="red"):
    exif = Image.Exif()
    exif[0x013B] = "Zhang San"  # Artist
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 2.5)}  # GPS
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), color).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def upload(api, case_id, data, name="IMG_20261125.jpg", code=None, user=None, **form):
    return requests.post(
        f"{api.url}/cases/{case_id}/attachments",
        params={"code": code} if code else None,
        files={"file": (name, data, "application/octet-stream")},
        data=form,
        headers=api.headers(user),
        timeout=30,
    )


@pytest.fixture(scope="module")
def submitted(county):
    r = county.api.post("/cases", CASE)
    assert r.status_code == 201, r.text
    receipt = r.json()
    wait_for(lambda: county.db.cases.find_one({"_id": receipt["id"], "status": "assigned"}))
    return receipt["id"], receipt["access_code"]


def test_a_citizen_attaches_two_photos_and_sees_them_when_tracking(county, submitted):
    api, (case_id, code) = county.api, submitted
    for color in ("red", "blue"):
        r = upload(api, case_id, photo(color), code=code)
        assert r.status_code == 201, r.text
        assert r.json()["content_type"] == "image/jpeg" and r.json()["thumbnail"] is True
    tracked = api.get(f"/cases/{case_id}", params={"code": code}).json()
    files = tracked["attachments"]
    assert [f["name"] for f in files] == [f"{case_id}-1.jpg", f"{case_id}-2.jpg"]
    assert [e["action"] for e in tracked["timeline"]].count("attach") == 2
    thumb = api.get(f"/cases/{case_id}/attachments/{files[0]['id']}/thumbnail?code={code}")
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.content)).size) == settings.ATTACHMENT_THUMBNAIL_PX
    full = api.get(f"/cases/{case_id}/attachments/{files[1]['id']}?code={code}")
    assert full.status_code == 200 and full.headers["Content-Type"] == "image/jpeg"
    assert full.headers["Content-Disposition"].startswith("inline;")
    assert full.headers["X-Content-Type-Options"] == "nosniff"
    assert (
        b"Zhang San" not in full.content
        and len(Image.open(io.BytesIO(full.content)).getexif()) == 0
    )
    # the unit sees them on the staff case, and the feed carries the event
    staff = api.get(f"/cases/{case_id}", "env_handler").json()
    assert len(staff["attachments"]) == 2
    r = api.get(f"/cases/{case_id}/attachments/{files[1]['id']}", "env_handler")
    assert r.status_code == 200 and r.content == full.content
    wait_for(
        lambda: any(
            e["type"] == "case.attached" and e["case_id"] == case_id
            for e in api.get("/events?limit=500", "supervisor").json()["items"]
        )
    )


@pytest.mark.parametrize(
    "data, name, reason",
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "photo.jpg", "unsupported_type"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "photo.png", "unsupported_type"),
        (b"\xff\xd8\xff\xe0 broken", "photo.jpg", "corrupt"),
        (b"", "photo.jpg", "empty"),
    ],
)
def test_bad_files_get_422_with_the_reason_and_store_nothing(county, submitted, data, name, reason):
    api, (case_id, code) = county.api, submitted
    before = county.db.file_chunks.count_documents({})
    r = upload(api, case_id, data, name=name, code=code)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "validation_failed" and error["details"]["reason"] == reason
    assert error["details"]["file"]
    assert county.db.file_chunks.count_documents({}) == before


def test_a_file_over_the_limit_is_refused_before_the_service(county, submitted):
    api, (case_id, code) = county.api, submitted
    r = upload(api, case_id, b"\xff\xd8\xff" + b"0" * settings.ATTACHMENT_MAX_BYTES, code=code)
    assert r.status_code == 422 and r.json()["error"]["details"]["reason"] == "too_large"
    r = upload(api, case_id, b"0" * (settings.ATTACHMENT_MAX_BYTES + 200_000), code=code)
    assert r.status_code == 413 and r.json()["error"]["code"]
    r = requests.post(f"{api.url}/cases/{case_id}/attachments?code={code}", timeout=10)
    assert r.status_code == 422 and r.json()["error"]["details"]["reason"] == "missing"


def test_files_are_shown_only_to_those_who_may_see_the_case(county, submitted):
    api, (case_id, _) = county.api, submitted
    for user in ("housing_handler", "housing_leader"):
        assert api.get(f"/cases/{case_id}/attachments", user).status_code == 404
        assert upload(api, case_id, photo(), user=user).status_code == 404
    listed = api.get(f"/cases/{case_id}/attachments", "env_handler").json()
    some = listed["items"][0]["id"]
    assert api.get(f"/cases/{case_id}/attachments/{some}", "housing_handler").status_code == 404
    assert api.get(f"/cases/{case_id}/attachments/{some}?code=ZZZZ2345").status_code == 404
    assert api.get(f"/cases/{case_id}/attachments/{some}").status_code == 401
    assert (
        upload(api, case_id, photo(), user="leader_li").status_code == 403
    )  # not a role that attaches


def test_the_units_evidence_reaches_the_citizen_with_the_answer(county):
    api = county.api
    r = api.post("/cases", CASE)
    assert r.status_code == 201, r.text
    receipt = r.json()
    case_id, code = receipt["id"], receipt["access_code"]
    wait_for(lambda: county.db.cases.find_one({"_id": case_id, "status": "assigned"}))
    api.act(case_id, "claim", "env_handler")
    r = upload(
        api, case_id, photo("green"), "整改后现场.jpg", user="env_handler", with_answer="true"
    )
    assert r.status_code == 201, r.text
    evidence = r.json()
    assert evidence["name"] == "整改后现场.jpg" and evidence["with_answer"] is True
    internal = upload(api, case_id, photo("gray"), "内部记录.jpg", user="env_handler").json()
    api.act(case_id, "reply", "env_handler", {"outcome": "resolved", "opinion": "已整改"})
    assert api.get(f"/cases/{case_id}", params={"code": code}).json()["attachments"] == []
    api.act(case_id, "reply/sign", "env_leader")
    api.act(case_id, "review", "supervisor", {"approve": True})

    def published():
        tracked = api.get(f"/cases/{case_id}", params={"code": code}).json()
        return [f["id"] for f in tracked["attachments"]] if tracked["answer"] else None

    assert wait_for(published) == [evidence["id"]]
    assert api.get(f"/cases/{case_id}/attachments/{evidence['id']}?code={code}").status_code == 200
    r = api.get(f"/cases/{case_id}/attachments/{internal['id']}?code={code}")
    assert r.status_code == 404


def test_what_a_killed_upload_left_is_swept(county, submitted):
    case_id, _ = submitted
    db, now = county.db, exact_utcnow()
    storage.begin(db, "killed-upload", case_id, {"killed-upload": 2}, now, -1)  # due already
    storage.put(db, "killed-upload", [b"x" * 100])
    wait_for(lambda: db.file_uploads.find_one({"_id": "killed-upload"}) is None, timeout=30)
    assert (
        db.file_chunks.count_documents({"_id": {"$in": storage.chunk_ids("killed-upload", 2)}}) == 0
    )
