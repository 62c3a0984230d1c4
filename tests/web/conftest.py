"""The browser walks: Debian's chromium driven by Playwright through the built web console,
which the gateway of a real system serves (services and gateway as processes, on a vhost and
a database of the test module's own: `county` of tests/e2e). Every screen a walk visits is
checked with axe-core; a serious or critical violation fails the walk.

They run in a pytest process of their own, without eventlet's monkey patches (tests/conftest.py
leaves them out when only tests/web is asked for; `./lx test` runs them so).
"""

import os
import shutil

import eventlet.patcher
import pytest

from lianxin import settings
from tests.e2e.conftest import county  # noqa: F401  (the running system)

from .browser import A11Y_REPORT, CHROMIUM_ARGS


def pytest_collection_modifyitems(config, items):
    if not eventlet.patcher.is_monkey_patched("socket"):
        return
    skip = pytest.mark.skip(
        reason="browser walks need a pytest run without eventlet: ./lx test tests/web"
    )
    for item in items:
        if "tests/web/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium")
    if not chromium:
        pytest.fail("Debian's chromium is needed: apt-get install chromium (./lx test does it)")
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def built_console():
    if not os.path.isfile(os.path.join(settings.WEB_DIST, "index.html")):
        pytest.fail(
            f"the web console is not built in {settings.WEB_DIST}: "
            "cd web && npm ci && npm run build (./lx test does it)"
        )


def pytest_terminal_summary(terminalreporter):
    if A11Y_REPORT:
        terminalreporter.section("axe-core findings (none serious or critical passes)")
        for screen, rule, impact, nodes in A11Y_REPORT:
            terminalreporter.write_line(f"{screen}: {rule} ({impact}) ×{nodes}")
