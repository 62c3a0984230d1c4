"""Asking the public over HTTP, on the real system (docs/contract.md §15): the whole life of a
consultation — published, 30 comments on three sections, reports that hold one, moderation,
a decision on every comment, 409 after the end, the summary equal to a recount, approved and
published, a comment turned into a case — and a survey answered by 200 answers at once whose
results equal a recount. Business time comes from the store (LX_CLOCK=store), so the end of
a period is a jump, not a wait."""

import random
import sys
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests

from lianxin.clock import exact_utcnow, isoformat, set_offset
from tests.e2e.conftest import Api
from tests.helpers import wait_for

DRAFT = """关于城区垃圾分类管理办法（征求意见稿）

第一条 为了推进垃圾分类，改善人居环境，制定本办法。
第二条 本办法适用于本县城区的单位和个人。
第三条 生活垃圾分为可回收物、有害垃圾、厨余垃圾和其他垃圾。
"""


@pytest.fixture
def consult_system(system, db):
    system.env.update(
        LX_CLOCK="store",
        LX_PROXY_HOPS="1",  # reporters are told apart by X-Forwarded-For here
        LX_SURVEY_ANSWER_RATE_PER_MINUTE="10000",
        LX_PUBLIC_RATE_PER_MINUTE="10000",
    )
    # as System.start, waiting longer: a loaded machine can take over 30 s to a first ping
    needed = ("intake", "accounts", "reading", "notify", "consult")  # accounts: signing in
    for service in needed:
        system._spawn(service, [sys.executable, "-m", "lianxin.runner", service])
    for service in needed:
        wait_for(lambda: system._pings(service), timeout=180, interval=0.5)  # noqa: B023
    system.start_gateway()
    system.api, system.db = Api(system.url), db
    return system


def _period(days=1):
    now = exact_utcnow()
    return isoformat(now - timedelta(minutes=5)), isoformat(now + timedelta(days=days))


def _post(api, path, body, headers=None):
    return requests.post(f"{api.url}{path}", json=body, headers=headers or {}, timeout=30)


def _events(api, types):
    out, cursor = [], "0"
    while True:
        page = api.get(f"/events?after={cursor}&limit=200", "supervisor").json()
        out += [e for e in page["items"] if e["type"] in types]
        if page["next_cursor"] == cursor or not page["items"]:
            return out
        cursor = page["next_cursor"]


