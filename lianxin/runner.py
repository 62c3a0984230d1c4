"""Run one service: `python -m lianxin.runner intake`. Declares the bus topology first, so
that events published before any consumer has ever run wait in durable queues."""
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()  # noqa: E402  (nameko needs it before anything else is imported)

import logging  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from nameko.runners import ServiceRunner  # noqa: E402

from lianxin import bus, settings  # noqa: E402

log = logging.getLogger("lianxin.runner")


def declare_with_retry(attempts=30):
    for i in range(attempts):
        try:
            bus.declare_topology()
            return
        except Exception as exc:
            log.warning("bus not reachable yet (%s); retrying", exc)
            time.sleep(min(2 ** i, 5))
    raise SystemExit("the message bus is unreachable")


def main(argv):
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    names = argv or list(settings.SERVICES)
    settings.require_secrets(", ".join(names))
    declare_with_retry()
    runner = ServiceRunner(settings.nameko_config())
    for name in names:
        runner.add_service(bus.load_service_class(settings.SERVICES[name]))

    def shutdown(signum, frame):
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    log.info("running %s", ", ".join(names))
    runner.wait()


if __name__ == "__main__":
    main(sys.argv[1:])
