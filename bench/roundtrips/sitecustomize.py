"""Loaded by every process of a benchmark run (PYTHONPATH=bench/roundtrips) when
LX_BENCH_COMMANDS_DIR is set: counts the store commands the process sends (a pymongo
CommandListener) and writes them to <dir>/<pid>.json — at most every second and at exit."""

import atexit
import collections
import json
import os
import sys
import time

OUT = os.environ.get("LX_BENCH_COMMANDS_DIR")
if OUT:
    from pymongo import monitoring

    counts = collections.Counter()
    name = " ".join(sys.argv[-2:]) if len(sys.argv) > 1 else sys.argv[0]
    last = [0.0]

    def dump():
        path = os.path.join(OUT, f"{os.getpid()}.json")
        with open(path + ".tmp", "w") as f:
            json.dump({"process": name, "commands": dict(counts)}, f)
        os.replace(path + ".tmp", path)

    class Counting(monitoring.CommandListener):
        def started(self, event):
            counts[event.command_name] += 1
            now = time.monotonic()
            if now - last[0] > 1:
                last[0] = now
                dump()

        def succeeded(self, event):
            pass

        def failed(self, event):
            pass

    monitoring.register(Counting())
    atexit.register(dump)
