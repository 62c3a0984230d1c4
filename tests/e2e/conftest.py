"""The system as processes: each service under `python -m lianxin.runner`, the gateway under
gunicorn, exactly as `./lx run` starts them, on a vhost and database of the test's own."""

import ctypes
import os
import signal
import subprocess
import sys
import uuid

import pytest
import requests
from nameko.testing.utils import find_free_port

from lianxin import settings, store
from tests.conftest import MONGO_URI, _rabbitmqctl
from tests.helpers import wait_for

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _die_with_parent():
    """A service started by a test dies with the test run, even one killed by a timeout."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class System:
    def __init__(self, tmp_path, amqp_uri, db_name, smtp_port):
        self.port = find_free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.amqp_uri = amqp_uri
        self.logs = tmp_path
        self.env = {
            **os.environ,
            "LX_AMQP_URI": amqp_uri,
            "LX_MONGO_URI": MONGO_URI,
            "LX_MONGO_DB": db_name,
            "LX_SMTP_PORT": str(smtp_port),
            "LX_RPC_TIMEOUT": "3",
            "LX_SWEEP_INTERVAL": "1",
            "LX_ROUTING_GRACE_SECONDS": "2",
            "LX_OUTBOX_GRACE_SECONDS": "2",
            "LX_PUBLIC_URL": self.url,
            "PYTHONUNBUFFERED": "1",
            # tests poll a case's status ten times a second while they wait
            "LX_TRACKING_RATE_PER_MINUTE": "300",
        }
        self.procs = {}

    def _spawn(self, name, argv):
        log = open(self.logs / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )

    def start(self, *names):
        for name in names:
            self._spawn(name, [sys.executable, "-m", "lianxin.runner", name])
        for name in names:
            # seven processes importing at once on a busy 2-core machine take a while
            wait_for(lambda: self._pings(name), timeout=90, interval=0.3)

    def start_replica(self, service, replica):
        """Another process of `service`, known here as `replica` (to stop or kill it)."""
        self._spawn(replica, [sys.executable, "-m", "lianxin.runner", service])

    def kill(self, name):
        proc = self.procs.pop(name)
        proc.kill()  # SIGKILL: no cleanup, no acks, leases left held
        proc.wait()

    def _pings(self, name):
        from nameko.standalone.rpc import ClusterRpcProxy

        try:
            with ClusterRpcProxy({"AMQP_URI": self.amqp_uri}, timeout=1) as proxy:
                return getattr(proxy, name).ping() == "pong"
        except Exception:
            return False

    def start_gateway(self):
        self._spawn(
            "gateway",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "1",
                "--worker-class",
                "gthread",
                "--threads",
                "8",
                "--bind",
                f"127.0.0.1:{self.port}",
                "gateway.wsgi:app",
            ],
        )
        wait_for(lambda: self._healthy(), timeout=90, interval=0.2)

    def _healthy(self):
        try:
            return requests.get(f"{self.url}/healthz", timeout=1).ok
        except requests.RequestException:
            return False

    def stop(self, *names):
        for name in names:
            proc = self.procs.pop(name)
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stop_all(self):
        self.stop(*list(self.procs))

    def log_of(self, name):
        return (self.logs / f"{name}.log").read_text(errors="replace")


@pytest.fixture
def fresh_amqp_uri():
    """A vhost no service has ever run on: no queue exists until the system declares it."""
    name = f"lianxin_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _rabbitmqctl("add_vhost", name)
    _rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    yield f"amqp://guest:guest@127.0.0.1:5672/{name}"
    _rabbitmqctl("delete_vhost", name)


@pytest.fixture
def system(tmp_path, fresh_amqp_uri, db, db_name, mailbox):
    s = System(tmp_path, fresh_amqp_uri, db_name, mailbox.port)
    yield s
    s.stop_all()
    store.client(MONGO_URI)  # keep the shared client alive for the db fixture's teardown


class Api:
    """A staff or citizen client of the gateway."""

    def __init__(self, url):
        self.url = f"{url}/api/v1"
        self.tokens = {}

    def token(self, username, password="demo-pass-1"):
        if username not in self.tokens:
            r = requests.post(
                f"{self.url}/auth/token",
                json={"username": username, "password": password},
                timeout=10,
            )
            assert r.status_code == 200, r.text
            self.tokens[username] = r.json()["access_token"]
        return self.tokens[username]

    def headers(self, user):
        return {"Authorization": f"Bearer {self.token(user)}"} if user else {}

    def post(self, path, body=None, user=None, **kw):
        return requests.post(
            f"{self.url}{path}",
            json=body if body is not None else {},
            headers=self.headers(user),
            timeout=30,
            **kw,
        )

    def get(self, path, user=None, **kw):
        return requests.get(f"{self.url}{path}", headers=self.headers(user), timeout=30, **kw)

    def put(self, path, body, user=None):
        return requests.put(f"{self.url}{path}", json=body, headers=self.headers(user), timeout=30)

    def delete(self, path, user=None):
        return requests.delete(f"{self.url}{path}", headers=self.headers(user), timeout=30)

    def act(self, case_id, action, user, body=None, expect=200):
        r = self.post(f"/cases/{case_id}/{action}", body, user)
        assert r.status_code == expect, f"{action} by {user}: {r.status_code} {r.text}"
        return r.json()


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """A whole running system shared by a module's tests (one broker vhost, one database)."""
    from lianxin import demo
    from tests.conftest import Mailbox

    name = f"lianxin_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _rabbitmqctl("add_vhost", name)
    _rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    db_name = f"m_{uuid.uuid4().hex[:10]}"
    db = store.database(MONGO_URI, db_name)
    demo.load(db)
    box = Mailbox()
    box.controller.start()
    system = System(
        tmp_path_factory.mktemp("county"),
        f"amqp://guest:guest@127.0.0.1:5672/{name}",
        db_name,
        box.port,
    )
    # The walk-throughs file the same complaint from the same citizen again and again, each to
    # follow a case of its own; here no similarity reaches the threshold, so none is merged.
    # Merging is tested on its own (tests/integration/test_duplicates.py, test_http_flow).
    system.env["LX_DUPLICATE_THRESHOLD"] = "1.01"
    system.start(*settings.SERVICES)
    system.start_gateway()
    system.db, system.mailbox, system.api = db, box, Api(system.url)
    yield system
    system.stop_all()
    box.controller.stop()
    store.client(MONGO_URI).drop_database(db_name)
    _rabbitmqctl("delete_vhost", name)
