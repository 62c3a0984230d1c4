"""Walks through the web console as its users would take them, in Debian's chromium, against
the real system (issue 15): a citizen on a phone, the unit, its leader and the supervisor at
their desks; the dispatcher's manual queue; the clerk on the hotline; a queue that fills
itself. axe-core checks every screen on the way."""

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import wait_for

from .browser import DESK, PHONE, check_a11y, new_page, sign_in

pytestmark = pytest.mark.e2e

COMPLAINT = {
    "title": "河道夜间排污",
    "content": "清水河边的化工厂每天夜里向河里排放污水，气味刺鼻。",
}


def case_status(county, case_id, **extra):
    return county.db.cases.find_one({"_id": case_id, **extra})


def act(page, action, fill=None):
    """Open an allowed action on the case page, fill its form, confirm, wait for it to close."""
    page.get_by_test_id(f"action-{action.replace('/', '-')}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    if fill:
        fill(dialog)
    dialog.get_by_test_id("action-submit").click()
    expect(dialog).to_be_hidden()


def choose(dialog, label):
    """An Element Plus radio (a styled label around a hidden input) picked as a user does."""
    dialog.locator("label.el-radio", has_text=label).click()


def textbox(page, label):
    """A text field by its visible label (a required one's name starts with Element's '*')."""
    return page.get_by_role("textbox", name=re.compile(rf"^\*?\s*{re.escape(label)}\s*$"))


def expect_status(page, status):
    expect(page.get_by_test_id("case-status")).to_have_attribute("data-status", status)


def open_case(page, case_id):
    page.goto(f"/staff/cases/{case_id}")
    expect(page.get_by_test_id("case-status")).to_be_visible()


def test_citizen_on_a_phone_to_the_rated_answer(county, browser):
    citizen = new_page(browser, county.url, **PHONE)
    citizen.goto("/")
    check_a11y(citizen, "citizen home (375 px)")
    citizen.get_by_role("link", name="Submit a case").last.click()
    citizen.wait_for_url("**/submit")
    check_a11y(citizen, "submit (375 px)")
    citizen.locator("label.el-radio", has_text="Complaint").click()
    citizen.get_by_label("Topic").select_option("environment")
    textbox(citizen, "Title").fill(COMPLAINT["title"])
    textbox(citizen, "Details").fill(COMPLAINT["content"])
    citizen.get_by_label("Name").fill("钱七")
    citizen.get_by_label("Mobile phone").fill("13900002222")
    citizen.get_by_label("Email").fill("qian7@example.com")
    citizen.locator("label.el-checkbox", has_text="published").click()
    citizen.get_by_role("button", name="Submit", exact=True).click()
    citizen.wait_for_url(re.compile(r"/receipt/"))
    case_id = citizen.get_by_test_id("receipt-tracking-number").inner_text().strip()
    code = citizen.get_by_test_id("receipt-access-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9-]+", case_id) and len(code) >= 8
    check_a11y(citizen, "receipt (375 px)")
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scroll
    wait_for(lambda: case_status(county, case_id, status="assigned"), timeout=30)

    handler = new_page(browser, county.url, **DESK)
    sign_in(handler, "env_handler")
    row = handler.locator(f"[data-testid=queue-row][data-case-id='{case_id}']").first
    expect(row).to_be_visible()
    check_a11y(handler, "queue (handler)")
    open_case(handler, case_id)
    check_a11y(handler, "case page (handler)")
    act(handler, "claim")
    expect_status(handler, "in_progress")

    def reply(dialog):
        dialog.get_by_label("Outcome").select_option("resolved")
        dialog.get_by_label("Handling opinion").fill("已责令化工厂停产整改，河道已清理。")
        check_a11y(handler, "action dialog (reply)")

    act(handler, "reply", reply)
    expect(handler.get_by_test_id("action-reply-sign")).to_have_count(0)  # the leader signs

    leader = new_page(browser, county.url, **DESK)
    sign_in(leader, "env_leader", f"/staff/cases/{case_id}")
    expect_status(leader, "in_progress")
    act(leader, "reply/sign")
    expect_status(leader, "replied")

    supervisor = new_page(browser, county.url, **DESK)
    sign_in(supervisor, "supervisor")
    check_a11y(supervisor, "queue (supervisor)")
    open_case(supervisor, case_id)
    act(supervisor, "review", lambda d: choose(d, "Approve"))
    expect_status(supervisor, "answered")

    citizen.goto("/track")
    check_a11y(citizen, "track (375 px)")
    citizen.get_by_label("Tracking number").fill(case_id)
    citizen.get_by_label("Access code").fill(code)
    citizen.get_by_role("button", name="Look up").click()
    expect(citizen.get_by_test_id("case-status")).to_have_attribute("data-status", "answered")
    expect(citizen.get_by_test_id("case-answer")).to_contain_text("停产整改")
    citizen.locator("label.el-radio", has_text=re.compile(r"^\s*Satisfied\s*$")).click()
    citizen.get_by_label("Comment (optional)").fill("处理及时")
    check_a11y(citizen, "track with the answer (375 px)")
    citizen.get_by_role("button", name="Send rating").click()
    expect(citizen.get_by_test_id("rating-done")).to_be_visible()
    wait_for(lambda: case_status(county, case_id, status="closed"))
    for page in (citizen, handler, leader, supervisor):
        assert page.errors == [], page.errors


def test_dispatcher_works_the_manual_queue(county, browser):
    api = county.api
    queued = api.post(
        "/cases",
        {
            "kind": "request",
            "topic": "other",
            "title": "路灯不亮",
            "content": "小区门口路灯坏了一个月。",
            "citizen": {"name": "孙八", "phone": "13900003333"},
        },
    ).json()["id"]
    wait_for(lambda: case_status(county, queued, **{"routing.queued": True}), timeout=30)
    returned = api.post(
        "/cases",
        {
            "kind": "complaint",
            "topic": "environment",
            **COMPLAINT,
            "citizen": {"name": "周九", "phone": "13900004444"},
        },
    ).json()["id"]
    wait_for(lambda: case_status(county, returned, status="assigned"), timeout=30)
    api.act(returned, "return", "env_handler", {"reason": "属于城关镇属地管理"})

    dispatcher = new_page(browser, county.url, **DESK)
    sign_in(dispatcher, "dispatcher")
    for case_id in (queued, returned):
        expect(
            dispatcher.locator(f"[data-testid=queue-row][data-case-id='{case_id}']").first
        ).to_be_visible()
    check_a11y(dispatcher, "queue (dispatcher)")

    open_case(dispatcher, queued)
    expect_status(dispatcher, "received")

    def assign(dialog):
        dialog.get_by_label("Lead unit").fill("environment_bureau")
        dialog.get_by_label("Other unit codes (comma-separated)").fill("chengguan_town")
        check_a11y(dispatcher, "action dialog (assign)")

    act(dispatcher, "assign", assign)
    expect_status(dispatcher, "assigned")
    stored = case_status(county, queued)["assignment"]
    assert (stored["lead_unit"], stored["co_units"]) == ("environment_bureau", ["chengguan_town"])

    open_case(dispatcher, returned)
    expect_status(dispatcher, "return_requested")

    def refuse(dialog):
        choose(dialog, "Refuse")
        dialog.get_by_label("Comment").fill("属于你单位职责，请继续办理")

    act(dispatcher, "return/decision", refuse)
    expect_status(dispatcher, "assigned")
    assert case_status(county, returned)["assignment"]["lead_unit"] == "environment_bureau"
    assert dispatcher.errors == []


def test_clerk_registers_a_call_and_answers_it_on_the_spot(county, browser):
    clerk = new_page(browser, county.url, **DESK)
    sign_in(clerk, "clerk", "/staff/register")
    check_a11y(clerk, "register a call (clerk)")
    clerk.get_by_label("Channel").select_option("hotline")
    clerk.get_by_label("Kind *").select_option("consultation")
    clerk.get_by_label("Topic").select_option("environment")
    clerk.get_by_label("Title *").fill("垃圾分类投放时间")
    clerk.get_by_label("Details *").fill("来电咨询小区垃圾分类的投放时间。")
    clerk.get_by_label("Mobile phone").fill("13900005555")
    clerk.get_by_label("Answer on the spot (直办)").check()
    clerk.get_by_label("Outcome").select_option("explained")
    clerk.get_by_label("Answer given *").fill("每天早7点至9点、晚6点至8点定时投放。")
    check_a11y(clerk, "register with the direct answer (clerk)")
    clerk.keyboard.press("Control+Enter")  # built for a call in progress: no mouse needed
    number = clerk.get_by_test_id("receipt-tracking-number")
    expect(number).to_be_visible()
    case_id = number.inner_text().strip()
    stored = wait_for(lambda: case_status(county, case_id))
    assert stored["status"] == "answered" and stored["channel"] == "hotline"
    assert stored["reply"]["opinion"].startswith("每天早7点")
    check_a11y(clerk, "registered (clerk)")
    assert clerk.errors == []


def test_a_second_console_sees_new_work_without_reloading(county, browser):
    watcher = new_page(browser, county.url, **DESK)
    sign_in(watcher, "dispatcher")
    expect(watcher.get_by_role("heading", name="My queue")).to_be_visible()
    watcher.wait_for_load_state("networkidle")
    navigations = []
    watcher.on("framenavigated", lambda frame: navigations.append(frame.url))

    other = new_page(browser, county.url, **PHONE)
    other.goto("/submit")
    other.locator("label.el-radio", has_text="Request for help").click()
    other.get_by_label("Topic").select_option("other")  # no rule fits: the manual queue
    textbox(other, "Title").fill("公交站台顶棚破损")
    textbox(other, "Details").fill("站台顶棚破了个大洞，下雨天无法候车。")
    other.get_by_label("Mobile phone").fill("13900006666")
    other.get_by_role("button", name="Submit", exact=True).click()
    other.wait_for_url(re.compile(r"/receipt/"))
    case_id = other.get_by_test_id("receipt-tracking-number").inner_text().strip()

    row = watcher.locator(f"[data-testid=queue-row][data-case-id='{case_id}']")
    expect(row.first).to_be_visible(timeout=30_000)
    assert navigations == [], f"the queue page reloaded: {navigations}"
    assert watcher.errors == []


def test_the_other_screens_pass_axe_and_a_view_is_saved(county, browser):
    """The screens the walks above do not pass through, in both languages, and a saved
    filter made on the case list coming back from the server."""
    home = new_page(browser, county.url, lang="zh-CN", **PHONE)
    home.goto("/")
    expect(home.get_by_test_id("lang-switch")).to_be_visible()
    check_a11y(home, "citizen home, zh-CN (375 px)")
    for path, screen in (
        ("/board", "public board"),
        ("/track", "track form"),
        ("/staff/login", "sign-in"),
    ):
        home.goto(path)
        check_a11y(home, f"{screen}, zh-CN (375 px)")

    supervisor = new_page(browser, county.url, **DESK)
    sign_in(supervisor, "supervisor", "/staff/cases?status=assigned,in_progress&sort=due_at")
    expect(supervisor.get_by_role("heading", name="Cases", exact=True)).to_be_visible()
    check_a11y(supervisor, "case list (supervisor)")
    supervisor.get_by_label("Name").fill("在办件")
    supervisor.get_by_role("button", name="Save these filters").click()
    expect(supervisor.get_by_role("button", name="在办件", exact=True)).to_be_visible()
    saved = county.api.get("/me/filters", "supervisor").json()["items"]
    assert [(f["name"], "status=" in f["query"]) for f in saved] == [("在办件", True)]
    supervisor.goto("/staff/inbox")
    expect(supervisor.get_by_role("heading", name="Inbox")).to_be_visible()
    check_a11y(supervisor, "inbox (supervisor)")
    leader = new_page(browser, county.url, **DESK)
    sign_in(leader, "leader_li")
    check_a11y(leader, "queue (county leader)")
    for page in (home, supervisor, leader):
        assert page.errors == [], page.errors
