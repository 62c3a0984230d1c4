"""The pure rules of asking the public: a draft's sections, when comments are taken, reports
and moderation, decisions, the summary from the decisions; survey definitions, answers and
results."""

from datetime import datetime, timedelta, timezone

import pytest

from lianxin.errors import ValidationFailed, WrongState
from services.consult import consultations as rules
from services.consult import surveys
from services.consult.drafts import parse_sections

NOW = datetime(2026, 11, 25, 8, tzinfo=timezone.utc)
CLERK = {"username": "clerk", "role": "clerk"}


def consultation(**kw):
    return {
        "_id": "CN-1",
        "kind": "consultation",
        "title": "办法",
        "status": "published",
        "opens_at": NOW - timedelta(days=1),
        "closes_at": NOW + timedelta(days=1),
        "sections": [
            {"id": "s1", "label": "第一条", "heading": "目的"},
            {"id": "s2", "label": "第二条", "heading": "范围"},
        ],
        "allow_anonymous": True,
        **kw,
    }


def comment(n=1, section="s1", **kw):
    c = rules.new_comment(
        f"CM-{n}",
        consultation(),
        {"text": f"意见{n}", "section": section, "anonymous": True},
        NOW + timedelta(seconds=n),
        f"k{n}",
    )
    return {**c, **kw}


def test_articles_and_headings_become_sections_with_the_preamble_first():
    text = (
        "说明文字\n\n第一条 为了规范管理，制定本办法。\n第二条　适用范围。\n  续行\n第十二条 附则"
    )
    found = parse_sections(text)
    assert [(s["id"], s["label"]) for s in found] == [
        ("s1", None),
        ("s2", "第一条"),
        ("s3", "第二条"),
        ("s4", "第十二条"),
    ]
    assert found[0]["text"] == "说明文字" and found[2]["text"].endswith("续行")
    md = parse_sections("# 方案\n\n## 一、目标\n内容\n\n1. 第一项\n2. 第二项")
    assert [s["heading"] for s in md] == ["方案", "一、目标", "第一项", "第二项"]
    assert parse_sections("没有结构") == [
        {"id": "s1", "label": None, "heading": "前言", "text": "没有结构"}
    ]


def test_comments_are_taken_only_while_open_and_on_a_real_section():
    rules.check_comment(consultation(), NOW, {"section": "s2"})
    with pytest.raises(WrongState):
        rules.check_comment(consultation(), NOW + timedelta(days=1), {})  # the end is excluded
    with pytest.raises(WrongState):
        rules.check_comment(consultation(status="draft"), NOW, {})
    with pytest.raises(WrongState):
        rules.check_comment(consultation(opens_at=NOW + timedelta(hours=1)), NOW, {})
    with pytest.raises(ValidationFailed):
        rules.check_comment(consultation(), NOW, {"section": "s9"})
    with pytest.raises(ValidationFailed):
        rules.check_comment(consultation(allow_anonymous=False), NOW, {"anonymous": True})


def test_pre_moderation_holds_a_new_comment_and_a_notice_takes_objections():
    c = rules.new_comment(
        "CM-1",
        consultation(moderation="pre", kind="notice"),
        {"text": "x", "anonymous": True},
        NOW,
        "k",
    )
    assert c["status"] == "held" and c["kind"] == "objection" and c["contact"] is None


def test_the_third_reporter_holds_a_comment_and_one_reporter_counts_once():
    c = comment()
    for who in ("a", "b", "b"):
        c, held = rules.report(c, "spam", who, NOW, hold_after=3)
        assert not held and c["status"] == "shown"
    c, held = rules.report(c, "offensive", "c", NOW, hold_after=3)
    assert held and c["status"] == "held" and c["moderation"]["reason"] == "reports"
    with pytest.raises(ValidationFailed):
        rules.report(comment(), "boring", "d", NOW, hold_after=3)


def test_a_moderator_shown_comment_is_held_again_only_by_new_reports():
    c = comment()
    for who in "abc":
        c, _ = rules.report(c, "spam", who, NOW, hold_after=3)
    c = rules.moderate(c, "shown", None, CLERK, NOW)
    c, held = rules.report(c, "spam", "d", NOW, hold_after=3)
    assert not held and c["status"] == "shown"
    for who in "ef":
        c, held = rules.report(c, "spam", who, NOW, hold_after=3)
    assert held


def test_holding_or_hiding_needs_a_reason():
    with pytest.raises(ValidationFailed):
        rules.moderate(comment(), "hidden", " ", CLERK, NOW)
    hidden = rules.moderate(comment(), "hidden", "广告", CLERK, NOW)
    assert hidden["moderation"] == {"status": "hidden", "reason": "广告", "by": "clerk", "at": NOW}
    with pytest.raises(ValidationFailed):
        rules.moderate(comment(), "deleted", "x", CLERK, NOW)


def test_not_adopted_needs_a_reason_and_a_hidden_comment_takes_no_decision():
    with pytest.raises(ValidationFailed):
        rules.decide(comment(), "not_adopted", "", CLERK, NOW)
    assert (
        rules.decide(comment(), "not_adopted", "不符", CLERK, NOW)["decision"]["reason"] == "不符"
    )
    with pytest.raises(WrongState):
        rules.decide(comment(status="hidden"), "noted", None, CLERK, NOW)
    with pytest.raises(ValidationFailed):
        rules.decide(comment(), "maybe", None, CLERK, NOW)


