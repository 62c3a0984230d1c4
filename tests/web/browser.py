"""What the browser walks share: the browser's flags, page sizes, signing in, the axe-core
check every screen gets, and the screenshots a walk saves when LX_SCREENSHOT_DIR is set."""

import json
import os
from urllib.parse import quote

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import expect

# Debian's chromium as root in a container: no sandbox, no GPU, no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESK = {"viewport": {"width": 1366, "height": 900}}
SHOT_DESK, SHOT_PHONE = 1280, 375  # the README's widths (bench/screenshots.py's too)
SHOT_LANG = "zh-CN"  # the console's default language, the README's screenshots'
PASSWORD = "demo-pass-1"  # every demo account's (config/demo_county.yaml)
BLOCKING = ("serious", "critical")
A11Y_REPORT = []  # (screen, violation id, impact, nodes) of every screen checked this run


def new_page(browser, base_url, lang="en", **context_args):
    """A page of a fresh browser (own storage), the UI in `lang`, failing on console errors."""
    context = browser.new_context(
        base_url=base_url, locale="en-US" if lang == "en" else "zh-CN", **context_args
    )
    context.add_init_script(f"localStorage.setItem('lx.lang', {json.dumps(lang)})")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def sign_in(page, username, next_path="/staff"):
    page.goto(f"/staff/login?next={quote(next_path, safe='/')}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/staff/login" not in url)


def check_a11y(page, screen):
    """axe-core on the page as it is: print every violation, fail on serious or critical."""
    page.wait_for_load_state("networkidle")
    # a dialog still fading in has text at part opacity: axe reads the page once it is still
    # (a spinner's endless animation is not waited for); polled from here, because the
    # console's CSP forbids the eval that wait_for_function needs
    moving = (
        "document.getAnimations().some(a => a.playState === 'running'"
        " && !(a.effect && a.effect.getTiming().iterations === Infinity))"
    )
    for _ in range(100):
        if not page.evaluate(moving):
            break
        page.wait_for_timeout(100)
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    blocking = []
    for v in result["violations"]:
        targets = [" ".join(n["target"]) for n in v["nodes"][:3]]
        A11Y_REPORT.append((screen, v["id"], v["impact"], len(v["nodes"])))
        print(f"axe {screen}: {v['id']} ({v['impact']}) ×{len(v['nodes'])} {targets}")
        if v["impact"] in BLOCKING:
            blocking.append(f"{v['id']} ({v['impact']}): {v['help']} at {targets}")
    assert not blocking, f"{screen}: " + "; ".join(blocking)


def small(path, colours=128):
    """Keep a screenshot small: screens have few colours, 128 look the same as all of them."""
    from PIL import Image  # only where screenshots are taken

    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colours, method=Image.Quantize.MEDIANCUT)
    reduced.save(path, optimize=True)


def shot(page, name, full_page=True, widths=()):
    """With LX_SCREENSHOT_DIR set, save the page as it is now in zh-CN, one CSS pixel a pixel,
    reduced to 128 colours: as `name` (a file name) at the page's own width, or, given
    `widths`, once per width, the phone's named `<name>-375.png`. The language switch is
    clicked there and back and the viewport restored after, so the walk goes on with the page
    as it was (its forms filled)."""
    folder = os.environ.get("LX_SCREENSHOT_DIR")
    if not folder:
        return
    html = page.locator("html")
    lang = html.get_attribute("lang")
    switch = page.get_by_test_id("lang-switch").first
    if lang != SHOT_LANG:
        switch.dispatch_event("click")  # not click(): an open dialog's overlay covers it
        expect(html).to_have_attribute("lang", SHOT_LANG)
    size = page.viewport_size
    stem = name.removesuffix(".png")
    try:
        for width in widths or (None,):
            if width:
                page.set_viewport_size({"width": width, "height": size["height"]})
            page.wait_for_timeout(300)  # layout and transitions settle
            suffix = f"-{width}" if width and width < SHOT_DESK else ""
            path = os.path.join(folder, f"{stem}{suffix}.png")
            page.screenshot(path=path, full_page=full_page, scale="css")
            small(path)
    finally:
        page.set_viewport_size(size)
        if lang != SHOT_LANG:
            switch.dispatch_event("click")
            expect(html).to_have_attribute("lang", lang)
