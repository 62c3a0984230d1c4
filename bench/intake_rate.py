"""Benchmark: intake end to end at an offered rate over HTTP (issue 14; not a test, prints
figures).

    .venv/bin/python -m bench.intake_rate [RATE] [SECONDS] [--db NAME]
    # default 60 cases/s for 60 s, on a fresh database; --db: on that database as it is
    # (e.g. one `bench.generate` filled), which is kept, with what the run added

Runs the whole system as processes (one of each service, the gateway with 1 worker × 8
threads) on a vhost of its own and a fresh database of the store at LX_MONGO_URI (the tests'
FerretDB, 127.0.0.1:27018, by default), offers RATE submissions a second to
`POST /api/v1/cases` for SECONDS, and prints: the achieved rate, the submit latency, p50/p99
from the submit to `case.assigned` on the event exchange and to the acknowledgement in the
citizen's mailbox (a local SMTP server), how many were assigned and acknowledged within 60 s
after the last submit, and the store round trips per submission — every process counts its
store commands (bench/roundtrips/sitecustomize.py, a pymongo CommandListener); the idle rate
measured for 10 s before the run is taken off.
"""

import json
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
from bench.system import broker_pid, cpu_seconds, store_pid
from lianxin import bus, demo, settings, store
from tests.conftest import Mailbox, _rabbitmqctl
from tests.e2e.conftest import System
from tests.helpers import wait_for

SERVICES = settings.SERVICES
HERE = Path(__file__).resolve().parent
CASE = {
    "kind": "complaint",
    "topic": "environment",
    "location": {"town": "城关镇"},
}


class TimedMailbox(Mailbox):
    def __init__(self):
        super().__init__()
        self.arrived = {}

    async def handle_DATA(self, server, session, envelope):
        at = time.time()
        out = await super().handle_DATA(server, session, envelope)
        for to in envelope.rcpt_tos:
            self.arrived.setdefault(to, at)
        return out


def tap(amqp_uri, seen, stop):
    """Record when each case's `case.assigned` reaches a queue bound to the exchange."""
    from kombu import Connection, Queue

    with Connection(amqp_uri) as conn:
        queue = Queue(
            f"bench-tap-{uuid.uuid4().hex[:6]}",
            exchange=bus.events_exchange(),
            routing_key="case.assigned",
            durable=False,
            auto_delete=True,
        )

        def on_message(body, message):
            event = body if isinstance(body, dict) else json.loads(body)
            seen.setdefault(event["case_id"], time.time())
            message.ack()

        with conn.Consumer(queue, callbacks=[on_message], accept=["json"]):
            while not stop.is_set():
                try:
                    conn.drain_events(timeout=0.5)
                except TimeoutError:
                    pass
                except Exception:  # socket.timeout on older kombu
                    pass


def commands(folder, field="commands"):
    """Store commands counted so far, in all and per process; `field="targets"` counts them
    by command and collection."""
    total, per = Counter(), {}
    for path in Path(folder).glob("*.json"):
        try:
            doc = json.loads(path.read_text())
        except ValueError:
            continue
        per[doc["process"]] = Counter(doc.get(field) or {})
        total.update(doc.get(field) or {})
    return total, per


def tree_cpu(pid):
    """CPU seconds of a process and its children (the gateway's workers)."""
    total = cpu_seconds(pid)
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return total
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                total += sum(tree_cpu(int(c)) for c in f.read().split())
        except OSError:
            pass
    return total


def cpu_now(system, uri):
    """CPU seconds so far of every process of the run: the services, the gateway, the store,
    the broker and this benchmark (its HTTP clients, the SMTP server, the event tap)."""
    pids = {name: proc.pid for name, proc in system.procs.items()}
    pids.update(store=store_pid(uri), broker=broker_pid())
    out = {name: tree_cpu(pid) for name, pid in pids.items() if pid}
    out["benchmark"] = cpu_seconds(os.getpid())  # not its children: the services are
    return out


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] if values else float("nan")


