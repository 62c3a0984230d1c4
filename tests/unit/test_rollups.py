"""The rollups' pure rules (docs/decisions/0021): how a period is cut into months, days and
partial days, and that folding changes in any order gives the rollup of the final cases."""

import random
from datetime import datetime, timedelta, timezone

from services.reading import rollups

TZ = "Asia/Shanghai"
UTC = timezone.utc


def test_a_quarter_is_three_months_and_a_ragged_period_is_cut_at_local_midnights():
    start, end = datetime(2026, 6, 30, 16, tzinfo=UTC), datetime(2026, 9, 30, 16, tzinfo=UTC)
    assert rollups.pieces(start, end, TZ) == [("m", "2026-07"), ("m", "2026-08"), ("m", "2026-09")]
    ragged = rollups.pieces(start + timedelta(hours=5), start + timedelta(days=33, hours=1), TZ)
    assert ragged[0] == ("cases", start + timedelta(hours=5), start + timedelta(days=1))
    assert [p[1] for p in ragged[1:-1]] == [f"2026-07-{d:02d}" for d in range(2, 32)] + [
        "2026-08-01",
        "2026-08-02",
    ]
    assert ragged[-1] == ("cases", start + timedelta(days=33), start + timedelta(days=33, hours=1))
    assert rollups.day_bounds("2026-07-01", TZ) == (start, start + timedelta(days=1))
    assert len(rollups.days_of_month("2026-02")) == 28


def _case(i, rng):
    assigned = datetime(2026, 7, 1, 2, tzinfo=UTC) + timedelta(hours=i)
    status = rng.choice(["assigned", "in_progress", "answered", "closed", "merged"])
    answered = (
        assigned + timedelta(hours=rng.randint(1, 300))
        if status in ("answered", "closed")
        else None
    )
    return {
        "_id": f"LX-T-{i:04d}",
        "status": status,
        "topic": rng.choice(["a", "b"]),
        "channel": "web",
        "kind": "complaint",
        "location": {"town": rng.choice(["x", "y"])},
        "received_at": assigned,
        "answered_at": answered,
        "assignment": {
            "lead_unit": rng.choice(["u1", "u2"]),
            "assigned_at": assigned,
            "due_at": assigned + timedelta(days=7),
        },
        "return_visit": {"satisfaction": rng.choice(["satisfied", "dissatisfied"])}
        if status == "closed"
        else None,
        "returns_count": rng.randint(0, 1),
        "rejections_count": rng.randint(0, 2),
    }


def test_folding_changes_in_any_order_gives_the_rollup_of_the_final_cases():
    rng = random.Random(3)
    history = {i: [_case(i, rng) for _ in range(3)] for i in range(40)}
    folded = rollups.empty()
    transitions = []
    for i, versions in history.items():
        previous = None
        for n, case in enumerate(versions):
            transitions.append((f"LX-T-{i:04d}", n, previous, rollups.contribution(case)))
            previous = rollups.contribution(case)
    queues = {}
    for t in transitions:
        queues.setdefault(t[0], []).append(t)
    while queues:  # cases interleaved at random; each case's changes in its own order
        case_id = rng.choice(sorted(queues))
        _, _, old, new = queues[case_id].pop(0)
        rollups.fold(folded, case_id, old, new)
        if not queues[case_id]:
            del queues[case_id]
    direct = rollups.empty()
    for i, versions in history.items():
        rollups.fold(direct, f"LX-T-{i:04d}", None, rollups.contribution(versions[-1]))
    assert folded == direct
    now = datetime(2026, 7, 20, tzinfo=UTC)
    assert rollups.totals(folded, now)["total"] == sum(
        1 for v in history.values() if v[-1]["status"] != "merged"
    )
