"""Walks through asking the public (issue 18), in Debian's chromium against the real system:
a citizen on a phone reads a draft and comments on an article, then answers a survey; the
clerk moderates, decides and reads the survey's results at the desk; the builder and the
consultation list are checked too. axe-core checks every screen on the way; with
LX_SCREENSHOT_DIR set, the main ones are saved there (docs/screenshots/)."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from lianxin.clock import exact_utcnow, isoformat
from tests.helpers import wait_for

from .browser import DESK, PHONE, SHOT_DESK, SHOT_PHONE, check_a11y, new_page, shot, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """The system these walks need, lighter than the whole county: intake (cases), accounts
    (sign-in), reading, notify and consult, and the gateway serving the console."""
    import os
    import uuid

    from lianxin import demo, store
    from tests.conftest import MONGO_URI, Mailbox, _rabbitmqctl
    from tests.e2e.conftest import Api, System

    name = f"lianxin_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _rabbitmqctl("add_vhost", name)
    _rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    db_name = f"m_{uuid.uuid4().hex[:10]}"
    db = store.database(MONGO_URI, db_name)
    demo.load(db)
    box = Mailbox()
    box.controller.start()
    system = System(
        tmp_path_factory.mktemp("consult"),
        f"amqp://guest:guest@127.0.0.1:5672/{name}",
        db_name,
        box.port,
    )
    # started as System.start does, waited for longer: on this shared machine a service can
    # take more than its 30 s to answer its first ping
    import sys

    from tests.helpers import wait_for

    needed = ("intake", "accounts", "reading", "notify", "consult")  # accounts: signing in
    for service in needed:
        system._spawn(service, [sys.executable, "-m", "lianxin.runner", service])
    for service in needed:
        wait_for(lambda: system._pings(service), timeout=180, interval=0.5)  # noqa: B023
    system.start_gateway()
    system.db, system.mailbox, system.api = db, box, Api(system.url)
    yield system
    system.stop_all()
    box.controller.stop()
    store.client(MONGO_URI).drop_database(db_name)
    _rabbitmqctl("delete_vhost", name)


DRAFT = "第一条 为了推进垃圾分类，制定本办法。\n第二条 本办法适用于城区。"


def _period():
    now = exact_utcnow()
    return isoformat(now - timedelta(minutes=5)), isoformat(now + timedelta(days=3))


def test_a_citizen_comments_and_the_clerk_moderates_and_decides(county, browser):
    opens, closes = _period()
    api = county.api
    c = api.post(
        "/consultations",
        {
            "title": "垃圾分类管理办法",
            "text": DRAFT,
            "unit": "environment_bureau",
            "opens_at": opens,
            "closes_at": closes,
        },
        "clerk",
    ).json()
    api.post(f"/consultations/{c['id']}/publish", None, "clerk")

    citizen = new_page(browser, county.url, **PHONE)
    citizen.goto("/consult")
    check_a11y(citizen, "consultations (375 px)")
    citizen.get_by_role("link", name="垃圾分类管理办法").click()
    citizen.wait_for_url(f"**/consult/{c['id']}")
    expect(citizen.get_by_text("本办法适用于城区").first).to_be_visible()
    check_a11y(citizen, "consultation (375 px)")
    citizen.get_by_label("On section").select_option(c["sections"][1]["id"])
    citizen.get_by_role("textbox", name="Your comment").fill("建议城区增设夜间投放点。")
    citizen.get_by_label("Name").fill("孙八")
    citizen.get_by_label("E-mail").fill("sun8@example.com")
    citizen.get_by_role("button", name="Send comment").click()
    expect(citizen.get_by_role("status")).to_contain_text("Received")
    expect(citizen.get_by_text("建议城区增设夜间投放点。")).to_be_visible()
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 375
    shot(citizen, "consultation", widths=(SHOT_DESK, SHOT_PHONE))
    comment = wait_for(lambda: county.db.consult_comments.find_one({"consultation_id": c["id"]}))

    clerk = new_page(browser, county.url, **DESK)
    sign_in(clerk, "clerk", "/staff/consult")
    check_a11y(clerk, "staff consultations")
    clerk.get_by_role("link", name="垃圾分类管理办法").click()
    clerk.wait_for_url(f"**/staff/consult/{c['id']}")
    expect(clerk.get_by_text("建议城区增设夜间投放点。")).to_be_visible()
    check_a11y(clerk, "staff consultation")
    shot(clerk, "consultation-staff", widths=(SHOT_DESK,))
    clerk.get_by_label(comment["_id"]).check()
    clerk.locator("#sc-bulk").select_option("held")
    clerk.locator("#sc-reason").fill("核实中")
    clerk.get_by_role("button", name="OK").click()
    wait_for(lambda: county.db.consult_comments.find_one({"_id": comment["_id"], "status": "held"}))
    clerk.locator(f"#d-{comment['_id']}").select_option("partly_adopted")
    clerk.locator(f"#dr-{comment['_id']}").fill("夜间投放点将试点设置")
    clerk.get_by_role("button", name="Decide").click()
    wait_for(
        lambda: (county.db.consult_comments.find_one({"_id": comment["_id"]}) or {}).get("decision")
    )
    assert not citizen.errors and not clerk.errors


def test_a_citizen_answers_a_survey_and_the_clerk_reads_the_results(county, browser):
    opens, closes = _period()
    questions = [
        {
            "id": "q1",
            "kind": "single",
            "text": "您所在的乡镇",
            "options": ["城关镇", "东坝镇"],
            "required": True,
        },
        {"id": "q2", "kind": "scale", "text": "对政务服务的评价", "scale": "1-5", "required": True},
        {
            "id": "q3",
            "kind": "matrix",
            "text": "各项服务",
            "rows": ["窗口", "热线"],
            "options": ["满意", "不满意"],
        },
        {"id": "q4", "kind": "long_text", "text": "您的建议"},
    ]
    s = county.api.post(
        "/surveys",
        {"title": "政务服务调查", "questions": questions, "opens_at": opens, "closes_at": closes},
        "clerk",
    ).json()
    county.api.post(f"/surveys/{s['id']}/publish", None, "clerk")

    citizen = new_page(browser, county.url, **PHONE)
    citizen.goto(f"/surveys/{s['id']}")
    expect(citizen.get_by_role("heading", name="政务服务调查")).to_be_visible()
    check_a11y(citizen, "survey (375 px)")
    citizen.get_by_role("button", name="Send answers").click()
    expect(citizen.get_by_role("alert")).to_contain_text("required")
    citizen.get_by_label("东坝镇").check()
    citizen.get_by_label("4", exact=True).check()
    citizen.get_by_label("热线: 满意").check()
    citizen.get_by_role("textbox", name="您的建议").fill("希望延长窗口时间")
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 375
    shot(citizen, "survey", widths=(SHOT_DESK, SHOT_PHONE))
    citizen.get_by_role("button", name="Send answers").click()
    expect(citizen.get_by_role("status")).to_contain_text("Thank you")
    wait_for(lambda: county.db.survey_answers.find_one({"survey_id": s["id"]}))

    clerk = new_page(browser, county.url, **DESK)
    sign_in(clerk, "clerk", f"/staff/surveys/{s['id']}")
    expect(clerk.get_by_text("1 answers")).to_be_visible()
    expect(clerk.get_by_text("希望延长窗口时间")).to_be_visible()
    check_a11y(clerk, "survey results")
    shot(clerk, "survey-results", widths=(SHOT_DESK,))
    clerk.goto("/staff/surveys")
    expect(clerk.get_by_role("button", name="Add a question")).to_be_visible()
    check_a11y(clerk, "survey builder")
    assert not citizen.errors and not clerk.errors
