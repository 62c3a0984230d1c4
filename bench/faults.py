"""The fault run (issue 12): two replicas of every service and a gateway, N submissions (default 1
000), and meanwhile, in turn: each service replica and the gateway killed -9 (and started again, as
a platform's restart policy would), the broker away from the run's vhost for 10 s twice (connections
closed and refused: what the services see of a broker restart; the broker itself is shared), the
store stopped for 10 s twice. Prints what arrived once, twice or never.

    .venv/bin/python -m bench.faults [N]

Needs RabbitMQ (management plugin) and the FerretDB build of `./lx setup`; starts a FerretDB
of its own on a free port and a vhost of its own, and removes both at the end."""

import os
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import tests.conftest  # noqa: F401  (eventlet first, as in the tests)
from lianxin import demo, settings, store
from tests.conftest import Mailbox, _rabbitmqctl
from tests.e2e.conftest import System
from tests.e2e.faults import OwnStore, broker_away, new_run_id, submit

SERVICES = tuple(settings.SERVICES)


def main(n):
    tmp = Path(tempfile.mkdtemp(prefix="lianxin-faults-"))
    vhost = f"lianxin_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    own = OwnStore(str(tmp / "ferretdb"))
    own.start()
    box = Mailbox()
    box.controller.start()
    db = store.database(own.uri, "faults")
    demo.load(db)
    system = System(tmp, f"amqp://guest:guest@127.0.0.1:5672/{vhost}", "faults", box.port)
    system.env.update(
        {
            "LX_MONGO_URI": own.uri,
            "LX_EVENT_RETRY_DELAYS": "1,3,9,27,60",
            "LX_REDRIVE_GRACE_SECONDS": "60",
            "LX_DUPLICATE_THRESHOLD": "1.01",
            "LX_DELIVERY_BACKOFF_BASE": "2",
            "LX_RPC_TIMEOUT": "5",
        }
    )
    log, t0 = [], time.time()

    def mark(what):
        line = f"{time.time() - t0:7.1f} s  {what}"
        log.append(line)
        print(line, flush=True)

    try:
        system.start(*SERVICES)
        for name in SERVICES:
            system.start_replica(name, f"{name}-2")
        system.start_gateway()
        mark("started: 2 replicas of each service, 1 gateway")
        run, submitted, tries = new_run_id(), [], []

        def one(i):
            case_id, t = submit(system.url, i, run)
            submitted.append(case_id)
            tries.append(t)

        def at(share):
            while len(submitted) < n * share:
                time.sleep(0.2)

        def faults():
            step = 1 / 12
            share = step
            for name in SERVICES:
                at(share)
                system.kill(name)
                mark(f"killed -9 {name} (replica 1)")
                time.sleep(3)
                system.start_replica(name, name)
                share += step
            at(share)
            system.kill("gateway")
            mark("killed -9 the gateway")
            system.start_gateway()
            mark("gateway started again")
            share += step
            for _ in range(2):
                at(share)
                mark("broker away for 10 s (vhost refused, its connections closed)")
                mark(f"broker back ({broker_away(vhost, 10)} connections were closed)")
                share += step
            for _ in range(2):
                at(share)
                own.stop()
                mark("store stopped")
                time.sleep(10)
                own.start()
                mark("store started")
                share += step
            for name in SERVICES:
                at(share)
                system.kill(f"{name}-2")
                mark(f"killed -9 {name} (replica 2)")
                time.sleep(3)
                system.start_replica(name, f"{name}-2")
                share = min(share + step / 2, 0.95)

        fault_thread = threading.Thread(target=faults, daemon=True)
        fault_thread.start()
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(one, range(n)))
        mark(f"{n} submissions taken ({sum(tries) - n} tries refused or unanswered)")
        fault_thread.join(timeout=60)

        deadline = time.time() + 600
        while time.time() < deadline:
            routed = db.cases.count_documents({"status": "assigned"})
            acks = Counter(m["to"][0] for m in box.messages if "已受理" in m["subject"])
            feed = db.journal.count_documents(
                {"event.type": {"$in": ["case.received", "case.assigned"]}}
            )
            if routed >= n and len(acks) >= n and feed >= 2 * n:
                break
            time.sleep(2)
        time.sleep(5)
        mark("settled (or gave up after 10 min)")
        acks = Counter(m["to"][0] for m in box.messages if "已受理" in m["subject"])
        per = Counter(acks.get(f"f{i}@example.com", 0) for i in range(n))
        seqs = [d["seq"] for d in db.journal.find({}, {"seq": 1}).sort("seq", 1)]
        events = [d["event"] for d in db.journal.find({}, {"event": 1}).sort("seq", 1)]
        per_case = {}
        for e in events:
            if e["type"] in ("case.received", "case.assigned"):
                per_case.setdefault(e.get("case_id"), []).append(e["type"])
        out_of_order = [
            c for c in set(submitted) if per_case.get(c) != ["case.received", "case.assigned"]
        ]
        order_ok = (
            not out_of_order
            or f"False ({len(out_of_order)}: "
            f"{[(c, per_case.get(c)) for c in sorted(out_of_order)[:3]]})"
        )
        exited = {name: p.poll() for name, p in system.procs.items() if p.poll() is not None}
        print()
        print(
            f"submissions: {n}; cases stored: {db.cases.count_documents({})} "
            f"(distinct ids {len(set(submitted))}); routed: "
            f"{db.cases.count_documents({'status': 'assigned'})}"
        )
        print(
            f"acknowledgements per citizen: never {per.get(0, 0)}, once {per.get(1, 0)}, "
            f"twice or more {sum(v for k, v in per.items() if k >= 2)}"
        )
        print(
            f"feed: {len(seqs)} events, numbered 1…{seqs[-1] if seqs else 0} without gap: "
            f"{seqs == list(range(1, len(seqs) + 1))}; every case received then assigned, "
            f"in order: {order_ok}; event ids unique: "
            f"{len({e['event_id'] for e in events}) == len(events)}"
        )
        print(f"processes that exited on their own: {exited or 'none'}")
        restarts = sum(
            system.log_of(name).count("a service container died") for name in system.procs
        )
        print(f"service containers restarted in-process by the runner: {restarts}")
        print(f"parked messages: {close_parked_count(system.amqp_uri)}")
    finally:
        system.stop_all()
        box.controller.stop()
        own.stop()
        _rabbitmqctl("delete_vhost", vhost)


def close_parked_count(amqp_uri):
    from lianxin import parked

    try:
        return parked.count(amqp_uri)
    except Exception as exc:
        return f"unknown ({exc})"


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
