"""A generated county: N case documents whose every outcome the generator decides itself, and the
answer key it keeps while deciding — the figures docs/contract.md §7 asks for, counted here from the
generator's own choices, never by the code under test. Used by the statistics tests and by
bench/stats_bulletin.py."""

import random
from collections import defaultdict
from datetime import datetime, timedelta, timezone

Q3_START = datetime(2026, 6, 30, 16, tzinfo=timezone.utc)  # 2026-07-01 00:00 Asia/Shanghai
Q3_END = datetime(2026, 9, 30, 16, tzinfo=timezone.utc)
DEPARTMENTS = [
    "housing_bureau",
    "environment_bureau",
    "hr_social_security_bureau",
    "public_security_bureau",
    "civil_affairs_bureau",
    "education_bureau",
    "transport_bureau",
]
TOWNSHIPS = ["chengguan_town", "qingshui_town", "hexi_town", "shanyang_town"]
TOPICS = [
    "urban_construction",
    "environment",
    "labour_social_security",
    "education",
    "housing",
    "transport",
    "civil_affairs",
]
TOWNS = ["城关镇", "清水镇", "河西乡", "山阳镇"]
CHANNELS = ["web", "mobile", "mailbox", "hotline", "letter", "visit"]
KINDS = ["consultation", "request", "complaint", "suggestion"]
DEDUCTIONS = {
    "overdue": 2,
    "dissatisfied": 1,
    "reply_rejected": 0.5,
    "returned": 0.5,
    "reopened": 1,
}


def _blank():
    return {
        "total": 0,
        "closed": 0,
        "completed": 0,
        "on_time": 0,
        "late_or_open": 0,
        "rated": 0,
        "satisfied": 0,
        "hours": 0.0,
        "hours_cases": 0,
        "overdue_open": 0,
        "returned": 0,
        "extensions": 0,
        "reopened": 0,
        "points": 0.0,
        "ids": [],
    }


def generate(n, now, seed=7, start=Q3_START, end=Q3_END):
    """(cases, key). key[group_by][value] holds the counts of the cases received in
    [start, end) that are counted; key["outside"] the ids received outside it."""
    rng = random.Random(seed)
    key = defaultdict(lambda: defaultdict(_blank))
    cases, outside = [], []
    span = (end - start).total_seconds()
    for i in range(n):
        unit = rng.choice(DEPARTMENTS + TOWNSHIPS * 2)
        topic, town = rng.choice(TOPICS), rng.choice(TOWNS)
        channel, kind = rng.choice(CHANNELS), rng.choice(KINDS)
        inside = rng.random() < 0.9
        received = (
            start + timedelta(seconds=rng.random() * span)
            if inside
            else rng.choice(
                [
                    start - timedelta(days=rng.uniform(1, 60)),
                    end + timedelta(seconds=rng.uniform(0, 86400 * 20)),
                ]
            )
        )
        assigned = received + timedelta(minutes=rng.randint(1, 600))
        due = assigned + timedelta(days=rng.choice([1, 7, 10, 14]))
        extended = due + timedelta(days=5) if rng.random() < 0.1 else None
        deadline = extended or due
        fate = rng.random()
        case = {
            "_id": f"LX-GEN-{i:07d}",
            "version": 1,
            "channel": channel,
            "kind": kind,
            "topic": topic,
            "title": f"生成诉求{i}",
            "content": "生成的诉求内容",
            "location": {"town": town},
            "people_involved": 1,
            "flags": [],
            "received_at": received,
            "returns_count": rng.choice([0] * 8 + [1, 2]),
            "extensions": 1 if extended else 0,
            "reopen_count": 0,
            "rejections_count": rng.choice([0] * 6 + [1, 2]),
            "assignment": {
                "lead_unit": unit,
                "co_units": [],
                "leader": None,
                "assigned_at": assigned,
                "claimed_at": assigned,
                "due_at": due,
                "extended_to": extended,
            },
            "reply": None,
            "return_visit": None,
            "timeline": [],
        }
        if fate < 0.04:
            case.update(status="merged", primary_id="LX-GEN-0000000")
        elif fate < 0.07:
            case.update(status="not_accepted")
            case["assignment"] = {"lead_unit": None, "co_units": []}
        elif fate < 0.30:
            case["status"] = rng.choice(["assigned", "in_progress", "replied"])
            if rng.random() < 0.5:  # overdue now
                case["assignment"]["due_at"] = now - timedelta(days=rng.randint(1, 30))
                case["assignment"]["extended_to"] = None
                case["extensions"] = 0
        else:
            late = rng.random() < 0.2
            answered = (
                deadline + timedelta(hours=rng.randint(1, 72))
                if late
                else assigned + (deadline - assigned) * rng.random()
            )
            case.update(
                status="answered",
                answered_at=answered,
                reply={"outcome": "resolved", "opinion": "已办理"},
            )
            if rng.random() < 0.75:
                satisfaction = rng.choice(
                    ["satisfied"] * 5 + ["basically_satisfied"] * 3 + ["dissatisfied"] * 2
                )
                upheld = satisfaction == "dissatisfied" and rng.random() < 0.3
                case.update(
                    status="closed",
                    closed_at=answered + timedelta(days=1),
                    return_visit={"satisfaction": satisfaction, "counts": not upheld},
                )
                if satisfaction == "dissatisfied" and rng.random() < 0.3:
                    case["reopen_count"] = 1
                    case["flags"].append("reopened")
        cases.append(case)
        if not inside:
            outside.append(case["_id"])
            continue
        if case["status"] in ("merged", "not_accepted"):
            continue
        a = case["assignment"]
        for group_by, value in (
            ("unit", unit),
            ("topic", topic),
            ("town", town),
            ("channel", channel),
            ("kind", kind),
            ("all", "all"),
        ):
            k = key[group_by][value]
            k["total"] += 1
            k["ids"].append(case["_id"])
            k["returned"] += case["returns_count"] > 0
            k["extensions"] += case["extensions"] > 0
            k["reopened"] += case["reopen_count"] > 0
            points = (
                0.5 * (case["returns_count"] > 0)
                + 0.5 * case["rejections_count"]
                + 1 * (case["reopen_count"] > 0)
            )
            if case["status"] in ("answered", "closed"):
                k["completed"] += 1
                k["closed"] += case["status"] == "closed"
                on_time = case["answered_at"] <= (a["extended_to"] or a["due_at"])
                k["on_time"] += on_time
                k["late_or_open"] += not on_time
                points += 2 * (not on_time)
                k["hours"] += (case["answered_at"] - a["assigned_at"]).total_seconds() / 3600
                k["hours_cases"] += 1
                visit = case["return_visit"]
                if visit and visit["counts"]:
                    k["rated"] += 1
                    good = visit["satisfaction"] != "dissatisfied"
                    k["satisfied"] += good
                    points += 1 * (not good)
            elif case["status"] != "replied" and (a["extended_to"] or a["due_at"]) < now:
                # (a signed reply waiting for the office's review is no longer the unit's)
                k["overdue_open"] += 1
                k["late_or_open"] += 1
                points += 2
            k["points"] += points
    key["outside"] = outside
    return cases, key


def expected_score(k):
    return max(0.0, round(100 - k["points"], 2))
