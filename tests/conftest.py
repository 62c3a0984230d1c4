"""Test fixtures. Integration and e2e tests run against the real RabbitMQ and the tests'
FerretDB that `./lx test` starts; each test gets its own database, the run its own vhost."""
import eventlet

eventlet.monkey_patch()  # noqa: E402  (STACK.md: before anything else, or tests hang)

import os  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import uuid  # noqa: E402
import warnings  # noqa: E402

import pytest  # noqa: E402

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

from lianxin import bus, demo, settings, store  # noqa: E402

MONGO_URI = os.environ.get("LX_TEST_MONGO_URI", "mongodb://127.0.0.1:27018/")


def _rabbitmqctl(*args):
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def vhost():
    name = f"lianxin_test_{uuid.uuid4().hex[:8]}"
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
        msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                       policy=policy.default)
        with self._lock:
            self.messages.append({"to": envelope.rcpt_tos, "subject": str(msg["Subject"]),
                                  "body": msg.get_content()})
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
def config(amqp_uri, db, db_name, mailbox):
    cfg = settings.nameko_config()
    cfg.update(AMQP_URI=amqp_uri, MONGO_URI=MONGO_URI, MONGO_DB=db_name,
               SMTP_HOST="127.0.0.1", SMTP_PORT=mailbox.port)
    bus.declare_topology(amqp_uri)
    return cfg


@pytest.fixture
def start_services(config, runner_factory):
    """start_services("intake", "routing", ...) runs those services in this process."""
    def start(*names, cfg=None):
        runner = runner_factory(cfg or config, *[bus.load_service_class(settings.SERVICES[n])
                                                for n in names])
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
    queue = Queue(f"tap-{uuid.uuid4().hex[:8]}", exchange=bus.events_exchange(),
                  routing_key="#", durable=False, auto_delete=True)
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

