"""Test fixtures. Integration and e2e tests run against the real RabbitMQ and the tests'
FerretDB that `./lx test` starts; each test gets its own database, the run its own vhost."""

import os
import sys

import eventlet


def _browser_run(argv):
    """A run of the browser walks only (tests/web): Playwright's asyncio loop hangs under
    eventlet's patches, and those walks drive the system as processes, so they need none."""
    web = os.path.join(os.path.dirname(os.path.abspath(__file__)), "web")
    paths = [a.split("::")[0] for a in argv[1:] if not a.startswith("-")]
    paths = [os.path.abspath(p) for p in paths if os.path.exists(p)]
    return bool(paths) and all(p == web or p.startswith(web + os.sep) for p in paths)


if not _browser_run(sys.argv):
    eventlet.monkey_patch()  # noqa: E402  (docs/platform.md §2: before anything else, or tests hang)

import subprocess  # noqa: E402
import threading  # noqa: E402
import uuid  # noqa: E402
import warnings  # noqa: E402

import pytest  # noqa: E402

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

# The tests run in the local demo mode, with secrets of this run's own (none is written in the
# code): set before lianxin reads its settings, inherited by the processes e2e tests start.
import secrets as _secrets  # noqa: E402

os.environ["LX_DEMO"] = "1"
os.environ.setdefault("LX_SECRET_KEY", _secrets.token_hex(32))
os.environ.setdefault("LX_CITIZEN_KEY_SECRET", _secrets.token_hex(32))

from lianxin import bus, demo, settings, store  # noqa: E402

MONGO_URI = os.environ.get("LX_TEST_MONGO_URI", "mongodb://127.0.0.1:27018/")


def _rabbitmqctl(*args):
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def vhost():
    name = f"lianxin_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _rabbitmqctl("add_vhost", name)
    _rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    yield name
    _rabbitmqctl("delete_vhost", name)


@pytest.fixture(scope="session")
def amqp_uri(vhost):
    return f"amqp://guest:guest@127.0.0.1:5672/{vhost}"


class Mailbox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller
        from nameko.testing.utils import find_free_port

        self.messages = []
        self._lock = threading.Lock()
        self.port = find_free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        msg = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=policy.default
        )
        with self._lock:
            html = msg.get_body(preferencelist=("html",))
            self.messages.append(
                {
                    "to": envelope.rcpt_tos,
                    "subject": str(msg["Subject"]),
                    "body": msg.get_body(preferencelist=("plain",)).get_content(),
                    "html": html.get_content() if html else None,
                }
            )
        return "250 OK"

    def to(self, address):
        with self._lock:
            return [m for m in self.messages if address in m["to"]]


@pytest.fixture
def mailbox():
    box = Mailbox()
    # aiosmtpd runs an asyncio loop in a real OS thread, outside eventlet's hub.
    box.controller.start()
    yield box
    box.controller.stop()


class HttpRecorder:
    """A real HTTP server on 127.0.0.1 that records every POST (path, headers, JSON or raw
    body) and answers with `respond(request_number, record)` → status (default 200), after
    `delay` seconds. Stands in for the SMS provider and for unit systems' webhook endpoints."""

    def __init__(self, respond=None, delay=0.0):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.requests, self.respond, self.delay = [], respond, delay
        self._lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                import json
                import time

                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                record = {
                    "path": self.path,
                    "headers": dict(self.headers),
                    "raw": raw,
                    "body": body,
                }
                with recorder._lock:
                    recorder.requests.append(record)
                    number = len(recorder.requests)
                if recorder.delay:
                    time.sleep(recorder.delay)
                status = recorder.respond(number, record) if recorder.respond else 200
                record["status"] = status
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def ok(self):
        with self._lock:
            return [r for r in self.requests if 200 <= r.get("status", 0) < 300]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_recorder():
    """http_recorder(respond=None, delay=0) → a started HttpRecorder, closed after the test."""
    made = []

    def make(respond=None, delay=0.0):
        made.append(HttpRecorder(respond, delay))
        return made[-1]

    yield make
    for recorder in made:
        recorder.close()


@pytest.fixture
def sms_gateway(http_recorder):
    return http_recorder()


@pytest.fixture
def db_name():
    return f"t_{uuid.uuid4().hex[:10]}"


@pytest.fixture
def db(db_name):
    database = store.database(MONGO_URI, db_name)
    demo.load(database)
    yield database
    store.client(MONGO_URI).drop_database(db_name)


@pytest.fixture
def config(amqp_uri, db, db_name, mailbox, sms_gateway):
    cfg = settings.nameko_config()
    cfg.update(
        AMQP_URI=amqp_uri,
        MONGO_URI=MONGO_URI,
        MONGO_DB=db_name,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=mailbox.port,
        SMS_URL=sms_gateway.url,
        SMS_KEY="test-sms-key",
    )
    bus.declare_topology(amqp_uri)
    _purge_queues(amqp_uri)
    return cfg


def _purge_queues(amqp_uri):
    """Each test starts with empty queues: events an earlier test left behind (its services
    stopped before consuming them) must not reach this test's services."""
    from kombu import Connection, Queue

    from lianxin.consuming import retry_topology

    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        # (the delay queues too: a retry an earlier test left must not land in this one)
        queues = (
            [bus.journal_queue()]
            + [
                q
                for path in settings.SERVICES.values()
                for q in bus.consumer_queues(bus.load_service_class(path))
            ]
            + [e for e in retry_topology() if isinstance(e, Queue)]
        )
        for queue in queues:
            queue(channel).purge()


@pytest.fixture
def start_services(config, runner_factory):
    """start_services("intake", "routing", ...) runs those services in this process."""

    def start(*names, cfg=None):
        runner = runner_factory(
            cfg or config, *[bus.load_service_class(settings.SERVICES[n]) for n in names]
        )
        runner.start()
        return runner

    return start


@pytest.fixture
def rpc(config):
    from nameko.standalone.rpc import ClusterRpcProxy

    with ClusterRpcProxy(config, timeout=20) as proxy:
        yield proxy


@pytest.fixture
def event_tap(amqp_uri):
    """A queue bound to `lianxin.events`, as an outside system would bind one."""
    from kombu import Connection, Queue

    conn = Connection(amqp_uri)
    queue = Queue(
        f"tap-{uuid.uuid4().hex[:8]}",
        exchange=bus.events_exchange(),
        routing_key="#",
        durable=False,
        auto_delete=True,
    )
    bound = queue(conn.channel())
    bound.declare()

    class Tap:
        def drain(self, wait=0.0):
            import json
            import time

            out, deadline = [], time.time() + wait
            while True:
                msg = bound.get(no_ack=True)
                if msg is None:
                    if time.time() >= deadline:
                        return out
                    time.sleep(0.1)
                    continue
                out.append(json.loads(msg.body))

    yield Tap()
    conn.release()
