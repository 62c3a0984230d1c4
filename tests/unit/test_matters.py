"""Supervised matters, free of I/O: the state table, the rules of each action, who sees what,
what the sweep owes a matter at a moment, and the public board's masking."""

from datetime import datetime, timedelta, timezone

import pytest

from lianxin import matter_workflow
from lianxin.errors import Forbidden, NotFound, ValidationFailed, WrongState
from services.matters import domain, public, watch

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)
UNITS = {"housing_bureau", "environment_bureau", "chengguan_town"}
LEADERS = {"magistrate_li", "deputy_chen"}
SUPERVISOR = {"username": "supervisor", "role": "supervisor", "unit": "mass_work_office"}
LEADER = {"username": "leader_li", "role": "leader", "leader": "magistrate_li", "unit": None}
HOUSING = {"username": "housing_handler", "role": "handler", "unit": "housing_bureau"}
HOUSING_LEAD = {"username": "housing_leader", "role": "unit_leader", "unit": "housing_bureau"}
ENV = {"username": "env_handler", "role": "handler", "unit": "environment_bureau"}
TOWN = {"username": "cg_leader", "role": "unit_leader", "unit": "chengguan_town"}


def body(**over):
    b = {
        "kind": "project",
        "title": "老旧小区加装电梯 联系人13812345678",
        "description": "城关镇三个小区加装电梯",
        "source": {"year": 2026, "case_ids": ["LX-1", "LX-2"]},
        "lead_unit": "housing_bureau",
        "co_units": ["chengguan_town"],
        "starts_at": T0,
        "ends_at": T0 + timedelta(days=90),
        "milestones": [
            {"title": "完成设计", "due_at": T0 + timedelta(days=30)},
            {"title": "完成施工", "due_at": T0 + timedelta(days=80)},
        ],
        "report_every_days": 14,
    }
    b.update(over)
    return b


def draft(**over):
    return domain.new_matter("DB20260001", body(**over), SUPERVISOR, T0, UNITS, LEADERS)


def apply(matter, change):
    return {**matter, **change.set, "status": change.status}


def published(**over):
    m = draft(**over)
    return apply(m, domain.publish(m, SUPERVISOR, T0))


def test_the_state_table_holds_every_status_and_each_role_to_its_actions():
    targets = {to for _, to, _ in matter_workflow.TRANSITIONS.values() if to}
    assert targets == set(matter_workflow.STATES)
    assert matter_workflow.check("publish", "draft", "supervisor") == "published"
    with pytest.raises(Forbidden):
        matter_workflow.check("publish", "draft", "handler")
    with pytest.raises(WrongState):
        matter_workflow.check("confirm", "in_progress", "supervisor")
    assert not matter_workflow.allowed("confirm", "done", "unit_leader")


def test_a_milestone_after_the_end_names_the_field_and_the_reason():
    late = [{"title": "验收", "due_at": T0 + timedelta(days=91)}]
    with pytest.raises(ValidationFailed) as exc:
        draft(milestones=late)
    fields = exc.value.details["fields"]
    assert (
        list(fields) == ["milestones.0.due_at"]
        and "after the matter's end" in fields["milestones.0.due_at"][0]
    )
    with pytest.raises(ValidationFailed) as exc:
        draft(ends_at=T0 - timedelta(days=1), milestones=[{"title": "x", "due_at": T0}])
    assert "ends_at" in exc.value.details["fields"]


def test_each_source_names_where_it_came_from():
    with pytest.raises(ValidationFailed) as exc:
        draft(kind="instruction", source={})
    assert "source.leader" in exc.value.details["fields"]
    with pytest.raises(ValidationFailed) as exc:
        draft(kind="cluster", source={})
    assert "source.case_ids" in exc.value.details["fields"]
    by_leader = domain.new_matter(
        "DB1", body(kind="instruction", source={"case_id": "LX-9"}), LEADER, T0, UNITS, LEADERS
    )
    assert by_leader["source"]["leader"] == "magistrate_li"
    assert by_leader["source"]["case_id"] == "LX-9" and by_leader["public"] is False
    with pytest.raises(ValidationFailed) as exc:
        draft(lead_unit="nowhere")
    assert "lead_unit" in exc.value.details["fields"]
    with pytest.raises(ValidationFailed) as exc:
        draft(lead_unit=None, co_units=[])
    assert "lead_unit" in exc.value.details["fields"]


