"""The data generator's received times (bench/generate.py): exactly n, in order, all before
NOW, and the office hours just before NOW hold cases like any day's (a store generated at
11:35 UTC used to have none since 16:00 UTC the day before)."""

import random
from datetime import timedelta

from bench import generate


def test_received_times_fill_every_day_up_to_now(monkeypatch):
    for now in (
        generate.NOW.replace(hour=11, minute=35),  # 19:35 in China: today's office hours
        generate.NOW.replace(hour=0, minute=0, second=0),  # none of today's yet
    ):
        monkeypatch.setattr(generate, "NOW", now)
        times = list(generate.received_times(random.Random(7), 30_000, days=30))
        assert len(times) == 30_000 and times == sorted(times) and times[-1] < now
        assert times[0] >= now.replace(hour=0, minute=0, second=0) - timedelta(days=29)
        last_hours = [t for t in times if t >= now - timedelta(hours=3)]
        if now.hour:
            assert len(last_hours) > 30_000 / 30 / 16  # at least an even hour's share
        else:
            assert last_hours == []  # 16:00–24:00 UTC is night in China
