"""Screenshots of the web console's main screens, for the README (docs/screenshots/*.png).

    .venv/bin/python -m bench.screenshots [URL]      # default http://127.0.0.1:8000
    .venv/bin/python -m bench.screenshots URL --part2  # only the dashboard and admin screens

Runs against a running system (`./lx run`) with the demo county: files a case as a citizen
on a phone, takes it through the unit, its leader and the supervisor over the API, and
photographs each screen on the way in Debian's chromium, in the console's default language
(zh-CN). It adds a few demo cases to that system.
"""

import os
import shutil
import sys
import time

import requests
from playwright.sync_api import sync_playwright

from tests.web.browser import CHROMIUM_ARGS, SHOT_DESK, SHOT_PHONE, small

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "docs", "screenshots")
PASSWORD = "demo-pass-1"
PHONE = {
    "viewport": {"width": SHOT_PHONE, "height": 812},
    "is_mobile": True,
    "device_scale_factor": 1,
}
DESK = {"viewport": {"width": SHOT_DESK, "height": 800}}
CASE = {
    "kind": "complaint",
    "topic": "environment",
    "title": "河边化工厂夜间排污",
    "content": "清水河边的化工厂每天夜里向河里排放污水，气味刺鼻，鱼都死了。",
    "citizen": {"name": "钱七", "phone": "13900002222"},
    "public_consent": True,
}


class Api:
    def __init__(self, url):
        self.url, self.tokens = f"{url}/api/v1", {}

    def token(self, user):
        if user not in self.tokens:
            r = requests.post(
                f"{self.url}/auth/token", json={"username": user, "password": PASSWORD}, timeout=30
            )
            r.raise_for_status()
            self.tokens[user] = r.json()["access_token"]
        return self.tokens[user]

    def post(self, path, body, user=None):
        headers = {"Authorization": f"Bearer {self.token(user)}"} if user else {}
        r = requests.post(f"{self.url}{path}", json=body, headers=headers, timeout=30)
        r.raise_for_status()
        return r.json()

    def status(self, case_id, user="supervisor"):
        r = requests.get(
            f"{self.url}/cases/{case_id}",
            headers={"Authorization": f"Bearer {self.token(user)}"},
            timeout=30,
        )
        return r.json().get("status") if r.ok else None

    def wait(self, case_id, status, timeout=30):
        deadline = time.time() + timeout
        while self.status(case_id) != status:
            if time.time() > deadline:
                raise SystemExit(f"{case_id} did not become {status}")
            time.sleep(0.5)