def main(rate, seconds, existing=None):
    import requests

    uri = os.environ.get("LX_MONGO_URI", "mongodb://127.0.0.1:27018/")
    tmp = Path(tempfile.mkdtemp(prefix="lianxin-intake-rate-"))
    counts_dir = tmp / "commands"
    counts_dir.mkdir()
    vhost = f"lianxin_bench_{uuid.uuid4().hex[:8]}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    amqp = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    db_name = existing or f"bench_{uuid.uuid4().hex[:8]}"
    db = store.database(uri, db_name)
    demo.load(db)  # idempotent: on an existing database it puts back the demo county
    print(f"database {db_name}: {db.cases.estimated_document_count()} cases before the run")
    box = TimedMailbox()
    box.controller.start()
    system = System(tmp, amqp, db_name, box.port)
    system.env.update(
        {
            "LX_MONGO_URI": uri,
            "LX_DUPLICATE_THRESHOLD": "1.01",  # generated texts are alike; no merging here
            "LX_SWEEP_INTERVAL": "5",
            "LX_RPC_TIMEOUT": "10",
            "LX_BENCH_COMMANDS_DIR": str(counts_dir),
            "PYTHONPATH": os.pathsep.join([str(HERE / "roundtrips"), str(HERE.parent)]),
        }
    )
    assigned, stop = {}, threading.Event()
    listener = threading.Thread(target=tap, args=(amqp, assigned, stop), daemon=True)
    try:
        for name in SERVICES:  # (System.start waits 30 s: too short on a loaded machine)
            system.start_replica(name, name)
        for name in SERVICES:
            wait_for(lambda name=name: system._pings(name), timeout=180, interval=0.5)
        system.start_gateway()
        listener.start()
        time.sleep(3)
        idle0, _ = commands(counts_dir)
        time.sleep(10)
        idle1, _ = commands(counts_dir)
        idle_per_s = sum((idle1 - idle0).values()) / 10
        print(f"idle: {idle_per_s:.1f} store commands/s from all processes")

        n = int(rate * seconds)
        run = uuid.uuid4().hex[:6]
        submitted, latencies, errors = {}, [], Counter()

        def one(i):
            at = t0 + i / rate
            time.sleep(max(0.0, at - time.time()))
            body = {
                **CASE,
                "title": f"河道污染 {run}-{i}",
                "content": f"河边化工厂夜间排放污水，第{i}次反映（{run}）。",
                "citizen": {"name": f"市民{i}", "email": f"b{i}-{run}@example.com"},
            }
            start = time.time()
            try:
                r = requests.post(
                    f"{system.url}/api/v1/cases",
                    json=body,
                    timeout=30,
                    headers={"Idempotency-Key": f"{run}-{i}"},
                )
            except requests.RequestException as exc:
                errors[type(exc).__name__] += 1
                return
            latencies.append(time.time() - start)
            if r.status_code == 201:
                submitted[r.json()["id"]] = (start, body["citizen"]["email"])
            else:
                errors[r.status_code] += 1

        before, _ = commands(counts_dir)
        targets_before, _ = commands(counts_dir, "targets")
        micros_before, _ = commands(counts_dir, "micros")
        cpu_before = cpu_now(system, uri)
        t0 = time.time() + 0.5
        with ThreadPoolExecutor(max_workers=96) as pool:
            list(pool.map(one, range(n)))
        last_submit = time.time()
        achieved = len(submitted) / (last_submit - t0)
        deadline = last_submit + 60
        while time.time() < deadline:
            acked = sum(1 for _, mail in submitted.values() if mail in box.arrived)
            if len(assigned.keys() & submitted.keys()) == len(submitted) and acked == len(
                submitted
            ):
                break
            time.sleep(0.5)
        end = time.time()
        cpu_after = cpu_now(system, uri)
        after, per = commands(counts_dir)
        to_assigned = [assigned[c] - s for c, (s, _) in submitted.items() if c in assigned]
        to_ack = [box.arrived[m] - s for c, (s, m) in submitted.items() if m in box.arrived]
        used = after - before
        work = sum(used.values()) - idle_per_s * (end - t0)
        print(f"offered {rate}/s for {seconds} s ({n} submissions); accepted {len(submitted)}")
        print(f"achieved {achieved:.1f} cases/s; errors {dict(errors) or 'none'}")
        print(
            f"submit (HTTP 201): p50 {pct(latencies, 50) * 1000:.0f} ms, "
            f"p99 {pct(latencies, 99) * 1000:.0f} ms"
        )
        print(
            f"submit -> assigned: {len(to_assigned)} of {len(submitted)}, "
            f"p50 {pct(to_assigned, 50) * 1000:.0f} ms, p99 {pct(to_assigned, 99) * 1000:.0f} ms"
        )
        print(
            f"submit -> acknowledged (mail): {len(to_ack)} of {len(submitted)}, "
            f"p50 {pct(to_ack, 50) * 1000:.0f} ms, p99 {pct(to_ack, 99) * 1000:.0f} ms"
        )
        print(
            f"store commands per submission: {work / max(len(submitted), 1):.1f} "
            f"(all processes, idle rate taken off); by command:"
        )
        for name, count in used.most_common(12):
            print(f"  {name:<16} {count / max(len(submitted), 1):6.2f}")
        targets = commands(counts_dir, "targets")[0] - targets_before
        print("by command and collection (per submission, idle included):")
        for name, count in targets.most_common(30):
            print(f"  {name:<36} {count / max(len(submitted), 1):6.2f}")
        spent = commands(counts_dir, "micros")[0] - micros_before
        print("store wall time by command and collection (ms per submission, idle included):")
        for name, us in spent.most_common(30):
            print(f"  {name:<36} {us / 1000 / max(len(submitted), 1):6.2f}")
        cpu = {k: cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after}
        per_case = 1000 / max(len(submitted), 1)
        print(
            f"CPU per submission over the {end - t0:.0f} s until the last was acknowledged "
            f"(idle included): {sum(cpu.values()) * per_case:.0f} ms in all"
        )
        for name, seconds in sorted(cpu.items(), key=lambda kv: -kv[1]):
            print(f"  {name:<16} {seconds * per_case:7.1f} ms")
        print("store commands by process (per submission, idle included):")
        for proc, c in sorted(per.items()):
            print(f"  {proc:<40} {sum(c.values()) / max(len(submitted), 1):6.2f}")
    finally:
        stop.set()
        system.stop_all()
        box.controller.stop()
        if not existing:
            store.client(uri).drop_database(db_name)
        _rabbitmqctl("delete_vhost", vhost)


if __name__ == "__main__":
    argv = sys.argv[1:]
    existing = argv[argv.index("--db") + 1] if "--db" in argv else None
    args = [a for a in argv if not a.startswith("-") and a != existing]
    main(float(args[0]) if args else 60.0, float(args[1]) if len(args) > 1 else 60.0, existing)