def test_the_life_of_a_consultation(consult_system, mailbox):
    api, db = consult_system.api, consult_system.db
    opens, closes = _period()
    r = api.post(
        "/consultations",
        {
            "title": "城区垃圾分类管理办法",
            "text": DRAFT,
            "unit": "environment_bureau",
            "opens_at": opens,
            "closes_at": closes,
        },
        "clerk",
    )
    assert r.status_code == 201, r.text
    c = r.json()
    cid = c["id"]
    assert [s["label"] for s in c["sections"]] == [None, "第一条", "第二条", "第三条"]
    sections = [s["id"] for s in c["sections"][1:]]
    assert api.get(f"/public/consultations/{cid}").status_code == 404  # a draft is not public
    assert api.post(f"/consultations/{cid}/publish", None, "clerk").status_code == 200

    # 30 comments, 10 on each article; every third anonymous; one contact writes five.
    comments = []  # (id, section, contact email or None)
    for n in range(30):
        section = sections[n % 3]
        body = {"text": f"第{n}条意见：建议增加投放点，联系电话13812345678。", "section": section}
        email = None
        if n % 3 == 2:
            body["anonymous"] = True
        else:
            email = f"citizen{n}@example.cn"
            body["contact"] = {"name": f"张{n}", "email": email}
        headers = {"Idempotency-Key": f"c{n}", "X-Forwarded-For": f"10.1.0.{n}"}
        r = _post(api, f"/public/consultations/{cid}/comments", body, headers)
        assert r.status_code == 201, r.text
        comments.append((r.json()["id"], section, email))
    # A retry with the same key is the same comment.
    again = _post(
        api,
        f"/public/consultations/{cid}/comments",
        {
            "text": "第0条意见：建议增加投放点，联系电话13812345678。",
            "section": sections[0],
            "contact": {"name": "张0", "email": "citizen0@example.cn"},
        },
        {"Idempotency-Key": "c0"},
    )
    assert again.status_code == 201 and again.json()["id"] == comments[0][0]
    # One contact gets five tries a minute (these name no section of the draft: 422, nothing
    # stored); at most two windows' worth pass before a 429.
    statuses = []
    while 429 not in statuses and len(statuses) < 12:
        body = {"text": "再来一条", "section": "s99", "contact": {"email": "burst@example.cn"}}
        statuses.append(_post(api, f"/public/consultations/{cid}/comments", body).status_code)
    assert statuses[-1] == 429 and set(statuses[:-1]) == {422} and len(statuses) <= 11
    assert db.consult_comments.count_documents({"consultation_id": cid}) == 30

    public = api.get(f"/public/consultations/{cid}").json()
    assert len(public["comments"]) == 30
    assert all(
        "138****5678" in cm["text"] and "13812345678" not in cm["text"] for cm in public["comments"]
    )
    assert all(
        cm["author"] is None or cm["author"]["name"].endswith("**") for cm in public["comments"]
    )

    # Three reports from three addresses hold a comment; the same address twice counts once.
    reported, twice = comments[4][0], comments[5][0]
    for n, addr in enumerate(("10.0.0.1", "10.0.0.2", "10.0.0.2", "10.0.0.3")):
        r = _post(
            api,
            f"/public/consultations/{cid}/comments/{reported}/report",
            {"reason": "off_topic"},
            {"X-Forwarded-For": addr},
        )
        assert r.status_code == 200, r.text
        if n == 2:  # two reporters so far
            assert db.consult_comments.find_one({"_id": reported})["status"] == "shown"
    for addr in ("10.0.0.1", "10.0.0.2"):
        _post(
            api,
            f"/public/consultations/{cid}/comments/{twice}/report",
            {"reason": "spam"},
            {"X-Forwarded-For": addr},
        )
    held = api.get(f"/consultations/{cid}/comments?status=held", "clerk").json()["items"]
    assert [cm["id"] for cm in held] == [reported] and held[0]["reports"] == 3
    assert len(api.get(f"/public/consultations/{cid}").json()["comments"]) == 29

    # The moderator hides two as spam (bulk; a reason is required) and shows the held one again.
    spam = [comments[7][0], comments[10][0]]
    assert (
        api.post(
            f"/consultations/{cid}/moderation", {"ids": spam, "status": "hidden"}, "clerk"
        ).status_code
        == 422
    )
    r = api.post(
        f"/consultations/{cid}/moderation",
        {"ids": spam, "status": "hidden", "reason": "广告"},
        "clerk",
    )
    assert r.json() == {"done": spam, "failed": []}
    api.post(f"/consultations/{cid}/moderation", {"ids": [reported], "status": "shown"}, "clerk")
    log = api.get(f"/consultations/{cid}/moderation-log", "clerk").json()["items"]
    assert [(e["comment_id"], e["action"]) for e in log] == [
        (spam[0], "hidden"),
        (spam[1], "hidden"),
        (reported, "shown"),
    ]
    assert api.get(f"/consultations/{cid}/comments?status=hidden", "clerk").json()["total"] == 2

    # Decisions on all but the last counted comment, in the period; the citizen hears of each.
    counted = [cm for cm in comments if cm[0] not in spam]
    choices = ("adopted", "partly_adopted", "not_adopted", "noted")
    decided = {}
    assert (
        api.post(
            f"/consultations/{cid}/comments/{counted[0][0]}/decision",
            {"decision": "not_adopted"},
            "clerk",
        ).status_code
        == 422
    )
    assert (
        api.post(
            f"/consultations/{cid}/comments/{spam[0]}/decision", {"decision": "noted"}, "clerk"
        ).status_code
        == 409
    )
    for n, (comment_id, section, _) in enumerate(counted[:-1]):
        choice = choices[n % 4]
        user = "env_handler" if n % 2 else "clerk"  # the responsible unit decides too
        r = api.post(
            f"/consultations/{cid}/comments/{comment_id}/decision",
            {"decision": choice, "reason": "与上位法不符" if choice == "not_adopted" else None},
            user,
        )
        assert r.status_code == 200, r.text
        decided[comment_id] = (section, choice)
    assert (
        api.post(
            f"/consultations/{cid}/comments/{counted[0][0]}/decision",
            {"decision": "noted"},
            "housing_handler",
        ).status_code
        == 403
    )
    told = counted[1][2]
    wait_for(lambda: mailbox.to(told), timeout=30)
    assert any("部分采纳" in m["body"] for m in mailbox.to(told))

    # A comment that raises a matter of its own becomes a case, linked both ways.
    r = api.post(
        f"/consultations/{cid}/comments/{counted[0][0]}/case",
        {"topic": "environment", "kind": "suggestion"},
        "clerk",
    )
    assert r.status_code == 200, r.text
    case_id = r.json()["case_id"]
    case = api.get(f"/cases/{case_id}", "clerk").json()
    assert case.get("origin") == {"consultation_id": cid, "comment_id": counted[0][0]}, case
    again = api.post(f"/consultations/{cid}/comments/{counted[0][0]}/case", {}, "clerk").json()
    assert again["case_id"] == case_id

    # No summary before the end; after it, no comment (409).
    assert api.post(f"/consultations/{cid}/summary", None, "clerk").status_code == 409
    set_offset(db, 2 * 86400)
    late = _post(
        api,
        f"/public/consultations/{cid}/comments",
        {"text": "晚了", "anonymous": True},
        {"X-Forwarded-For": "10.2.0.1"},
    )
    assert late.status_code == 409 and late.json()["error"]["code"] == "wrong_state"

    summary = api.post(f"/consultations/{cid}/summary", None, "clerk").json()
    assert summary["totals"]["undecided"] == 1
    assert api.post(f"/consultations/{cid}/summary/approve", None, "supervisor").status_code == 409
    last_id, last_section, _ = counted[-1]
    api.post(f"/consultations/{cid}/comments/{last_id}/decision", {"decision": "adopted"}, "clerk")
    decided[last_id] = (last_section, "adopted")
    summary = api.post(f"/consultations/{cid}/summary", None, "clerk").json()

    # The summary equals a recount of what this test decided.
    recount = Counter(choice for _, choice in decided.values())
    assert summary["totals"] == {"total": 28, "undecided": 0, **{d: recount[d] for d in choices}}
    for row in summary["by_section"]:
        mine = Counter(ch for sec, ch in decided.values() if sec == row["section"])
        assert {d: row[d] for d in choices} == {d: mine[d] for d in choices}, row
        assert row["total"] == sum(mine.values())
    quoted = {q["comment_id"] for q in summary["quoted"]}
    assert quoted == {i for i, (_, ch) in decided.items() if ch in ("adopted", "partly_adopted")}
    assert all("13812345678" not in q["text"] for q in summary["quoted"])

    assert api.get(f"/public/consultations/{cid}/summary").status_code == 404
    r = api.put(f"/consultations/{cid}/summary", {"text": "经研究，采纳了大部分意见。"}, "clerk")
    assert r.status_code == 200
    assert api.post(f"/consultations/{cid}/summary/approve", None, "clerk").status_code == 403
    approved = api.post(f"/consultations/{cid}/summary/approve", None, "supervisor")
    assert approved.status_code == 200 and approved.json()["status"] == "published"
    published = api.get(f"/public/consultations/{cid}/summary").json()
    assert (
        published["text"] == "经研究，采纳了大部分意见。"
        and published["totals"] == summary["totals"]
    )
    pdf = api.get(f"/public/consultations/{cid}/summary?format=pdf")
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert (
        api.post(
            f"/consultations/{cid}/comments/{last_id}/decision", {"decision": "noted"}, "clerk"
        ).status_code
        == 409
    )

    types = Counter(
        e["type"]
        for e in _events(
            api,
            {
                "consultation.published",
                "comment.received",
                "comment.held",
                "comment.decided",
                "summary.published",
                "comment.case_opened",
            },
        )
    )
    assert types["consultation.published"] == 1 and types["comment.received"] == 30
    assert types["comment.held"] == 1 and types["comment.decided"] == 28
    assert types["summary.published"] == 1 and types["comment.case_opened"] == 1
    wait_for(lambda: _events(api, {"consultation.closed"}), timeout=20)