def test_percent_going_back_needs_a_reason():
    m = published()
    m = apply(m, domain.progress(m, HOUSING, {"text": "设计中", "percent": 30}, T0))
    assert m["status"] == "in_progress" and m["percent"] == 30
    with pytest.raises(ValidationFailed) as exc:
        domain.progress(m, HOUSING, {"text": "返工", "percent": 20}, T0)
    assert "from 30 to 20" in exc.value.details["fields"]["reason"][0]
    back = domain.progress(m, HOUSING, {"text": "返工", "percent": 20, "reason": "图纸返工"}, T0)
    assert back.set["percent"] == 20 and back.data["previous_percent"] == 30
    with pytest.raises(ValidationFailed):
        domain.progress(m, HOUSING, {"text": "x", "percent": 40, "milestones_done": ["m9"]}, T0)


def test_only_responsible_units_report_and_only_the_lead_reports_done_with_evidence():
    m = published()
    with pytest.raises(Forbidden):
        domain.progress(m, ENV, {"text": "x", "percent": 10}, T0)
    m = apply(m, domain.progress(m, TOWN, {"text": "配合", "percent": 10}, T0))  # a co-unit
    with pytest.raises(Forbidden):
        domain.report_done(m, TOWN, {"text": "完成", "evidence": ["f1"]}, T0)
    with pytest.raises(ValidationFailed) as exc:
        domain.report_done(m, HOUSING_LEAD, {"text": "完成", "evidence": []}, T0)
    assert "evidence" in exc.value.details["fields"]
    done = apply(m, domain.report_done(m, HOUSING_LEAD, {"text": "完成", "evidence": ["f1"]}, T0))
    assert done["status"] == "done" and done["percent"] == 100
    assert all(ms["done_at"] for ms in done["milestones"])


def test_only_a_confirmed_matter_is_closed_and_a_send_back_needs_a_reason():
    m = published()
    m = apply(m, domain.progress(m, HOUSING, {"text": "推进", "percent": 50}, T0))
    m = apply(m, domain.report_done(m, HOUSING, {"text": "完成", "evidence": ["f1"]}, T0))
    with pytest.raises(ValidationFailed):
        domain.send_back(m, SUPERVISOR, {"reason": " "}, T0)
    back = apply(m, domain.send_back(m, SUPERVISOR, {"reason": "缺验收材料"}, T0))
    assert back["status"] == "in_progress" and back["done"] is None
    assert "closed_at" not in back
    m = apply(back, domain.report_done(back, HOUSING, {"text": "补齐", "evidence": ["f2"]}, T0))
    closed = apply(m, domain.confirm(m, SUPERVISOR, {}, T0))
    assert closed["status"] == "confirmed" and closed["closed_at"] == T0
    with pytest.raises(WrongState):
        domain.confirm(closed, SUPERVISOR, {}, T0)


def test_claiming_a_project_put_up_for_claiming():
    m = published(lead_unit=None, co_units=[], claimable=True)
    with pytest.raises(Forbidden):  # not yet responsible
        domain.progress(m, HOUSING, {"text": "x", "percent": 1}, T0)
    assert domain.visible(m, ENV) and "claim" in domain.allowed_actions(m, ENV)
    m = apply(m, domain.claim(m, HOUSING, T0))
    assert m["lead_unit"] == "housing_bureau"
    m = apply(m, domain.claim(m, ENV, T0))
    assert m["co_units"] == ["environment_bureau"]
    with pytest.raises(WrongState):
        domain.claim(m, ENV, T0)
    m = apply(m, domain.claim(m, LEADER, T0))
    assert m["leader"] == "magistrate_li"
    with pytest.raises(WrongState):
        domain.claim(m, {**LEADER, "leader": "deputy_chen"}, T0)
    not_for_claiming = published()
    with pytest.raises(WrongState):
        domain.claim(not_for_claiming, ENV, T0)


