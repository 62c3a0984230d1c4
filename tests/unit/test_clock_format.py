"""The wire format of every timestamp (lianxin/clock.py `isoformat`): RFC 3339 UTC with a Z,
whole seconds, whatever zone the time carries — the same text `astimezone` and `strftime`
wrote before it was made cheaper."""

import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bson import decode, encode
from bson.codec_options import CodecOptions

from lianxin.clock import isoformat


def _reference(dt):
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_time_in_any_zone_is_written_in_utc_with_a_z_and_whole_seconds():
    shanghai = datetime(2026, 12, 1, 8, 30, 59, 999_999, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert isoformat(shanghai) == "2026-12-01T00:30:59Z"
    assert isoformat(datetime(2026, 12, 1, 0, 0)) == "2026-12-01T00:00:00Z"  # naive is UTC
    assert isoformat(None) is None
    stored = decode(encode({"t": shanghai}), codec_options=CodecOptions(tz_aware=True))["t"]
    assert isoformat(stored) == "2026-12-01T00:30:59Z"  # the store's own UTC zone


def test_it_writes_what_astimezone_and_strftime_wrote():
    rng = random.Random(14)
    zones = [
        None,
        timezone.utc,
        ZoneInfo("Asia/Shanghai"),
        ZoneInfo("America/New_York"),  # gaps and folds
        timezone(timedelta(hours=-3, minutes=-30)),
    ]
    for _ in range(20_000):
        dt = datetime(1970, 1, 1) + timedelta(seconds=rng.randrange(3 * 10**9))
        dt = dt.replace(microsecond=rng.randrange(10**6), fold=rng.randrange(2))
        zone = rng.choice(zones)
        dt = dt.replace(tzinfo=zone) if zone else dt
        assert isoformat(dt) == _reference(dt), dt
