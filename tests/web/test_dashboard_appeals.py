"""The leader's walk, continued (issue 16: "Unit assessment: … appeals with their decision"), in
Debian's chromium against the real system: two ratings closed dissatisfied and appealed by the
unit's leader, one decided by a supervisor (over the API), one pending; the leader finds both
under the assessment with the decision, opens a case from its id, sees the week in the weekly
trend (one `/stats?group_by=week`), and reads the same section on a phone-sized page. axe-core
checks both widths."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from lianxin.clock import utcnow
from tests.e2e.test_lifecycle import submit, to_answered

from .browser import DESK, PHONE, check_a11y, new_page, shot, sign_in

pytestmark = pytest.mark.e2e
expect.set_options(timeout=15_000)  # lists answer slowly on a loaded 2-core machine
DISSATISFIED = {"method": "phone", "satisfaction": "dissatisfied"}


def closed_dissatisfied(county, title):
    """A case of the environment bureau answered, rated dissatisfied (reopened once), answered
    again and rated dissatisfied again: closed with the rating the unit may appeal."""
    api = county.api
    case_id, _ = submit(county, title=title)
    to_answered(county, case_id)
    api.act(case_id, "visit", "supervisor", DISSATISFIED)
    api.act(case_id, "reply", "env_handler", {"outcome": "resolved", "opinion": "已再次核查整改"})
    api.act(case_id, "reply/sign", "env_leader")
    api.act(case_id, "review", "supervisor", {"approve": True})
    closed = api.act(case_id, "visit", "supervisor", DISSATISFIED)
    assert closed["status"] == "closed"
    return case_id


def test_the_leader_reads_the_appeals_with_their_decision(county, browser):
    api = county.api
    decided = closed_dissatisfied(county, "工厂夜间噪声扰民")
    pending = closed_dissatisfied(county, "河道漂浮垃圾未清理")
    api.act(decided, "appeal", "env_leader", {"reason": "已停产整改，有监测报告为证"})
    api.act(pending, "appeal", "env_leader", {"reason": "诉求超出本单位职权"})
    ruled = api.act(
        decided, "appeal/decision", "supervisor", {"uphold": True, "comment": "监测报告属实"}
    )
    assert ruled["appeal"]["status"] == "upheld"

    leader = new_page(browser, county.url, **DESK)
    sign_in(leader, "leader_li")
    leader.get_by_role("link", name="Dashboard").click()
    leader.wait_for_url("**/staff/dashboard**")
    section = leader.locator("section[aria-labelledby='d-appeals']")
    expect(section.get_by_role("heading")).to_have_text("Appeals / 评星复议")
    expect(leader.get_by_test_id("appeal-counts")).to_contain_text("1 pending, 1 upheld")
    row = section.get_by_test_id(f"appeal-{decided}")
    expect(row).to_contain_text("Upheld")
    expect(row).to_contain_text("监测报告属实")
    expect(row).to_contain_text("已停产整改，有监测报告为证")
    expect(row).to_contain_text("Dissatisfied")
    waiting = section.get_by_test_id(f"appeal-{pending}")
    expect(waiting).to_contain_text("Pending")
    expect(waiting).to_contain_text("诉求超出本单位职权")
    # the pending one first: it is what someone must still decide
    ids = section.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.testid)")
    assert ids == [f"appeal-{pending}", f"appeal-{decided}"]

    # the weekly trend comes from one request, this week keyed by its Monday (Beijing time)
    local = (utcnow() + timedelta(hours=8)).date()
    monday = (local - timedelta(days=local.weekday())).strftime("%m-%d")
    trend = leader.get_by_role("heading", name="Weekly trend").locator("..")
    trend.locator("summary").click()
    week = trend.get_by_role("row").filter(has=leader.get_by_role("rowheader", name=monday))
    expect(week).to_have_count(1)
    assert int(week.locator("td").first.inner_text()) >= 2
    check_a11y(leader, "dashboard with appeals (leader)")
    section.scroll_into_view_if_needed()
    shot(leader, "dashboard-appeals.png", full_page=False)

    row.get_by_role("link", name=decided).click()
    leader.wait_for_url(re.compile(rf"/staff/cases/{decided}$"))
    expect(leader.get_by_text("监测报告属实").first).to_be_visible()
    assert not leader.errors, leader.errors

    phone = new_page(browser, county.url, **PHONE)
    sign_in(phone, "leader_li", "/staff/dashboard")
    region = phone.locator("section[aria-labelledby='d-appeals']").get_by_role("region")
    expect(region.get_by_test_id(f"appeal-{decided}")).to_contain_text("Upheld")
    box = region.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375 + 1, box  # within the screen
    # the table is wider than the phone and scrolls inside its region, its columns not squeezed
    wide, shown = region.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert wide > shown, (wide, shown)
    case_column = region.get_by_role("rowheader").first.bounding_box()
    assert case_column and case_column["width"] >= 150, case_column
    check_a11y(phone, "dashboard with appeals (phone)")
    region.scroll_into_view_if_needed()
    shot(phone, "dashboard-appeals-375.png", full_page=False)
    assert not phone.errors, phone.errors
