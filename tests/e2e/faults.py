"""What the fault test and `bench/faults.py` do to a running system: a FerretDB of their own
to stop and start (the shared test store is never stopped), the broker gone from one vhost
for a while (its connections closed and the vhost refused: what the services see of a broker
restart, without restarting the broker that other runs share), and submissions that retry
until the system takes them."""

import os
import signal
import subprocess
import time
import uuid

import pymongo
import requests
from nameko.testing.utils import find_free_port

from tests.e2e.conftest import _die_with_parent

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ferretdb_binary():
    out = subprocess.run(
        [
            "bash",
            "-c",
            "source scripts/lib.sh >/dev/null; build_ferretdb "
            '>/dev/null 2>&1; echo "$FERRETDB_BIN"',
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


class OwnStore:
    """A FerretDB process on a free port with its data in `directory`: stop() and start()
    it at will."""

    def __init__(self, directory):
        self.port = find_free_port()
        self.uri = f"mongodb://127.0.0.1:{self.port}/"
        self.directory = directory
        self.binary = ferretdb_binary()
        self.proc = None

    def start(self):
        os.makedirs(self.directory, exist_ok=True)
        log = open(os.path.join(self.directory, "ferretdb.log"), "ab")
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--handler=sqlite",
                f"--sqlite-url=file:{self.directory}/?_pragma=synchronous(normal)",
                f"--listen-addr=127.0.0.1:{self.port}",
                "--telemetry=disable",
                "--log-level=warn",
                f"--state-dir={self.directory}",
                "--debug-addr=-",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )  # a run killed by a timeout leaves no store behind
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                pymongo.MongoClient(self.uri, serverSelectionTimeoutMS=300).admin.command("ping")
                return
            except pymongo.errors.PyMongoError:
                time.sleep(0.2)
        raise RuntimeError("FerretDB did not start")

    def stop(self):
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


def close_connections(vhost, api="http://127.0.0.1:15672/api", auth=("guest", "guest")):
    """Close every broker connection on `vhost` (and only there), through the management
    API (`rabbitmqctl close_connection` is the same, a second per call). Returns how many."""
    from urllib.parse import quote

    listed = requests.get(
        f"{api}/vhosts/{quote(vhost, safe='')}/connections", auth=auth, timeout=30
    )
    listed.raise_for_status()
    names = [c["name"] for c in listed.json()]
    for name in names:
        requests.delete(
            f"{api}/connections/{quote(name, safe='')}",
            auth=auth,
            timeout=30,
            headers={"X-Reason": "fault test"},
        )
    return len(names)


def broker_away(vhost, seconds, api="http://127.0.0.1:15672/api", auth=("guest", "guest")):
    """The broker gone for `seconds`, as one vhost sees it: guest loses its permissions there
    (reconnects and publishes are refused), every connection is closed, then the permissions
    come back. Returns how many connections were closed."""
    from urllib.parse import quote

    perms = f"{api}/permissions/{quote(vhost, safe='')}/guest"
    requests.delete(perms, auth=auth, timeout=30).raise_for_status()
    try:
        closed = close_connections(vhost, api, auth)
        time.sleep(seconds)
    finally:
        requests.put(
            perms, auth=auth, timeout=30, json={"configure": ".*", "write": ".*", "read": ".*"}
        ).raise_for_status()
    return closed


CASE = {
    "kind": "complaint",
    "topic": "environment",
    "content": "河边化工厂夜间排放污水。",
    "location": {"town": "城关镇"},
}


def submit(url, n, run):
    """Submit case `n` until the system takes it (the same Idempotency-Key every time, so a
    try the gateway gave up on is not a second case). Returns (case id, tries)."""
    body = {
        **CASE,
        "title": f"故障测试{n}",
        "citizen": {"name": f"市民{n}", "email": f"f{n}@example.com"},
    }
    key = f"{run}-{n}"
    for tries in range(1, 1000):
        try:
            r = requests.post(
                f"{url}/api/v1/cases", json=body, timeout=15, headers={"Idempotency-Key": key}
            )
            if r.status_code == 201:
                return r.json()["id"], tries
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise AssertionError(f"case {n} was never taken")


def new_run_id():
    return uuid.uuid4().hex[:8]
