"""Liveness and readiness (docs/contract.md §10)."""

from flask import Blueprint, current_app, jsonify
from kombu import Connection

from lianxin import parked, settings, store

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@health.get("/readyz")
def readyz():
    """Ready when the bus and the store answer and every service answers an RPC ping; also
    says how many events are parked after their last retry."""
    checks = {}
    try:
        with Connection(current_app.config["AMQP_URI"], connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1)
        checks["bus"] = "ok"
    except Exception as exc:
        checks["bus"] = f"down: {exc}"
    try:
        store.client(current_app.config["MONGO_URI"]).admin.command("ping")
        checks["store"] = "ok"
    except Exception as exc:
        checks["store"] = f"down: {exc.__class__.__name__}"
    pool = current_app.extensions["lianxin.ping"]
    for service in settings.SERVICES:
        try:
            checks[service] = "ok" if pool.call(service, "ping") == "pong" else "bad answer"
        except Exception as exc:
            checks[service] = f"down: {getattr(exc, 'message', exc)}"
    ready = all(v == "ok" for v in checks.values())
    body = {"status": "ready" if ready else "not_ready", "checks": checks}
    try:  # not a readiness condition: events an operator should look at (lianxin.parked)
        body["parked_events"] = parked.count(current_app.config["AMQP_URI"])
    except Exception:
        body["parked_events"] = None
    if not ready:
        body["error"] = {"code": "not_ready", "message": "a dependency is down", "details": checks}
    return jsonify(body), 200 if ready else 503