def test_units_see_their_own_matters_and_those_up_for_claiming():
    m = published()
    assert domain.visible(m, HOUSING) and domain.visible(m, TOWN) and domain.visible(m, LEADER)
    assert not domain.visible(m, ENV)
    with pytest.raises(NotFound):
        domain.check_visible(m, ENV, m["_id"])
    assert not domain.visible(draft(lead_unit=None, claimable=True), ENV)  # a draft is not up yet


def test_the_sweep_owes_a_reminder_a_yellow_and_a_red_per_milestone_once_each():
    m = published()
    rules = watch.Rules(remind_days=3, yellow_share=0.8)
    due = T0 + timedelta(days=30)

    def keys(at):
        return sorted(a.key.split(":")[0] for a in watch.evaluate(m, at, rules)[0])

    assert keys(T0) == []
    assert watch.evaluate(m, T0, rules)[1] == T0 + timedelta(days=14)  # first report due
    assert keys(due - timedelta(days=5)) == ["matter_report_due", "matter_yellow"]
    assert keys(due - timedelta(days=3)) == [
        "matter_reminder",
        "matter_report_due",
        "matter_yellow",
    ]
    assert keys(due) == ["matter_overdue", "matter_stale"]  # 30 days > 2 report periods
    assert domain.risky(m, due) and domain.warning(m, due) == "red"
    assert domain.warning(m, due - timedelta(days=3)) == "yellow"
    # a report clears the staleness; the milestone done clears its alerts
    reported = apply(
        m,
        domain.progress(
            m, HOUSING, {"text": "设计完成", "percent": 40, "milestones_done": ["m1"]}, due
        ),
    )
    assert keys(due) == ["matter_overdue", "matter_stale"]  # the old matter still owes them
    assert [a.key.split(":")[0] for a in watch.evaluate(reported, due, rules)[0]] == []
    assert not domain.risky(reported, due)


def test_keys_are_unique_to_the_milestone_its_date_and_the_last_report():
    m = published()
    rules = watch.Rules(remind_days=3, yellow_share=0.8)
    at = T0 + timedelta(days=31)
    alerts = watch.evaluate(m, at, rules)[0]
    assert {a.key for a in alerts} == {
        "matter_overdue:DB20260001:m1:2026-03-31T02:00:00Z",
        "matter_stale:DB20260001:2026-03-01T02:00:00Z",
    }
    assert {a.data["lead_unit"] for a in alerts} == {"housing_bureau"}
    assert watch.evaluate({**m, "status": "done"}, at, rules) == ([], None)


def test_at_risk_recovers_with_a_report_that_leaves_nothing_overdue():
    m = published()
    late = T0 + timedelta(days=31)
    m = {**m, "status": "at_risk"}
    still = domain.progress(m, HOUSING, {"text": "推进", "percent": 30}, late)
    assert still.status == "at_risk"  # milestone 1 is still overdue
    ok = domain.progress(
        m, HOUSING, {"text": "设计完成", "percent": 40, "milestones_done": ["m1"]}, late
    )
    assert ok.status == "in_progress"


def test_the_public_sees_published_projects_masked_and_never_instructions_or_drafts():
    m = published()
    assert public.visible(m) and not public.visible(draft())
    instruction = domain.new_matter(
        "DB2", body(kind="instruction", source={}), LEADER, T0, UNITS, LEADERS
    )
    assert not public.visible({**instruction, "status": "published"})
    m = apply(
        m,
        domain.progress(
            m, HOUSING, {"text": "联系 13812345678", "percent": 30, "evidence": ["f1"]}, T0
        ),
    )
    item = public.item(m, {"housing_bureau": "住建局"}, {})
    assert item["title"] == "老旧小区加装电梯 联系人138****5678"
    assert item["latest_report"] == {
        "at": "2026-03-01T02:00:00Z",
        "text": "联系 138****5678",
        "percent": 30,
    }
    assert item["lead_unit"] == "住建局" and "evidence" not in str(item) and "progress" not in item
