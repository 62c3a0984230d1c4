"""Faults under load (docs/contract.md §9: nothing lost or done twice): two replicas of every
service, 200 submissions, the store stopped for 10 s and the broker gone for 8 s (every connection
of the run's vhost closed and refused: what the services see of a broker restart) while they arrive.
Every case is stored once and routed, every citizen acknowledged exactly once, the feed complete and
in order, no process exited and no service container died."""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import pytest
import requests

from lianxin import demo, settings, store
from tests.e2e.conftest import Api, System
from tests.e2e.faults import OwnStore, broker_away, new_run_id, submit
from tests.helpers import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(480)]
N = 200
SERVICES = tuple(settings.SERVICES)


@pytest.fixture
def own_store(tmp_path):
    s = OwnStore(str(tmp_path / "ferretdb"))
    s.start()
    yield s
    s.stop()


def test_no_case_message_or_process_is_lost_through_store_and_broker_faults(
    tmp_path, fresh_amqp_uri, own_store, mailbox
):
    db_name = "faults"
    db = store.database(own_store.uri, db_name)
    demo.load(db)
    system = System(tmp_path, fresh_amqp_uri, db_name, mailbox.port)
    system.env.update(
        {
            "LX_MONGO_URI": own_store.uri,
            "LX_EVENT_RETRY_DELAYS": "1,3,9,27",
            "LX_REDRIVE_GRACE_SECONDS": "30",
            "LX_DUPLICATE_THRESHOLD": "1.01",
            "LX_DELIVERY_BACKOFF_BASE": "2",
            "LX_RPC_TIMEOUT": "5",
        }
    )
    t0 = time.time()

    def mark(what):
        print(f"{time.time() - t0:6.1f} s  {what}", flush=True)

    try:
        system.start(*SERVICES)
        for name in SERVICES:
            system.start_replica(name, f"{name}-2")
        system.start_gateway()
        mark("started")
        run, submitted, failed = new_run_id(), [], []

        def one(n):
            submitted.append(submit(system.url, n, run))

        def faults():
            try:
                store_down_then_broker_connections_closed()
            except BaseException as exc:  # fails the test below
                failed.append(exc)

        def store_down_then_broker_connections_closed():
            wait_for(lambda: len(submitted) >= 40, timeout=240)
            own_store.stop()
            mark("store stopped")
            time.sleep(10)
            own_store.start()
            mark("store started")
            wait_for(lambda: len(submitted) >= 120, timeout=240)
            closed = broker_away(urlparse(fresh_amqp_uri).path.lstrip("/"), 8)
            mark(f"broker back after 8 s away ({closed} connections closed)")

        fault_thread = threading.Thread(target=faults)
        fault_thread.start()
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(one, range(N)))
        fault_thread.join()
        assert not failed, failed
        mark("submitted")
        ids = {case_id for case_id, _ in submitted}

        # every case stored once, and routed
        assert len(ids) == N
        assert db.cases.count_documents({}) == N
        wait_for(lambda: db.cases.count_documents({"status": "assigned"}) == N, timeout=90)
        mark("routed")

        # every citizen acknowledged exactly once
        def acks():
            return Counter(m["to"][0] for m in mailbox.messages if "已受理" in m["subject"])

        wait_for(lambda: len(acks()) == N, timeout=90)
        mark("acknowledged")
        time.sleep(3)
        assert acks() == Counter({f"f{n}@example.com": 1 for n in range(N)})

        # the feed complete and in order, as a client reads it (once its one consumer has
        # caught up: it records the events in bus order, in batches of what has come in)
        wait_for(
            lambda: db.journal.count_documents(
                {"event.type": {"$in": ["case.received", "case.assigned"]}}
            )
            >= 2 * N,
            timeout=180,
        )
        mark("feed caught up")
        api = Api(system.url)
        events, after = [], "0"
        while True:
            page = api.get(f"/events?after={after}&limit=100", "supervisor")
            assert page.status_code == 200, page.text
            if not page.json()["items"]:
                break
            events += page.json()["items"]
            after = page.json()["next_cursor"]
        assert len({e["event_id"] for e in events}) == len(events)
        for case_id in ids:
            assert [
                e["type"]
                for e in events
                if e.get("case_id") == case_id and e["type"].startswith("case.")
            ] == ["case.received", "case.assigned"]
        assert [d["seq"] for d in db.journal.find({}, {"seq": 1}).sort("seq", 1)] == list(
            range(1, len(events) + 1)
        )

        # no process exited, and none had to start its services again
        assert {name: p.poll() for name, p in system.procs.items()} == {
            name: None for name in system.procs
        }
        assert {
            name: system.log_of(name).count("a service container died") for name in system.procs
        } == {name: 0 for name in system.procs}
        assert requests.get(f"{system.url}/readyz", timeout=30).status_code == 200
    finally:
        system.stop_all()


def test_a_service_starts_while_the_store_is_down_and_does_its_start_up_work_once_it_is_back(
    tmp_path, fresh_amqp_uri, own_store, mailbox
):
    db = store.database(own_store.uri, "empty")
    system = System(tmp_path, fresh_amqp_uri, "empty", mailbox.port)
    system.env["LX_MONGO_URI"] = own_store.uri
    system.env["LX_ADMIN_PASSWORD"] = "the-first-admins-password"  # no demo county here
    own_store.stop()
    try:
        # each answers its ping with no store at all
        system.start("intake", "accounts", "notify")
        system.start_gateway()
        ready = requests.get(f"{system.url}/readyz", timeout=30)
        assert ready.status_code == 503 and ready.json()["checks"]["store"].startswith("down")
        own_store.start()
        wait_for(lambda: db.users.find_one({"role": "admin"}), timeout=60)  # the first admin
        wait_for(lambda: db.templates.find_one(), timeout=60)  # notify's default templates
        assert {name: p.poll() for name, p in system.procs.items()} == {
            name: None for name in system.procs
        }
    finally:
        system.stop_all()
