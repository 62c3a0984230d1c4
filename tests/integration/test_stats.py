"""Statistics, assessment, bulletin and digest over a generated county with a known answer key
(tests/county_generator.py keeps it while it decides each case), on the real store."""

import csv
import io

import pytest

from lianxin.clock import utcnow
from services.reading import rollup_store
from tests.county_generator import Q3_END, Q3_START, expected_score, generate

pytestmark = pytest.mark.integration
LEADER = {"username": "leader_li", "role": "leader", "leader": "magistrate_li"}
N = 3000


@pytest.fixture
def county_cases(db):
    now = utcnow()
    cases, key = generate(N, now)
    db.cases.insert_many(cases)
    rollup_store.rebuild(db, out=lambda *_: None)  # cases loaded as by a restore
    return key


def _fraction(rate):
    return rate["numerator"], rate["denominator"]


def _check(figures, k):
    assert figures["total"] == k["total"]
    assert figures["closed"] == k["closed"]
    assert figures["completed"] == k["completed"]
    assert _fraction(figures["completion_rate"]) == (k["completed"], k["total"])
    assert _fraction(figures["on_time_rate"]) == (k["on_time"], k["completed"] + k["overdue_open"])
    assert _fraction(figures["satisfaction_rate"]) == (k["satisfied"], k["rated"])
    assert figures["completion_rate"]["value"] == (
        round(k["completed"] / k["total"], 4) if k["total"] else None
    )
    assert figures["average_handling_hours"]["cases"] == k["hours_cases"]
    assert figures["average_handling_hours"]["total_hours"] == pytest.approx(k["hours"], abs=1e-3)
    for name in ("overdue_open", "returned", "extensions", "reopened"):
        assert figures[name] == k[name], name


def test_every_figure_equals_the_answer_key(start_services, rpc, county_cases):
    start_services("reading")
    key = county_cases
    for group_by in ("unit", "topic", "town", "channel", "kind"):
        out = rpc.reading.stats(LEADER, Q3_START.isoformat(), Q3_END.isoformat(), group_by)
        assert {g["key"] for g in out["groups"]} == set(key[group_by])
        for g in out["groups"]:
            _check(g, key[group_by][g["key"]])
        _check(out["totals"], key["all"]["all"])
    assert key["all"]["all"]["total"] < N  # some were outside the quarter, merged or refused


def test_scores_ranking_and_the_bulletin_equal_the_answer_key(start_services, rpc, county_cases):
    start_services("reading")
    key = county_cases["unit"]
    expected = sorted(((u, expected_score(k)) for u, k in key.items()), key=lambda x: (-x[1], x[0]))
    bulletin = rpc.reading.bulletin(LEADER, "2026Q3")
    assert [(u["unit"], u["score"]) for u in bulletin["ranking"]] == expected
    assert [u["rank"] for u in bulletin["ranking"]] == list(range(1, len(expected) + 1))
    for u in bulletin["ranking"]:
        assert u["flagged"] == (u["score"] < 60)
        assert u["cases"] == key[u["unit"]]["total"]
        traced = set().union(*[set(d["cases"]) for d in u["deductions"].values()])
        assert traced <= set(key[u["unit"]]["ids"])  # every deduction names its cases
    townships = [u for u, _ in expected if u.endswith("_town")]
    departments = [u for u, _ in expected if u.endswith(("_bureau", "_commission"))]
    assert bulletin["lowest_township"]["unit"] == townships[-1]
    assert [d["unit"] for d in bulletin["lowest_departments"]] == departments[-3:][::-1]
    assert {t["key"] for t in bulletin["by_topic"]} == set(county_cases["topic"])
    assert len(bulletin["best_cases"]) == 5


def test_the_digest_counts_by_portfolio_and_finds_rising_topics(
    start_services, rpc, db, county_cases
):
    from datetime import timedelta

    start_services("reading")
    start, end = Q3_START + timedelta(days=40), Q3_START + timedelta(days=50)
    digest = rpc.reading.digest(LEADER, start.isoformat(), end.isoformat())
    zhao = next(s for s in digest["leaders"] if s["leader"] == "deputy_zhao")
    portfolio = set(zhao["portfolio"])

    def recount(a, b):
        counts = {}
        for c in db.cases.find({}, {"received_at": 1, "topic": 1, "status": 1}):
            if a <= c["received_at"] < b and c["status"] != "merged" and c["topic"] in portfolio:
                counts[c["topic"]] = counts.get(c["topic"], 0) + 1
        return counts

    now, before = recount(start, end), recount(start - (end - start), start)
    assert {t["topic"]: t["count"] for t in zhao["by_topic"]} == now
    assert {t["topic"]: t["previous"] for t in zhao["by_topic"]} == {
        t: before.get(t, 0) for t in now
    }
    assert zhao["total"] == sum(now.values())
    rising = sorted(
        ((t, n - before.get(t, 0)) for t, n in now.items() if n > before.get(t, 0)),
        key=lambda kv: (-kv[1], kv[0]),
    )[:5]
    assert [(t["topic"], t["increase"]) for t in zhao["rising_topics"]] == rising
    assert [t["topic"] for t in zhao["hot_topics"]] == [
        t for t, _ in sorted(now.items(), key=lambda kv: (-kv[1], kv[0]))
    ][:5]


