"""Alerts, statistics and reports over HTTP (docs/contract.md §6, §7, §10), every service a
process."""

import pytest

from tests.helpers import wait_for

from .test_lifecycle import submit, to_answered

pytestmark = pytest.mark.e2e
PERIOD = {"from": "2026-01-01T00:00:00Z", "to": "2030-01-01T00:00:00Z"}


def test_stats_and_assessment_over_http(county):
    api = county.api
    case_id, _ = submit(county, title="统计测试")
    to_answered(county, case_id)
    stats = api.get("/stats", "leader_li", params={**PERIOD, "group_by": "unit"})
    assert stats.status_code == 200, stats.text
    env = next(g for g in stats.json()["groups"] if g["key"] == "environment_bureau")
    assert env["name"] == "县生态环境局" and env["completed"] >= 1
    rate = env["completion_rate"]
    assert rate["value"] == round(rate["numerator"] / rate["denominator"], 4)
    assessment = api.get("/assessment", "supervisor", params=PERIOD).json()
    assert [u["rank"] for u in assessment["units"]] == list(range(1, len(assessment["units"]) + 1))
    assert api.get("/stats", "env_handler", params=PERIOD).status_code == 403
    bad = api.get("/stats", "leader_li", params={**PERIOD, "group_by": "weather"})
    assert bad.status_code == 422
    assert set(bad.json()["error"]["details"]["fields"]) == {"group_by"}
    backwards = api.get(
        "/stats", "leader_li", params={"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}
    )
    assert backwards.status_code == 422
    assert set(backwards.json()["error"]["details"]["fields"]) == {"to"}
    naive = api.get("/stats", "leader_li", params={"from": "2026-01-01", "to": "2027-01-01"})
    assert naive.status_code == 422


def test_bulletin_and_digest_in_every_format(county):
    api = county.api
    quarter = "2026Q4"
    as_json = api.get("/reports/bulletin", "leader_li", params={"quarter": quarter})
    assert as_json.status_code == 200 and as_json.json()["quarter"] == quarter
    as_csv = api.get("/reports/bulletin", "leader_li", params={"quarter": quarter, "format": "csv"})
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    assert as_csv.content.decode("utf-8-sig").splitlines()[0].startswith("rank,unit,name")
    as_pdf = api.get("/reports/bulletin", "leader_li", params={"quarter": quarter, "format": "pdf"})
    assert as_pdf.headers["Content-Type"] == "application/pdf"
    assert as_pdf.content.startswith(b"%PDF")
    assert (
        api.get("/reports/bulletin", "leader_li", params={"quarter": "2026Q5"}).status_code == 422
    )
    digest = api.get("/reports/digest", "leader_li")
    assert digest.status_code == 200 and {s["leader"] for s in digest.json()["leaders"]} >= {
        "magistrate_li",
        "deputy_chen",
    }
    pdf = api.get("/reports/digest", "leader_li", params={"format": "pdf"})
    assert pdf.content.startswith(b"%PDF")


def test_a_collective_case_alert_is_listed_and_acknowledged(county):
    api = county.api
    case_id, _ = submit(county, title="集体上访", people_involved=25, location={"town": "河西乡"})
    alert = wait_for(
        lambda: [
            a
            for a in api.get("/alerts", "leader_li").json()["items"]
            if case_id in [c["id"] for c in a["cases"]]
        ]
    )[0]
    assert alert["kind"] == "collective" and alert["status"] == "open"
    assert api.post(f"/alerts/{alert['id']}/ack", None, "leader_li").status_code == 403
    acked = api.post(f"/alerts/{alert['id']}/ack", None, "dispatcher").json()
    assert acked["status"] == "acknowledged"
    mail = wait_for(
        lambda: [
            m for m in county.mailbox.to("chen@demo-county.gov.cn") if "集体上访" in m["subject"]
        ]
    )
    assert case_id in mail[0]["body"]
    office = api.get(f"/cases/{case_id}", "supervisor").json()
    key = office["citizen_keys"][0]
    history = api.get(f"/citizens/{key}/cases", "supervisor").json()
    assert case_id in [c["id"] for c in history["items"]]
    assert api.get(f"/citizens/{key}/cases", "env_handler").status_code == 403


def test_the_figures_equal_a_recount_from_the_case_timelines(county):
    """Cases walked through the real services: the figures equal what each case's own audit
    trail says (the answer is the last word of approve/reopen/close, a return is a request,
    a reopening is a reopen)."""
    api = county.api
    answered, _ = submit(county, title="时间线1")
    to_answered(county, answered)
    closed, _ = submit(county, title="时间线2")
    to_answered(county, closed)
    api.act(closed, "visit", "supervisor", {"method": "phone", "satisfaction": "satisfied"})
    reopened, _ = submit(county, title="时间线3")
    to_answered(county, reopened)
    api.act(reopened, "visit", "supervisor", {"method": "phone", "satisfaction": "dissatisfied"})
    returned, _ = submit(county, title="时间线4")
    api.act(returned, "return", "env_handler", {"reason": "不属于本单位"})
    api.act(returned, "return/decision", "dispatcher", {"accept": False, "comment": "请办理"})

    def recount():
        out = {"total": 0, "completed": 0, "closed": 0, "returned": 0, "reopened": 0}
        for case in county.db.cases.find({}):
            if case["status"] in ("merged", "not_accepted"):
                continue
            actions = [e["action"] for e in case["timeline"]]
            last = [
                a for a in actions if a in ("approve_reply", "direct_answer", "reopen", "close")
            ]
            out["total"] += 1
            out["completed"] += bool(last) and last[-1] != "reopen"
            out["closed"] += bool(last) and last[-1] == "close"
            out["returned"] += "request_return" in actions
            out["reopened"] += "reopen" in actions
        return out

    def figures():
        stats = api.get("/stats", "leader_li", params={**PERIOD, "group_by": "unit"}).json()
        return {
            k: stats["totals"][k] for k in ("total", "completed", "closed", "returned", "reopened")
        }

    # The rollups follow the case events (docs/decisions/0021): the figures reach the recount
    # once the last action's event is consumed, and then stay there.
    expected = recount()
    wait_for(lambda: figures() == expected, timeout=30)
    totals = figures()
    assert totals == expected
    assert totals["returned"] >= 1 and totals["reopened"] >= 1 and totals["closed"] >= 1