QUESTIONS = [
    {
        "id": "q1",
        "kind": "single",
        "text": "您所在的乡镇",
        "options": ["城关镇", "东坝镇", "西山乡"],
        "required": True,
    },
    {
        "id": "q2",
        "kind": "multiple",
        "text": "您关心的问题",
        "options": ["交通", "教育", "医疗", "环境"],
    },
    {"id": "q3", "kind": "scale", "text": "对政务服务的评价", "scale": "1-5", "required": True},
    {"id": "q4", "kind": "scale", "text": "推荐给朋友的可能", "scale": "0-10"},
    {"id": "q5", "kind": "short_text", "text": "一句话建议"},
    {"id": "q6", "kind": "long_text", "text": "详细意见"},
    {
        "id": "q7",
        "kind": "matrix",
        "text": "各项服务",
        "rows": ["窗口", "热线"],
        "options": ["满意", "一般", "不满意"],
    },
]


def _random_answer(rnd):
    a = {"q1": rnd.randrange(3), "q3": rnd.randint(1, 5)}
    if rnd.random() < 0.8:
        a["q2"] = sorted(rnd.sample(range(4), rnd.randint(1, 3)))
    if rnd.random() < 0.7:
        a["q4"] = rnd.randint(0, 10)
    if rnd.random() < 0.3:
        a["q5"] = f"建议{rnd.randrange(1000)}"
    if rnd.random() < 0.5:
        a["q7"] = [rnd.choice([0, 1, 2, None]), rnd.randrange(3)]
    return a


