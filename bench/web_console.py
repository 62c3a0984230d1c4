"""Benchmark: the web console on the running system (not a test; prints figures).

    .venv/bin/python -m bench.web_console [N] [CONSOLES] [SECONDS]   # defaults 10000 200 60

Starts the system as `./lx run` does (devmail, the four services, the gateway under gunicorn with
the Procfile's workers) on a vhost of its own and a fresh database of the store at LX_MONGO_URI (the
tests' FerretDB, 127.0.0.1:27018, by default), with the demo county and N generated cases
(tests/county_generator.py). Then, in Debian's chromium: 1. the first load of the citizen pages
(`/`, `/submit`) in a fresh browser: the JavaScript transferred (gzipped, as the gateway sends it) —
the target is at most 250 KB; 2. the time from opening `/staff/cases` until 50 rows are shown,
signed in as a supervisor (who sees every case), and the list API call alone; 3. CONSOLES consoles
waiting for new work — threads that poll what the app polls (the feed's end found as
web/src/lib/feed.ts finds it, then `GET /api/v1/events?after=…` every POLL seconds, `GET
/api/v1/inbox?unread=true&limit=1` every 8th poll or when events came, as web/src/stores/live.ts
does) — for SECONDS: the gateway's memory (RSS of the gunicorn master and workers), request latency
and errors, while one new case is submitted every 5 s and the time until the first poller sees it is
measured. The gateway's RPC timeout is raised to 120 s (LX_RPC_TIMEOUT) so that a slow list is
timed, not cut off at the default 10 s. Build the console first (`./lx run` or `cd web && npm ci &&
npm run build`). Drops the database and the vhost at the end."""

import gzip
import os
import shutil
import statistics
import sys
import threading
import time
import uuid
from collections import Counter

import requests

from bench.system import rss_kb, running, tree
from lianxin import demo, settings, store
from lianxin.clock import utcnow
from tests.county_generator import generate
from tests.web.browser import CHROMIUM_ARGS

POLL = 4.0  # web/src/stores/live.ts POLL_MS
INBOX_EVERY = 8  # and its INBOX_EVERY: the unread count every 8th poll, or when events came
USERS = [
    "dispatcher",
    "supervisor",
    "clerk",
    "env_handler",
    "env_leader",
    "cg_handler",
    "housing_handler",
    "leader_li",
]
PASSWORD = "demo-pass-1"


def gateway_rss_mb(pid):
    return sum(rss_kb(p) for p in tree(pid)) / 1024


def tokens(url):
    out = {}
    for user in USERS:
        r = requests.post(
            f"{url}/api/v1/auth/token", json={"username": user, "password": PASSWORD}, timeout=30
        )
        r.raise_for_status()
        out[user] = r.json()["access_token"]
    return out


def first_load(browser, url, path):
    """JavaScript and everything else a fresh browser downloads to show `path`."""
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    page = context.new_page()
    seen = []
    page.on("requestfinished", lambda request: seen.append(request))
    t = time.perf_counter()
    page.goto(f"{url}{path}", wait_until="networkidle")
    elapsed = time.perf_counter() - t
    js = other = 0
    for request in seen:
        size = request.sizes()["responseBodySize"]  # bytes on the wire (gzipped)
        if request.resource_type == "script":
            js += size
        else:
            other += size
    context.close()
    return js, other, elapsed, [r.url for r in seen if r.resource_type == "script"]


def gzipped_size(url):
    r = requests.get(url, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=30)
    raw = r.raw.read()
    return (
        len(raw),
        r.headers.get("Content-Encoding"),
        len(gzip.decompress(raw)) if r.headers.get("Content-Encoding") == "gzip" else len(raw),
    )


