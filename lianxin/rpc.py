"""A pool of started nameko ClusterRpcProxy objects (docs/platform.md §2): one checked out per call,
never shared between concurrent callers, created lazily (after a fork), always with a timeout,
and dropped after a timeout or a connection error. Errors come out as LianxinError values.
"""

import logging
import queue
import socket
from contextlib import contextmanager

from kombu.exceptions import OperationalError
from nameko.exceptions import RemoteError, RpcTimeout, UnknownService
from nameko.extensions import DependencyProvider
from nameko.standalone.rpc import ClusterRpcProxy

from . import settings
from .errors import LianxinError, Unavailable

log = logging.getLogger(__name__)
# pymongo's errors when the store cannot be reached: a 503, not a failure of ours
STORE_DOWN = ("ServerSelectionTimeoutError", "AutoReconnect", "NetworkTimeout", "ConnectionFailure")


class RpcPool:
    def __init__(self, config=None, size=None, timeout=None):
        self.config = config or settings.nameko_config()
        self.timeout = timeout or settings.RPC_TIMEOUT
        self._idle: queue.LifoQueue = queue.LifoQueue(maxsize=size or settings.RPC_POOL_SIZE)

    def _new(self):
        holder = ClusterRpcProxy(self.config, timeout=self.timeout)
        return holder, holder.start()

    @contextmanager
    def proxy(self):
        try:
            entry = self._idle.get_nowait()
        except queue.Empty:
            entry = self._new()
        healthy = False
        try:
            yield entry[1]
            healthy = True
        except LianxinError:
            healthy = True  # a domain answer: the proxy is fine
            raise
        finally:
            if healthy:
                try:
                    self._idle.put_nowait(entry)
                    entry = None
                except queue.Full:
                    pass
            if entry is not None:
                try:
                    entry[0].stop()
                except Exception:
                    pass

    def call(self, service, method, *args, **kwargs):
        """Call `service.method`; domain errors re-raise as themselves, faults as Unavailable."""
        try:
            with self.proxy() as proxy:
                return getattr(getattr(proxy, service), method)(*args, **kwargs)
        except LianxinError:
            raise
        except RpcTimeout:
            raise Unavailable(f"{service} did not answer in time", {"service": service})
        except UnknownService:
            raise Unavailable(f"{service} is not running", {"service": service})
        except (OperationalError, socket.error, ConnectionError, IOError) as exc:
            raise Unavailable("the message bus is unreachable", {"reason": str(exc)})
        except RemoteError as exc:
            if exc.exc_type in STORE_DOWN:
                raise Unavailable("the store is unreachable", {"service": service})
            log.error("%s.%s failed: %s", service, method, exc)
            raise LianxinError(f"{service} failed", {"type": exc.exc_type})

    def close(self):
        while True:
            try:
                holder, _ = self._idle.get_nowait()
            except queue.Empty:
                return
            try:
                holder.stop()
            except Exception:
                pass


class RpcPoolProvider(DependencyProvider):
    """nameko dependency: a pool of proxies for calling other services with a timeout
    (nameko 2's own RpcProxy has none). Injects `call(service, method, *args)`."""

    def setup(self):
        self.pool = RpcPool(dict(self.container.config))

    def stop(self):
        self.pool.close()

    def get_dependency(self, worker_ctx):
        return self.pool.call