def test_the_summary_counts_by_section_and_decision_and_quotes_the_adopted():
    decided = [
        rules.decide(comment(1, "s1"), "adopted", None, CLERK, NOW),
        rules.decide(comment(2, "s1"), "not_adopted", "不符", CLERK, NOW),
        rules.decide(comment(3, "s2"), "partly_adopted", "部分", CLERK, NOW),
        rules.decide(comment(4, None), "noted", None, CLERK, NOW),
        comment(5, "s2"),  # undecided
        {**comment(6, "s2"), "status": "hidden"},  # not counted
    ]
    s = rules.summarize(consultation(), decided)
    assert s["totals"] == {
        "total": 5,
        "adopted": 1,
        "partly_adopted": 1,
        "not_adopted": 1,
        "noted": 1,
        "undecided": 1,
    }
    rows = {r["section"]: r for r in s["by_section"]}
    assert (rows[None]["noted"], rows["s1"]["total"], rows["s1"]["adopted"]) == (1, 2, 1)
    assert (rows["s2"]["partly_adopted"], rows["s2"]["undecided"]) == (1, 1)
    assert [q["comment_id"] for q in s["quoted"]] == ["CM-1", "CM-3"]
    assert "共收到有效意见5条" in s["text"]


def test_the_public_sees_a_comment_masked():
    c = rules.new_comment(
        "CM-1",
        consultation(),
        {
            "text": "电话13812345678",
            "contact": {"name": "王五", "phone": "13900001111", "email": "w@x.cn"},
        },
        NOW,
        "k",
    )
    view = rules.public_comment(c)
    assert view["text"] == "电话138****5678"
    assert view["author"] == {"name": "王**", "phone": "139****1111"}
    assert "w@x.cn" not in str(view)


SURVEY = {
    "opens_at": NOW - timedelta(days=1),
    "closes_at": NOW + timedelta(days=1),
    "status": "published",
    "questions": [
        {"id": "q1", "kind": "single", "text": "乡镇", "options": ["甲", "乙"], "required": True},
        {"id": "q2", "kind": "multiple", "text": "关心", "options": ["a", "b", "c"]},
        {"id": "q3", "kind": "scale", "text": "评分", "scale": "0-10"},
        {"id": "q4", "kind": "short_text", "text": "建议"},
        {
            "id": "q5",
            "kind": "matrix",
            "text": "服务",
            "rows": ["窗口", "热线"],
            "options": ["好", "差"],
            "required": True,
        },
    ],
}


def test_a_survey_definition_is_checked():
    surveys.check_definition(SURVEY)
    bad = {
        **SURVEY,
        "questions": [
            {"id": "x", "kind": "single", "text": "?", "options": ["only"]},
            {"id": "x", "kind": "scale", "text": "?"},
        ],
    }
    with pytest.raises(ValidationFailed) as e:
        surveys.check_definition(bad)
    assert set(e.value.details["fields"]) == {"0", "1"}
    with pytest.raises(ValidationFailed):
        surveys.check_definition({**SURVEY, "identity": "anonymous", "once_per": "contact"})


def test_answers_are_checked_per_question():
    ok = surveys.clean_answers(
        SURVEY, {"q1": 1, "q2": [2, 0, 2], "q3": 0, "q4": " 好 ", "q5": [0, 1]}
    )
    assert ok == {"q1": 1, "q2": [0, 2], "q3": 0, "q4": "好", "q5": [0, 1]}
    with pytest.raises(ValidationFailed) as e:
        surveys.clean_answers(
            SURVEY, {"q1": 2, "q2": [5], "q3": 11, "q4": "x" * 201, "q5": [0, None], "q9": 1}
        )
    assert set(e.value.details["fields"]) == {"q1", "q2", "q3", "q4", "q5", "q9"}
    with pytest.raises(ValidationFailed) as e:
        surveys.clean_answers(SURVEY, {"q1": True})
    assert set(e.value.details["fields"]) == {"q1", "q5"}  # a boolean is no option; q5 required


def test_after_the_end_a_survey_takes_no_answer():
    surveys.check_open(SURVEY, NOW)
    with pytest.raises(WrongState):
        surveys.check_open(SURVEY, NOW + timedelta(days=1))


def test_results_count_shares_averages_and_texts():
    answers = [
        {"_id": "1", "answers": {"q1": 0, "q2": [0, 1], "q3": 10, "q4": "快", "q5": [0, 1]}},
        {"_id": "2", "answers": {"q1": 0, "q3": 5, "q5": [1, None]}},
        {"_id": "3", "answers": {"q1": 1, "q2": [1], "q5": [0, 0]}},
    ]
    r = {q["id"]: q for q in surveys.results(SURVEY, answers)["questions"]}
    assert [(o["count"], o["share"]) for o in r["q1"]["options"]] == [(2, 0.6667), (1, 0.3333)]
    assert [(o["count"], o["share"]) for o in r["q2"]["options"]] == [(1, 0.5), (2, 1.0), (0, 0.0)]
    assert r["q3"]["average"] == 7.5 and r["q3"]["counts"]["10"] == 1 and r["q3"]["answered"] == 2
    assert r["q4"]["texts"] == ["快"]
    assert [o["count"] for o in r["q5"]["rows"][1]["options"]] == [1, 1]
    assert r["q5"]["rows"][1]["answered"] == 2
    assert surveys.csv_row(SURVEY, answers[0], "t") == [
        "1",
        "t",
        "web",
        "甲",
        "a; b",
        10,
        "快",
        "好",
        "差",
    ]
