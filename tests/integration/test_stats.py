"""Statistics, assessment, bulletin and digest over a generated county with a known answer key
(tests/county_generator.py keeps it while it decides each case), on the real store."""

import csv
import io

import pytest

from lianxin.clock import utcnow
from tests.county_generator import Q3_END, Q3_START, expected_score, generate

pytestmark = pytest.mark.integration
LEADER = {"username": "leader_li", "role": "leader", "leader": "magistrate_li"}
N = 3000


@pytest.fixture
def county_cases(db):
    now = utcnow()
    cases, key = generate(N, now)
    db.cases.insert_many(cases)
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