def shot(page, name, full_page=False, out=None, element=None):
    """`element`: a locator to photograph alone instead of the page."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # transitions settle
    path = os.path.join(out or OUT, f"{name}.png")
    (element or page).screenshot(path=path, **({} if element else {"full_page": full_page}))
    small(path)
    print(f"  {os.path.relpath(path, ROOT)}")


def staff_page(browser, url, user, path):
    context = browser.new_context(base_url=url, locale="zh-CN", **DESK)
    page = context.new_page()
    page.goto(f"/staff/login?next={path}")
    page.locator("input[name=username]").fill(user)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url(lambda u: "/staff/login" not in u)
    return page


def part2(browser, url, api):
    """The leader's dashboard and the admin's screens (issue 16), at 1280 px and 375 px."""
    for i, topic in enumerate(("housing", "housing", "environment", "transport")):
        body = {**CASE, "topic": topic, "title": f"{CASE['title']}（{i + 1}）"}
        body["citizen"] = {"name": "钱七", "phone": f"138{int(time.time() * 10 + i) % 10**8:08d}"}
        r = requests.post(f"{api.url}/cases", json=body, timeout=30)
        r.raise_for_status()
    time.sleep(3)  # routed
    for size, suffix in ((DESK, ""), (PHONE, "-375")):
        context = browser.new_context(base_url=url, locale="zh-CN", **size)
        page = context.new_page()
        page.goto("/staff/login?next=/staff/dashboard")
        page.locator("input[name=username]").fill("leader_li")
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("button[type=submit]").click()
        page.wait_for_url("**/staff/dashboard**")
        page.get_by_test_id("chart-unit").locator("svg").wait_for()
        shot(page, f"dashboard{suffix}", full_page=True)
        context.close()
    admin_screens(browser, url)


def admin_screens(browser, url, out=None):
    """The admin's screens in zh-CN: routing rules with a dry-run and a new rule's form (1280 and
    375 px), a template error at its line, an API key shown once, the admin log. Also called by
    the admin walk (tests/web/test_dashboard_admin.py) when LX_SCREENSHOT_DIR is set."""
    for size, suffix in ((DESK, ""), (PHONE, "-375")):
        context = browser.new_context(base_url=url, locale="zh-CN", **size)
        context.add_init_script("localStorage.setItem('lx.lang', 'zh-CN')")
        page = context.new_page()
        page.goto("/staff/login?next=/staff/admin/routing-rules")
        page.locator("input[name=username]").fill("admin")
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("button[type=submit]").click()
        page.wait_for_url("**/staff/admin/routing-rules")
        page.get_by_test_id("item-topic_department").wait_for()
        page.locator("#dry-topic").select_option("housing")
        page.get_by_test_id("dry-run").click()
        page.get_by_test_id("dry-result").wait_for()
        shot(page, f"admin-routing-rules{suffix}", full_page=True, out=out)
        page.get_by_test_id("admin-new").click()
        form = page.get_by_test_id("form-routing-rules")
        form.locator("#af-id").fill("bus_stops")
        form.locator("#af-name").fill("公交站牌问题由交通运输局办理")
        form.locator("#af-order").fill("45")
        form.get_by_test_id("af-match-add").click()
        form.locator("#af-match-k0").select_option("topic")
        form.get_by_test_id("match-topic").locator("label", has_text="交通").locator(
            "input"
        ).check()
        form.get_by_test_id("af-match-add").click()
        form.locator("#af-match-k1").select_option("keywords")
        form.locator("#af-match-w1").fill("站牌")
        form.locator("#af-match-w1").press("Enter")
        form.locator("#af-lead_unit").select_option("@topic_unit")
        form.locator("#af-co_units").locator("label", has_text="城关镇").locator("input").check()
        shot(page, f"admin-rule-form{suffix}", full_page=True, out=out)
        if suffix:
            context.close()
            continue
        page.goto("/staff/admin/templates")
        page.get_by_test_id("edit-answer:zh-CN").click()
        page.locator("#af-body").fill(
            "您的诉求 {{ case_id }}\n已由 {{ unit_name }} 办理\n{% if opinion %}{{ opinion }}"
        )
        page.get_by_test_id("template-preview").click()
        page.get_by_test_id("template-errors").wait_for()
        # the form alone: the list of every template and language above it is long
        edit = page.locator("section[aria-labelledby=a-edit]")
        shot(page, "admin-template-error", out=out, element=edit)
        page.goto("/staff/admin/api-keys")
        page.get_by_test_id("admin-new").click()
        page.locator("#af-id").fill(f"app-{int(time.time())}")
        page.locator("#af-name").fill("随手拍")
        page.get_by_test_id("admin-save").click()
        page.get_by_test_id("issued-key").wait_for()
        shot(page, "admin-api-key-issued", out=out)
        page.goto("/staff/admin/log")
        page.locator("tbody tr").first.wait_for()
        shot(page, "admin-log", out=out)
        context.close()


def main():
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    os.makedirs(OUT, exist_ok=True)
    api = Api(url)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        if "--part2" in sys.argv:
            part2(browser, url, api)
            browser.close()
            return
        phone = browser.new_context(base_url=url, locale="zh-CN", **PHONE).new_page()
        phone.goto("/")
        shot(phone, "citizen-home")
        phone.goto("/submit")
        phone.locator("label.el-radio", has_text="投诉").click()
        phone.locator("#f-topic").select_option("environment")
        phone.get_by_role("textbox").nth(0).fill(CASE["title"])
        phone.get_by_role("textbox").nth(1).fill(CASE["content"])
        # a new citizen each run: the same complaint from the same phone would be merged
        phone.locator("input[type=tel]").fill(f"139{int(time.time()) % 10**8:08d}")
        phone.locator("label.el-checkbox").last.click()  # consent to publication
        shot(phone, "citizen-submit", full_page=True)
        phone.locator("button[type=submit]").click()
        phone.wait_for_url("**/receipt/**")
        shot(phone, "citizen-receipt")
        case_id = phone.get_by_test_id("receipt-tracking-number").inner_text().strip()
        code = phone.get_by_test_id("receipt-access-code").inner_text().strip()

        api.wait(case_id, "assigned")
        handler = staff_page(browser, url, "env_handler", "/staff")
        shot(handler, "staff-queue")
        api.post(f"/cases/{case_id}/claim", {}, "env_handler")
        handler.goto(f"/staff/cases/{case_id}")
        shot(handler, "staff-case", full_page=True)
        handler.get_by_test_id("action-reply").click()
        handler.get_by_role("dialog").locator("select").select_option("resolved")
        handler.get_by_role("dialog").locator("textarea").fill("已责令化工厂停产整改，河道已清理。")
        shot(handler, "staff-action-reply")
        handler.get_by_test_id("action-submit").click()
        api.post(f"/cases/{case_id}/reply/sign", {}, "env_leader")
        api.post(f"/cases/{case_id}/review", {"approve": True}, "supervisor")

        phone.goto("/track")
        phone.get_by_role("textbox").nth(0).fill(case_id)
        phone.get_by_role("textbox").nth(1).fill(code)
        phone.locator("button[type=submit]").first.click()
        phone.get_by_test_id("case-answer").wait_for()
        shot(phone, "citizen-track-answer", full_page=True)
        phone.goto("/board")
        shot(phone, "citizen-board")

        supervisor = staff_page(browser, url, "supervisor", "/staff/cases?sort=due_at")
        supervisor.locator("[data-testid=queue-row]").first.wait_for()
        shot(supervisor, "staff-case-list")
        dispatcher = staff_page(browser, url, "dispatcher", "/staff")
        shot(dispatcher, "staff-dispatcher-queue")
        clerk = staff_page(browser, url, "clerk", "/staff/register")
        shot(clerk, "staff-register")
        clerk.goto("/staff/inbox")
        shot(clerk, "staff-inbox")
        part2(browser, url, api)
        browser.close()


if __name__ == "__main__":
    main()
