"""Walks with photos and documents (issue 16): a citizen on a phone submits a case with two
photos and sees them when tracking; a handler sees them on the case page and adds evidence to
the reply, which the citizen sees with the answer. axe-core checks every screen on the way.
With LX_SCREENSHOT_DIR set, the screens are saved there (docs/screenshots/)."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.helpers import wait_for

from .browser import DESK, PHONE, check_a11y, new_page, shot, sign_in
from .test_walks import act, case_status, choose, expect_status, textbox

pytestmark = pytest.mark.e2e


def photo(name, color):
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 2.5), 3: "E", 4: (121.0, 28.0, 9.1)}  # GPS
    image = Image.new("RGB", (1600, 1200), color)
    image.paste("white", (500, 400, 1100, 800))
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return {"name": name, "mimeType": "image/jpeg", "buffer": out.getvalue()}


def thumbnails_shown(page, count):
    thumbs = page.get_by_test_id("attachment-thumb")
    expect(thumbs).to_have_count(count)
    for i in range(count):  # each one really loaded (fetched with the caller's right)
        wait_for(lambda i=i: thumbs.nth(i).evaluate("img => img.complete && img.naturalWidth > 0"))


def test_citizen_submits_two_photos_and_the_handler_adds_evidence(county, browser):
    citizen = new_page(browser, county.url, **PHONE)
    citizen.goto("/submit")
    citizen.locator("label.el-radio", has_text="Complaint").click()
    citizen.get_by_label("Topic").select_option("environment")
    textbox(citizen, "Title").fill("垃圾堆放在河边")
    textbox(citizen, "Details").fill("桥头河边堆了很多建筑垃圾，已经一个多月无人清理。")
    citizen.get_by_label("Mobile phone").fill("13900003333")
    citizen.get_by_label("Photos (optional)").set_input_files(
        [photo("IMG_0001.jpg", "sienna"), photo("IMG_0002.jpg", "olive")]
    )
    expect(citizen.get_by_role("list", name="Chosen files").get_by_role("listitem")).to_have_count(
        2
    )
    check_a11y(citizen, "submit with photos (375 px)")
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 375
    shot(citizen, "citizen-submit-photos.png")
    citizen.get_by_role("button", name="Submit", exact=True).click()
    citizen.wait_for_url(re.compile(r"/receipt/"), timeout=60_000)
    case_id = citizen.get_by_test_id("receipt-tracking-number").inner_text().strip()
    code = citizen.get_by_test_id("receipt-access-code").inner_text().strip()
    stored = county.db.cases.find_one({"_id": case_id})["attachments"]
    assert [a["name"] for a in stored] == [f"{case_id}-1.jpg", f"{case_id}-2.jpg"]

    citizen.goto("/track")
    citizen.get_by_label("Tracking number").fill(case_id)
    citizen.get_by_label("Access code").fill(code)
    citizen.get_by_role("button", name="Look up").click()
    thumbnails_shown(citizen, 2)
    check_a11y(citizen, "track with photos (375 px)")
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 375
    shot(citizen, "citizen-track-photos.png")
    citizen.get_by_role("button", name=f"Open {case_id}-2.jpg").click()
    full = citizen.get_by_test_id("attachment-full")
    expect(full).to_be_visible()
    wait_for(lambda: full.evaluate("img => img.complete && img.naturalWidth === 1600"))
    check_a11y(citizen, "a photo opened (375 px)")
    citizen.keyboard.press("Escape")
    expect(full).to_be_hidden()

    wait_for(lambda: case_status(county, case_id, status="assigned"), timeout=30)
    handler = new_page(browser, county.url, **DESK)
    sign_in(handler, "env_handler", f"/staff/cases/{case_id}")
    expect_status(handler, "assigned")
    thumbnails_shown(handler, 2)
    act(handler, "claim")
    expect_status(handler, "in_progress")

    def reply(dialog):
        dialog.get_by_label("Outcome").select_option("resolved")
        dialog.get_by_label("Handling opinion").fill("已组织清运建筑垃圾，河岸已恢复整洁。")
        dialog.get_by_label("Evidence (shown to the citizen with the answer)").set_input_files(
            [photo("清理后.jpg", "seagreen")]
        )
        expect(
            dialog.get_by_role("list", name="Chosen files").get_by_role("listitem")
        ).to_have_count(1)
        check_a11y(handler, "reply with evidence")
        shot(handler, "staff-reply-evidence.png", full_page=False)  # the dialog covers the view

    act(handler, "reply", reply)
    evidence = wait_for(
        lambda: [
            a for a in county.db.cases.find_one({"_id": case_id})["attachments"] if a["with_answer"]
        ]
    )
    assert [(a["name"], a["origin"], a["by"]) for a in evidence] == [
        ("清理后.jpg", "staff", "env_handler")
    ]
    thumbnails_shown(handler, 3)
    expect(handler.get_by_test_id("attachments")).to_contain_text("Published with the answer")
    check_a11y(handler, "case page with files")
    shot(handler, "staff-case-files.png")

    # signed and approved: the citizen sees the evidence with the answer
    leader = new_page(browser, county.url, **DESK)
    sign_in(leader, "env_leader", f"/staff/cases/{case_id}")
    act(leader, "reply/sign")
    expect_status(leader, "replied")
    supervisor = new_page(browser, county.url, **DESK)
    sign_in(supervisor, "supervisor", f"/staff/cases/{case_id}")
    act(supervisor, "review", lambda d: choose(d, "Approve"))
    expect_status(supervisor, "answered")
    citizen.get_by_role("button", name="Look up").click()
    expect(citizen.get_by_test_id("case-answer")).to_be_visible()
    thumbnails_shown(citizen, 3)
    expect(citizen.get_by_test_id("attachments")).to_contain_text("From the handling unit")
    check_a11y(citizen, "track with the answer's evidence (375 px)")
    for page in (citizen, handler, leader, supervisor):
        assert page.errors == [], page.errors
