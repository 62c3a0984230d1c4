"""The whole system as `./lx run` starts it (devmail, the services of `settings.SERVICES`, the
gateway under gunicorn with the Procfile's workers), on a vhost of its own and a database of
the caller's choosing, for the benchmarks that measure it from outside (bench/idle.py,
bench/reads.py): its processes' CPU time and memory, and HTTP through the gateway."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import requests

from bench.generate import SECRET
from lianxin import settings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rabbitmqctl(*args):
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processes:
    """The Procfile's processes, with an environment of the benchmark's own."""

    def __init__(self, env, logs):
        self.env, self.logs, self.procs = env, logs, {}

    def spawn(self, name, argv):
        log = open(os.path.join(self.logs, f"{name}.log"), "ab")
        self.procs[name] = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def stop(self):
        for proc in self.procs.values():
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0


def tree(pid):
    """`pid` and its children (gunicorn's workers)."""
    pids = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        pids.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return pids


def wait_ready(url, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(f"{url}/readyz", timeout=3).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise SystemExit(f"the system did not become ready at {url}")


def cpu_seconds(pid):
    """User + system CPU time of a process so far, in seconds (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _find(matches):
    """The first process whose command line (a list of bytes) `matches`, or None."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().split(b"\0")
        except OSError:
            continue
        if cmd and matches(cmd):
            return int(entry)
    return None


def store_pid(uri):
    """The FerretDB serving `uri` on this machine (found by its listening port), or None."""
    port = uri.rstrip("/").rsplit(":", 1)[-1].split("/")[0]
    return _find(
        lambda cmd: b"ferretdb" in os.path.basename(cmd[0])
        and any(a.endswith(f":{port}".encode()) for a in cmd)
    )


def broker_pid():
    """RabbitMQ's Erlang VM on this machine, or None."""
    return _find(
        lambda cmd: os.path.basename(cmd[0]) == b"beam.smp" and b"rabbit" in b" ".join(cmd)
    )


class System:
    def __init__(self, procs, url, logs):
        self.procs, self.url, self.logs = procs, url, logs

    def pids(self):
        """{name: [pids]}: each service, the gateway's master and workers, devmail."""
        return {name: tree(p.pid) for name, p in self.procs.procs.items()}


@contextlib.contextmanager
def running(uri, db_name, **env_extra):
    vhost = f"lianxin_bench_{uuid.uuid4().hex[:6]}"
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    logs = tempfile.mkdtemp(prefix="lx-bench-system-")
    port, smtp, sms = free_port(), free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "LX_AMQP_URI": f"amqp://guest:guest@127.0.0.1:5672/{vhost}",
        "LX_MONGO_URI": uri,
        "LX_MONGO_DB": db_name,
        "LX_SMTP_PORT": str(smtp),
        "LX_SMS_URL": f"http://127.0.0.1:{sms}/send",
        "LX_PUBLIC_URL": url,
        "LX_DEMO": "1",
        "LX_SECRET_KEY": os.environ.get("LX_SECRET_KEY") or uuid.uuid4().hex * 2,
        "LX_CITIZEN_KEY_SECRET": SECRET,
        "PYTHONUNBUFFERED": "1",
        **env_extra,
    }
    procs = Processes(env, logs)
    try:
        mail = ["-m", "lianxin.devmail", "--dir", os.path.join(logs, "mail"), "--port"]
        sms_dir = ["--sms-dir", os.path.join(logs, "sms"), "--sms-port", str(sms)]
        procs.spawn("mail", [sys.executable, *mail, str(smtp), *sms_dir])
        for name in settings.SERVICES:
            procs.spawn(name, [sys.executable, "-m", "lianxin.runner", name])
        gunicorn = ["-m", "gunicorn", "--workers", "2", "--worker-class", "gthread"]
        bind = ["--threads", "8", "--bind", f"127.0.0.1:{port}", "gateway.wsgi:app"]
        procs.spawn("gateway", [sys.executable, *gunicorn, *bind])
        wait_ready(url, timeout=180)
        yield System(procs, url, logs)
    finally:
        procs.stop()
        rabbitmqctl("delete_vhost", vhost)


def rss_mb(pids):
    return sum(rss_kb(p) for p in pids) / 1024