def staff_list(browser, url, token):
    """Seconds from opening the case list until 50 rows are shown (a signed-in supervisor)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.add_init_script(f"sessionStorage.setItem('lx.token', {token!r})")
    page = context.new_page()
    page.goto(f"{url}/staff/login")  # load the app once: the list is then what is timed
    page.wait_for_load_state("networkidle")
    times = []
    for _ in range(3):
        t = time.perf_counter()
        page.goto(f"{url}/staff/cases?limit=50")
        page.locator("[data-testid=queue-row]").nth(49).wait_for(timeout=120_000)
        times.append(time.perf_counter() - t)
    context.close()
    return times


class Poller(threading.Thread):
    """One console waiting for new work: the feed and the unread count, every POLL seconds."""

    def __init__(self, url, token, stop, stats, start_delay):
        super().__init__(daemon=True)
        self.url, self.stop, self.stats, self.delay = url, stop, stats, start_delay
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.cursor, self.polls = None, 0

    def get(self, path, **params):
        t = time.perf_counter()
        try:
            r = self.session.get(f"{self.url}/api/v1{path}", params=params, timeout=30)
            ok, kind = r.status_code == 200, f"{path} {r.status_code}"
        except requests.RequestException as exc:
            r, ok, kind = None, False, f"{path} {type(exc).__name__}"
        self.stats["latency"].append(time.perf_counter() - t)
        if not ok:
            self.stats["errors"][kind] += 1
        return r.json() if ok else None

    def beyond(self, n):
        """Whether the feed has anything after event n (web/src/stores/live.ts `beyond`)."""
        page = self.get("/events", after=str(n), limit=1)
        if page is None:
            raise requests.RequestException("the feed did not answer")
        return int(page["next_cursor"]) > n

    def find_end(self):
        """Where the feed ends, as web/src/lib/feed.ts `findEnd` finds it: doubling, then
        halving, one-event calls; None when the feed did not answer (tried at the next poll)."""
        try:
            if not self.beyond(0):
                return "0"
            lo, hi = 0, 1
            while self.beyond(hi):
                lo, hi = hi, hi * 2
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if self.beyond(mid) else (lo, mid)
            return str(hi)
        except requests.RequestException:
            return None

    def run(self):
        time.sleep(self.delay)
        while not self.stop.is_set():
            began = time.perf_counter()
            if self.cursor is None:  # the app starts at the end of the feed
                self.cursor = self.find_end()
            arrived = False
            if self.cursor is not None and self.polls:
                page = self.get("/events", after=self.cursor, limit=500)
                if page:
                    for event in page["items"]:
                        if event.get("type") == "case.received":
                            self.stats["seen"].setdefault(event.get("case_id"), []).append(
                                time.time()
                            )
                    arrived = bool(page["items"])
                    self.cursor = page["next_cursor"] or self.cursor
            if arrived or self.polls % INBOX_EVERY == 0:
                self.get("/inbox", unread="true", limit=1)
            self.polls += 1
            self.stop.wait(max(0.0, POLL - (time.perf_counter() - began)))


def consoles(url, gateway_pid, toks, n, seconds):
    stop, stats = threading.Event(), {"latency": [], "errors": Counter(), "seen": {}}
    before = gateway_rss_mb(gateway_pid)
    pollers = [
        Poller(url, toks[USERS[i % len(USERS)]], stop, stats, POLL * i / n) for i in range(n)
    ]
    for p in pollers:
        p.start()
    peak, submitted = before, {}
    t0 = time.time()
    next_case = t0 + POLL * 2
    while time.time() - t0 < seconds:
        peak = max(peak, gateway_rss_mb(gateway_pid))
        if time.time() >= next_case:
            r = requests.post(
                f"{url}/api/v1/cases",
                json={
                    "kind": "request",
                    "topic": "other",
                    "title": "新的诉求",
                    "content": "基准测试提交的诉求",
                    "citizen": {"phone": "13900009999"},
                },
                timeout=30,
            )
            if r.status_code == 201:
                submitted[r.json()["id"]] = time.time()
            next_case = time.time() + 5
        time.sleep(0.5)
    time.sleep(POLL)  # the last case has a chance to be seen
    stop.set()
    for p in pollers:
        p.join(timeout=35)
    lat = sorted(stats["latency"])
    # how long after it was filed each console showed a new case (every console sees it)
    seen = [t - at for c, at in submitted.items() for t in stats["seen"].get(c, [])]
    first = [min(stats["seen"][c]) - at for c, at in submitted.items() if c in stats["seen"]]
    return {
        "rss_before": before,
        "rss_peak": peak,
        "requests": len(lat),
        "rate": len(lat) / seconds,
        "errors": sum(stats["errors"].values()),
        "error_kinds": ", ".join(f"{k} ×{n}" for k, n in stats["errors"].most_common()),
        "p50": lat[len(lat) // 2] * 1000 if lat else 0,
        "p95": lat[int(len(lat) * 0.95)] * 1000 if lat else 0,
        "submitted": len(submitted),
        "seen_cases": len(first),
        "sightings": len(seen),
        "first_median": statistics.median(first) if first else None,
        "seen_median": statistics.median(seen) if seen else None,
        "seen_max": max(seen) if seen else None,
    }


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    n_consoles = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 60
    if not os.path.isfile(os.path.join(settings.WEB_DIST, "index.html")):
        raise SystemExit(f"build the console first: no {settings.WEB_DIST}/index.html")

    uri = os.environ.get("LX_MONGO_URI", "mongodb://127.0.0.1:27018/")
    db_name = f"bench_{uuid.uuid4().hex[:8]}"
    db = store.database(uri, db_name)
    demo.load(db)
    cases, _ = generate(n, utcnow())
    t = time.perf_counter()
    for i in range(0, n, 5000):
        db.cases.insert_many(cases[i : i + 5000])
    print(f"loaded {n} generated cases in {time.perf_counter() - t:.1f} s (database {db_name})")
    # a list may be slow on the local store (docs/platform.md §4): measure it, however long
    # it takes
    timeout = os.environ.get("LX_RPC_TIMEOUT", "120")
    try:
        with running(uri, db_name, LX_RPC_TIMEOUT=timeout) as lx:
            measure(lx, n, n_consoles, seconds)
    finally:
        store.client(uri).drop_database(db_name)


def measure(lx, n, n_consoles, seconds):
    """The console's first load and staff list, then `n_consoles` consoles polling."""
    url = lx.url
    toks = tokens(url)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        print("first load of the citizen pages (fresh browser, 375 px):")
        for path in ("/", "/submit"):
            js, other, elapsed, scripts = first_load(browser, url, path)
            print(
                f"  {path:<8} JavaScript {js / 1024:6.1f} KB gzipped in {len(scripts)} "
                f"files (target <= 250 KB), other {other / 1024:5.1f} KB, "
                f"network idle after {elapsed:.2f} s"
            )
        wire, plain, packed = 0, 0, 0
        for script in scripts:
            w, encoding, p_ = gzipped_size(script)
            wire, plain, packed = wire + w, plain + p_, packed + (encoding == "gzip")
        print(
            f"  (/submit's scripts fetched again: {wire / 1024:.1f} KB as sent, "
            f"{packed} of {len(scripts)} gzipped (the rest under 1 KB), "
            f"{plain / 1024:.1f} KB unpacked)"
        )

        t = time.perf_counter()
        r = requests.get(
            f"{url}/api/v1/cases",
            params={"limit": 50},
            headers={"Authorization": f"Bearer {toks['supervisor']}"},
            timeout=120,
        )
        api_time = time.perf_counter() - t
        if r.status_code != 200 or len(r.json()["items"]) != 50:
            raise SystemExit(f"the list did not answer 50 rows: {r.status_code} {r.text[:200]}")
        times = staff_list(browser, url, toks["supervisor"])
        print(f"staff list of 50 rows with {n} cases in the store (supervisor):")
        print(f"  GET /api/v1/cases?limit=50 alone   {api_time:6.2f} s")
        print(
            f"  shown in the console (3 loads)     "
            f"{', '.join(f'{x:.2f}' for x in times)} s, median "
            f"{statistics.median(times):.2f} s"
        )
        browser.close()

    pid = lx.procs.procs["gateway"].pid
    print(
        f"{n_consoles} consoles waiting for new work for {seconds} s "
        f"(each polls /events and /inbox every {POLL:.0f} s):"
    )
    r = consoles(url, pid, toks, n_consoles, seconds)
    print(
        f"  gateway RSS (master + 2 workers)   {r['rss_before']:.0f} MB idle, "
        f"peak {r['rss_peak']:.0f} MB"
    )
    print(
        f"  requests                           {r['requests']} "
        f"({r['rate']:.0f}/s), errors {r['errors']}, p50 {r['p50']:.0f} ms, "
        f"p95 {r['p95']:.0f} ms"
    )
    if r["errors"]:
        print(f"  errors by request and answer       {r['error_kinds']}")
    if r["sightings"]:
        print(
            f"  a new case reached the consoles    first after median "
            f"{r['first_median']:.1f} s; each console after median "
            f"{r['seen_median']:.1f} s, max {r['seen_max']:.1f} s "
            f"({r['seen_cases']} of {r['submitted']} cases, {r['sightings']} sightings; unit "
            f"staff's consoles see only their unit's events)"
        )
    else:
        print(f"  new case seen by a console         none of {r['submitted']} cases")


if __name__ == "__main__":
    main()
