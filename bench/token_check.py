"""Benchmark: what checking a staff token against its account costs per request (not a test;
prints figures).

    .venv/bin/python -m bench.token_check [N]          # default N = 5000

Starts the intake service as a process (a vhost of its own, a fresh database of the store at
LX_MONGO_URI, the tests' FerretDB at 127.0.0.1:27018 by default, with the demo county), builds
the gateway app in this process, and times `bearer_claims()` for one signed-in user inside a
request context — the whole check: signature, account (cache or RPC), token version, sign-out
list, role:
  - steady state: the account cache as configured (LX_TOKEN_CHECK_CACHE_SECONDS, 3 s), N
    requests spread over 10 s, so the cache expires and is refilled by RPC as in service;
  - every request a miss (cache life 0): the price of the RPC alone;
  - the signature check alone.
"""

import os
import secrets
import statistics
import subprocess
import sys
import time
import uuid

os.environ.setdefault("LX_SECRET_KEY", secrets.token_hex(32))
os.environ.setdefault("LX_CITIZEN_KEY_SECRET", secrets.token_hex(32))
os.environ["LX_DEMO"] = "1"

from lianxin import demo, settings, store  # noqa: E402
from lianxin.auth import verify_token  # noqa: E402


def rabbitmqctl(*args):
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True)


def figures(name, samples):
    samples = sorted(samples)
    p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))] * 1000  # noqa: E731
    print(
        f"{name:<44} mean {statistics.mean(samples) * 1000:7.3f} ms   p50 {p(0.5):7.3f} ms"
        f"   p99 {p(0.99):7.3f} ms   (n={len(samples)})"
    )


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    uri = os.environ.get("LX_MONGO_URI", "mongodb://127.0.0.1:27018/")
    db_name, vhost = f"bench_{uuid.uuid4().hex[:8]}", f"lianxin_bench_{uuid.uuid4().hex[:6]}"
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    amqp = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    db = store.database(uri, db_name)
    demo.load(db)
    env = {**os.environ, "LX_AMQP_URI": amqp, "LX_MONGO_URI": uri, "LX_MONGO_DB": db_name}
    intake = subprocess.Popen(
        [sys.executable, "-m", "lianxin.runner", "intake"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        from gateway.app import create_app
        from gateway.auth import AccountCache, bearer_claims

        config = {
            **settings.nameko_config(),
            "AMQP_URI": amqp,
            "MONGO_URI": uri,
            "MONGO_DB": db_name,
        }
        app = create_app(config)
        client = app.test_client()
        for _ in range(60):
            r = client.post(
                "/api/v1/auth/token",
                json={"username": "env_handler", "password": demo.DEMO_PASSWORD},
            )
            if r.status_code == 200:
                break
            time.sleep(1)
        token = r.get_json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        def run(count, spread_seconds=0.0):
            out = []
            pause = spread_seconds / count
            for _ in range(count):
                with app.test_request_context("/api/v1/cases", headers=headers):
                    t = time.perf_counter()
                    bearer_claims()
                    out.append(time.perf_counter() - t)
                if pause:
                    time.sleep(pause)
            return out

        run(200)  # warm up
        print(
            f"token check, store {uri} (FerretDB), intake as a process, one gateway process; "
            f"machine: {os.cpu_count()} cores"
        )
        figures(
            f"steady ({settings.TOKEN_CHECK_CACHE_SECONDS:g} s account cache, 10 s)", run(n, 10.0)
        )
        cache = app.extensions["lianxin.accounts"]
        app.extensions["lianxin.accounts"] = AccountCache(cache.fetch, 0)
        figures("every request asks intake (cache life 0)", run(min(n, 1000)))
        app.extensions["lianxin.accounts"] = cache
        sig = []
        for _ in range(n):
            t = time.perf_counter()
            verify_token(token, settings.SECRET_KEY)
            sig.append(time.perf_counter() - t)
        figures("signature and expiry alone", sig)
    finally:
        intake.terminate()
        intake.wait(15)
        store.client(uri).drop_database(db_name)
        rabbitmqctl("delete_vhost", vhost)


if __name__ == "__main__":
    main()