def test_the_bulletin_as_csv_and_as_a_pdf_that_opens_with_the_ranking(
    start_services, rpc, county_cases, tmp_path
):
    import pypdfium2

    from gateway import render

    start_services("reading")
    bulletin = rpc.reading.bulletin(LEADER, "2026Q3")
    rows = list(csv.DictReader(io.StringIO(render.bulletin_csv(bulletin).lstrip("\ufeff"))))
    assert [(r["unit"], float(r["score"])) for r in rows] == [
        (u["unit"], u["score"]) for u in bulletin["ranking"]
    ]
    first = county_cases["unit"][rows[0]["unit"]]
    assert rows[0]["completion_rate"] == f"{first['completed']}/{first['total']}"

    pdf = pypdfium2.PdfDocument(render.bulletin_pdf(bulletin))
    page = pdf[0]
    image = page.render(scale=1.5).to_pil()
    image.save(tmp_path / "bulletin-page-1.png")
    assert image.size[0] > 800 and len(set(image.convert("L").getdata())) > 2  # not blank
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "单位考核排名" in text
    for unit in bulletin["ranking"]:
        assert unit["name"] in text  # every unit's row of the ranking table
    digest = rpc.reading.digest(LEADER, Q3_START.isoformat(), Q3_END.isoformat())
    assert pypdfium2.PdfDocument(render.digest_pdf(digest))[0].render().to_pil().size[0] > 0


def _reports(db, now, source, start, end, quarter):
    from services.reading import reports

    reports.PERIOD, saved = source, reports.PERIOD
    try:
        out = {
            by: reports.stats_report(db, now, LEADER, start, end, by)
            for by in ("unit", "topic", "town", "channel", "kind", "week")
        }
        out["assessment"] = reports.assessment(db, now, LEADER, start, end)
        out["bulletin"] = reports.bulletin(db, now, LEADER, quarter, "Asia/Shanghai")
        out["public"] = reports.public_stats(db, now, quarter, "Asia/Shanghai")
        return out
    finally:
        reports.PERIOD = saved


def test_rollups_give_the_recount_for_a_quarter_and_for_ragged_periods(db, county_cases):
    from datetime import timedelta

    from services.reading import reports

    now = utcnow()
    for start, end in [
        (Q3_START, Q3_END),  # three whole months
        (Q3_START + timedelta(days=3, hours=5), Q3_END - timedelta(days=40, hours=7)),
        (Q3_START - timedelta(days=20), Q3_START + timedelta(hours=30)),
    ]:
        rolled = _reports(db, now, reports.FromRollups, start, end, "2026Q3")
        recount = _reports(db, now, reports.Recount, start, end, "2026Q3")
        assert rolled == recount
    assert rolled["unit"]["totals"]["total"] > 0


def test_changes_folded_in_give_the_recount_and_equal_a_rebuild(db, county_cases):
    """Cases change (answered, closed, rated, reopened, merged): recorded twice each (a
    redelivery), in any order, folded — the same figures as a recount and as a rebuild."""
    import random
    from datetime import timedelta

    from services.reading import reports

    now = utcnow()
    rng = random.Random(7)
    ids = [c["_id"] for c in db.cases.find({}, {"_id": 1})]
    changed = rng.sample(ids, 300)
    for i, case_id in enumerate(changed):
        case = db.cases.find_one({"_id": case_id})
        a = case.get("assignment") or {}
        if i % 5 == 0:
            update = {"status": "merged"}
        elif i % 5 == 1 and a.get("assigned_at"):
            update = {
                "status": "closed",
                "answered_at": a["assigned_at"] + timedelta(hours=rng.randint(1, 400)),
                "return_visit": {"satisfaction": rng.choice(["satisfied", "dissatisfied"])},
            }
        elif i % 5 == 2:
            update = {"status": "in_progress", "reopen_count": case.get("reopen_count", 0) + 1}
        elif i % 5 == 3:
            update = {"returns_count": 1, "rejections_count": 2}
        else:
            update = {"topic": "transport", "location.town": "河西乡"}
        db.cases.update_one({"_id": case_id}, {"$set": update, "$inc": {"version": 1}})
        rollup_store.record(db, case_id)
        if i % 3 == 0:
            rollup_store.fold(db, limit=50)  # some folded midway, some still pending
    for case_id in reversed(changed):
        rollup_store.record(db, case_id)  # redelivered: nothing new
    recount = _reports(db, now, reports.Recount, Q3_START, Q3_END, "2026Q3")
    assert _reports(db, now, reports.FromRollups, Q3_START, Q3_END, "2026Q3") == recount
    while rollup_store.fold(db, limit=100):
        pass
    assert db.stat_deltas.count_documents({"folded": False}) == 0
    incremental = {d["_id"]: rollup_store._load_rollup(d) for d in db.stat_rollups.find()}
    assert _reports(db, now, reports.FromRollups, Q3_START, Q3_END, "2026Q3") == recount
    rollup_store.rebuild(db, out=lambda *_: None)
    rebuilt = {d["_id"]: rollup_store._load_rollup(d) for d in db.stat_rollups.find()}
    strip = ("rev", "batches")
    assert {k: {f: v for f, v in d.items() if f not in strip} for k, d in incremental.items()} == {
        k: {f: v for f, v in d.items() if f not in strip} for k, d in rebuilt.items()
    }