def test_a_survey_answered_by_200_at_once_counts_every_answer(consult_system):
    api, db = consult_system.api, consult_system.db
    opens, closes = _period()
    r = api.post(
        "/surveys",
        {
            "title": "政务服务满意度调查",
            "questions": QUESTIONS,
            "opens_at": opens,
            "closes_at": closes,
        },
        "clerk",
    )
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    assert api.post(f"/surveys/{sid}/publish", None, "clerk").status_code == 200
    bad = api.post(f"/public/surveys/{sid}/answers", {"answers": {"q1": 7, "q3": 9, "zz": 1}})
    assert bad.status_code == 422 and set(bad.json()["error"]["details"]["fields"]) == {
        "q1",
        "q3",
        "zz",
    }

    rnd = random.Random(18)
    sent = [_random_answer(rnd) for _ in range(200)]

    def post(answer):
        key = str(uuid.uuid4())
        for _ in range(2):  # every answer is sent twice with its key: a retry is not a second one
            r = requests.post(
                f"{api.url}/public/surveys/{sid}/answers",
                json={"answers": answer},
                headers={"Idempotency-Key": key},
                timeout=60,
            )
            assert r.status_code == 201, r.text
        return r.json()["id"]

    with ThreadPoolExecutor(max_workers=25) as pool:
        ids = list(pool.map(post, sent[:-1]))
    # a clerk enters the last one from a phone call
    r = api.post(f"/surveys/{sid}/answers", {"answers": sent[-1]}, "clerk")
    assert r.status_code == 201
    assert len(set(ids)) == 199

    results = api.get(f"/surveys/{sid}/results", "clerk").json()
    assert results["responses"] == 200
    q = {x["id"]: x for x in results["questions"]}
    assert [o["count"] for o in q["q1"]["options"]] == [
        sum(a["q1"] == i for a in sent) for i in range(3)
    ]
    assert [o["count"] for o in q["q2"]["options"]] == [
        sum(i in a.get("q2", []) for a in sent) for i in range(4)
    ]
    assert q["q2"]["answered"] == sum("q2" in a for a in sent)
    assert q["q3"]["average"] == round(sum(a["q3"] for a in sent) / 200, 2)
    q4 = [a["q4"] for a in sent if "q4" in a]
    assert q["q4"]["counts"] == {str(v): q4.count(v) for v in range(11)}
    assert sorted(q["q5"]["texts"]) == sorted(a["q5"] for a in sent if "q5" in a)
    m = [a["q7"] for a in sent if "q7" in a]
    assert [o["count"] for o in q["q7"]["rows"][0]["options"]] == [
        sum(v[0] == i for v in m) for i in range(3)
    ]
    share = q["q1"]["options"][0]["share"]
    assert share == round(q["q1"]["options"][0]["count"] / 200, 4)

    csv = api.get(f"/surveys/{sid}/results?format=csv", "clerk")
    lines = csv.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("answer_id,received_at,channel,q1") and len(lines) == 201
    assert csv.headers["Content-Type"].startswith("text/csv")
    pdf = api.get(f"/surveys/{sid}/results?format=pdf", "clerk")
    assert pdf.content.startswith(b"%PDF")

    # Results are published only after the close, and only if the office decides.
    assert api.get(f"/public/surveys/{sid}/results").status_code == 404
    assert api.post(f"/surveys/{sid}/results/publish", None, "clerk").status_code == 409
    set_offset(db, 2 * 86400)
    late = api.post(f"/public/surveys/{sid}/answers", {"answers": sent[0]})
    assert late.status_code == 409
    wait_for(lambda: _events(api, {"survey.closed"}), timeout=20)
    assert api.get(f"/public/surveys/{sid}/results").status_code == 404
    assert api.post(f"/surveys/{sid}/results/publish", None, "clerk").status_code == 200
    assert api.get(f"/public/surveys/{sid}/results").json()["responses"] == 200


