"""The matters screens walked as their users take them (issue 17): the supervisor publishes a
livelihood project, a unit claims it and reports progress and then done with evidence, the
supervisor confirms it, and a citizen on a phone finds it on the project board and says they
see it done. axe-core checks every screen on the way; with LX_SCREENSHOT_DIR set, the main ones
are saved there (docs/screenshots/)."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from lianxin.clock import isoformat, utcnow

from .browser import DESK, PHONE, SHOT_DESK, SHOT_PHONE, check_a11y, new_page, shot, sign_in

pytestmark = pytest.mark.e2e


def status(page, text):
    expect(page.get_by_test_id("matter-status")).to_have_text(text)


def test_a_project_published_claimed_reported_done_confirmed_and_seen_by_a_citizen(county, browser):
    now = utcnow()
    r = county.api.post(
        "/matters",
        {
            "kind": "project",
            "title": "清水镇农贸市场改造",
            "description": "改造清水镇农贸市场排水和顶棚",
            "source": {"year": 2026},
            "claimable": True,
            "ends_at": isoformat(now + timedelta(days=60)),
            "milestones": [
                {"title": "完成设计", "due_at": isoformat(now + timedelta(days=20))},
                {"title": "完成改造", "due_at": isoformat(now + timedelta(days=50))},
            ],
        },
        "supervisor",
    )
    assert r.status_code == 201, r.text
    mid = r.json()["id"]

    supervisor = new_page(browser, county.url, **DESK)
    sign_in(supervisor, "supervisor", "/staff/matters")
    expect(supervisor.get_by_role("link", name=mid)).to_be_visible()
    check_a11y(supervisor, "matters list (supervisor)")
    supervisor.get_by_role("link", name=mid).click()
    status(supervisor, "Draft")
    check_a11y(supervisor, "matter page, draft (supervisor)")
    supervisor.get_by_test_id("matter-action-publish").click()
    status(supervisor, "Published")

    unit = new_page(browser, county.url, **DESK)
    sign_in(unit, "env_handler", f"/staff/matters/{mid}")
    unit.get_by_test_id("matter-action-claim").click()
    expect(unit.get_by_test_id("matter-action-progress")).to_be_visible()
    unit.get_by_test_id("matter-action-progress").click()
    unit.get_by_label("What was done").fill("完成设计招标")
    unit.get_by_label("Percent done (0–100)").fill("30")
    unit.get_by_label("完成设计").check()
    unit.get_by_label("Evidence file ids (one per line)").fill("file-design-1")
    check_a11y(unit, "progress report form (unit)")
    unit.get_by_test_id("matter-submit").click()
    status(unit, "In progress")
    unit.get_by_test_id("matter-action-progress").click()
    unit.get_by_label("What was done").fill("返工")
    unit.get_by_label("Percent done (0–100)").fill("20")
    unit.get_by_test_id("matter-submit").click()
    expect(unit.get_by_text("Lowering the percent needs a reason")).to_be_visible()
    unit.get_by_role("button", name="Cancel").click()
    unit.get_by_test_id("matter-action-done").click()
    unit.get_by_label("How it was done").fill("市场改造完工并通过验收")
    unit.get_by_label("Evidence file ids (one per line)").fill("file-accept-1\nfile-photo-2")
    check_a11y(unit, "done report form (unit)")
    unit.get_by_test_id("matter-submit").click()
    status(unit, "Reported done")

    supervisor.reload()
    status(supervisor, "Reported done")
    supervisor.get_by_test_id("matter-action-confirm").click()
    check_a11y(supervisor, "confirm form (supervisor)")
    supervisor.get_by_test_id("matter-submit").click()
    status(supervisor, "Confirmed")
    shot(supervisor, "matter", widths=(SHOT_DESK,))

    citizen = new_page(browser, county.url, **PHONE)
    citizen.goto("/projects")
    card = citizen.get_by_test_id("project-card").filter(has_text="清水镇农贸市场改造")
    expect(card).to_be_visible()
    check_a11y(citizen, "project board (375 px)")
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 375
    shot(citizen, "project-board", widths=(SHOT_DESK, SHOT_PHONE))
    card.get_by_role("link").click()
    expect(citizen.get_by_role("heading", name="清水镇农贸市场改造")).to_be_visible()
    check_a11y(citizen, "project page (375 px)")
    citizen.get_by_label("Your phone or e-mail", exact=False).fill("13700002222")
    citizen.get_by_test_id("project-yes").click()
    expect(citizen.get_by_text("Thank you for your answer")).to_be_visible()
    expect(citizen.get_by_test_id("project-votes")).to_contain_text("See it done 1")
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 375
    shot(citizen, "project-page", widths=(SHOT_DESK, SHOT_PHONE))
    for page in (supervisor, unit, citizen):
        assert not page.errors, page.errors
