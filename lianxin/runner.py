"""Run one service: `python -m lianxin.runner intake`. Declares the bus topology first, so
that events published before any consumer has ever run wait in durable queues.

The process outlives the broker and the store: it waits for the bus at start however long
it takes, and if a service container dies anyway (nameko stops a container on an error it
did not expect) the runner starts the services again instead of exiting. Only SIGTERM or
SIGINT end it. (`scripts/forever.sh` restarts a process that dies all the same.)
"""

import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()  # noqa: E402  (nameko needs it before anything else is imported)

import logging  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from nameko.runners import ServiceRunner  # noqa: E402

from lianxin import bus, consuming, settings  # noqa: E402

log = logging.getLogger("lianxin.runner")
RESTART_PAUSE = 2  # seconds between a dead container and the next start


def declare_until_done(stopping):
    delay = 1
    while not stopping():
        try:
            bus.declare_topology()
            return True
        except Exception as exc:
            log.warning("bus not reachable (%s); retrying in %d s", exc, delay)
            time.sleep(delay)
            delay = min(delay * 2, 10)
    return False


def main(argv):
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    names = argv or list(settings.SERVICES)
    settings.require_secrets(", ".join(names))
    consuming.harden_nameko()
    state: dict[str, Any] = {"stopping": False, "runner": None}

    def shutdown(signum, frame):
        state["stopping"] = True
        if state["runner"] is not None:
            eventlet.spawn_n(state["runner"].stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    while declare_until_done(lambda: state["stopping"]):
        runner = ServiceRunner(settings.nameko_config())
        for name in names:
            runner.add_service(bus.load_service_class(settings.SERVICES[name]))
        state["runner"] = runner
        try:
            runner.start()
            log.info("running %s", ", ".join(names))
            runner.wait()
        except Exception:
            log.exception("a service container died")
            try:
                runner.kill()
            except Exception:
                log.warning("killing the other containers failed", exc_info=True)
        if state["stopping"]:
            break
        log.warning("starting %s again in %d s", ", ".join(names), RESTART_PAUSE)
        time.sleep(RESTART_PAUSE)


if __name__ == "__main__":
    main(sys.argv[1:])