def test_one_answer_per_contact_and_per_link_token(consult_system):
    api = consult_system.api
    opens, closes = _period()
    q = [{"id": "q1", "kind": "scale", "text": "评价", "scale": "1-5", "required": True}]
    by_contact = api.post(
        "/surveys",
        {
            "title": "按联系方式",
            "questions": q,
            "opens_at": opens,
            "closes_at": closes,
            "identity": "contact",
            "once_per": "contact",
        },
        "clerk",
    ).json()["id"]
    by_token = api.post(
        "/surveys",
        {
            "title": "按链接",
            "questions": q,
            "opens_at": opens,
            "closes_at": closes,
            "once_per": "token",
        },
        "clerk",
    ).json()["id"]
    for sid in (by_contact, by_token):
        api.post(f"/surveys/{sid}/publish", None, "clerk")
    one = {"answers": {"q1": 4}, "contact": {"phone": "13900001111"}}
    assert api.post(f"/public/surveys/{by_contact}/answers", one).status_code == 201
    assert (
        api.post(
            f"/public/surveys/{by_contact}/answers", {**one, "contact": {"phone": "139-0000-1111"}}
        ).status_code
        == 409
    )
    assert (
        api.post(f"/public/surveys/{by_contact}/answers", {"answers": {"q1": 4}}).status_code == 422
    )
    tokens = api.post(f"/surveys/{by_token}/tokens", {"count": 2}, "clerk").json()["tokens"]
    assert (
        api.post(
            f"/public/surveys/{by_token}/answers", {"answers": {"q1": 2}, "token": "made-up"}
        ).status_code
        == 404
    )
    assert (
        api.post(
            f"/public/surveys/{by_token}/answers", {"answers": {"q1": 2}, "token": tokens[0]}
        ).status_code
        == 201
    )
    assert (
        api.post(
            f"/public/surveys/{by_token}/answers", {"answers": {"q1": 3}, "token": tokens[0]}
        ).status_code
        == 409
    )
    assert (
        api.post(
            f"/public/surveys/{by_token}/answers", {"answers": {"q1": 3}, "token": tokens[1]}
        ).status_code
        == 201
    )
    assert api.get(f"/surveys/{by_token}/results", "clerk").json()["responses"] == 2
