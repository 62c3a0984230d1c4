"""Loaded by every process of a benchmark run (PYTHONPATH=bench/roundtrips) when
LX_BENCH_COMMANDS_DIR is set: counts the store commands the process sends (a pymongo
CommandListener) and writes them to <dir>/<pid>.json — at most every second and at exit.
pymongo is not imported here (the services patch the standard library with eventlet first):
the listener is registered when the process imports pymongo itself."""

import atexit
import collections
import json
import os
import sys
import time

OUT = os.environ.get("LX_BENCH_COMMANDS_DIR")
if OUT:
    import importlib.abc
    import importlib.machinery

    counts = collections.Counter()
    targets = collections.Counter()  # "command collection", to see which reads repeat
    micros = collections.Counter()  # "command collection": the wall time the store took
    name = " ".join(sys.argv[-2:]) if len(sys.argv) > 1 else sys.argv[0]
    last = [0.0]

    def dump():
        path = os.path.join(OUT, f"{os.getpid()}.json")
        with open(path + ".tmp", "w") as f:
            json.dump(
                {
                    "process": name,
                    "commands": dict(counts),
                    "targets": dict(targets),
                    "micros": dict(micros),
                },
                f,
            )
        os.replace(path + ".tmp", path)

    started_at = {}  # request id -> "command collection"

    def started(self, event):
        counts[event.command_name] += 1
        target = event.command.get(event.command_name)
        key = f"{event.command_name} {target if isinstance(target, str) else ''}".strip()
        targets[key] += 1
        started_at[event.request_id] = key
        now = time.monotonic()
        if now - last[0] > 1:
            last[0] = now
            dump()

    def finished(self, event):
        key = started_at.pop(event.request_id, None)
        if key:
            micros[key] += event.duration_micros

    class Hook(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name != "pymongo":
                return None
            sys.meta_path.remove(self)
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            run = spec.loader.exec_module

            def exec_module(module):
                run(module)
                from pymongo import monitoring

                counting = type(
                    "Counting",
                    (monitoring.CommandListener,),
                    {"started": started, "succeeded": finished, "failed": finished},
                )
                monitoring.register(counting())

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, Hook())
    atexit.register(dump)
