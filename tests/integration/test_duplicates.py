"""Duplicates, repeat petitioners and early warning at intake (docs/contract.md §6), on the real
broker and store."""

import time
from datetime import timedelta

import pytest

from lianxin import settings
from lianxin.duplicates import similarity
from lianxin.errors import Forbidden
from tests.helpers import wait_for

pytestmark = pytest.mark.integration

CLERK = {"username": "clerk", "role": "clerk", "unit": "mass_work_office"}
DISPATCHER = {"username": "dispatcher", "role": "dispatcher", "unit": "mass_work_office"}
OFFICE = {"username": "supervisor", "role": "supervisor", "unit": "mass_work_office"}
ORIGINAL = ("河道污染", "清水镇化工厂夜间向河道排放污水，气味刺鼻。")
REWORDED = ("化工厂排污", "清水镇化工厂夜里偷偷向河道排污水，臭味刺鼻")  # 0.56
LOOSELY = ("清水镇河道", "清水镇河道旁边的化工厂噪音很大")  # 0.39
OTHER = ("路灯不亮", "城关镇解放路路灯坏了一个月没人修。")


def case(title_content, phone="13812341234", email=None, **extra):
    title, content = title_content
    citizen = {"name": "张三", "phone": phone}
    if email:
        citizen["email"] = email
    return {
        "kind": "complaint",
        "topic": "environment",
        "title": title,
        "content": content,
        "location": {"town": "清水镇"},
        "citizen": citizen,
        **extra,
    }


def test_the_pairs_the_threshold_must_tell_apart():
    assert similarity(" ".join(ORIGINAL), " ".join(REWORDED)) > settings.DUPLICATE_THRESHOLD
    assert similarity(" ".join(ORIGINAL), " ".join(LOOSELY)) < settings.DUPLICATE_THRESHOLD
    assert similarity(" ".join(ORIGINAL), " ".join(OTHER)) == 0


def test_a_near_duplicate_by_another_channel_is_merged_with_its_score(
    start_services, rpc, db, event_tap
):
    start_services("intake", "routing", "supervision")
    first = rpc.intake.submit(case(ORIGINAL, email="zhang@example.com"), "key:d1")
    wait_for(lambda: db.cases.find_one({"_id": first["id"], "status": "assigned"}))
    # the hotline clerk writes the number the caller gives, with the country code and dashes
    second = rpc.intake.register(
        case(REWORDED, phone="+86 138-1234-1234", channel="hotline"), "key:d2", CLERK
    )
    assert second["status"] == "merged"
    dup = db.cases.find_one({"_id": second["id"]})
    assert dup["primary_id"] == first["id"]
    assert dup["duplicate"]["score"] == pytest.approx(
        similarity(" ".join(ORIGINAL), " ".join(REWORDED)), abs=1e-3
    )
    assert [e["action"] for e in dup["timeline"]] == ["received", "merge"]
    primary = db.cases.find_one({"_id": first["id"]})
    assert primary["duplicates"] == [second["id"]]
    assert (
        primary["timeline"][-1]["action"] == "merge"
        and second["id"] in primary["timeline"][-1]["note"]
    )
    time.sleep(1)
    assert db.cases.find_one({"_id": second["id"]})["status"] == "merged"  # routing left it
    events = [(e["type"], e["case_id"]) for e in event_tap.drain(wait=1)]
    assert ("case.merged", second["id"]) in events
    # the index holds keyed hashes, never the phone number
    assert "13812341234" not in str(list(db.citizen_index.find()))
    assert set(dup["citizen_keys"]) & set(primary["citizen_keys"])


def test_the_same_text_from_another_citizen_and_a_loose_resemblance_are_not_merged(
    start_services, rpc, db
):
    start_services("intake")
    first = rpc.intake.submit(case(ORIGINAL), "key:n1")
    other_citizen = rpc.intake.submit(case(ORIGINAL, phone="13900000001"), "key:n2")
    loosely = rpc.intake.submit(case(LOOSELY), "key:n3")
    assert other_citizen["status"] == "received" and loosely["status"] == "received"
    assert db.cases.find_one({"_id": first["id"]})["duplicates"] == []


def test_a_closed_case_takes_duplicates_for_30_days_only(start_services, rpc, db, monkeypatch):
    start_services("intake")
    first = rpc.intake.submit(case(ORIGINAL), "key:c1")
    db.cases.update_one(
        {"_id": first["id"]},
        {"$set": {"status": "closed", "closed_at": _now() - timedelta(days=31)}},
    )
    assert rpc.intake.submit(case(REWORDED), "key:c2")["status"] == "received"
    second = rpc.intake.submit(case(ORIGINAL, phone="13700000000"), "key:c3")
    db.cases.update_one(
        {"_id": second["id"]},
        {"$set": {"status": "closed", "closed_at": _now() - timedelta(days=5)}},
    )
    assert rpc.intake.submit(case(REWORDED, phone="13700000000"), "key:c4")["status"] == "merged"


def _now():
    from lianxin.clock import utcnow

    return utcnow()


def test_a_third_case_in_90_days_flags_a_repeat_petitioner(start_services, rpc, db):
    start_services("intake", "reading")
    ids = [
        rpc.intake.submit(case(text, phone="13600000000"), f"key:r{n}")["id"]
        for n, text in enumerate([ORIGINAL, OTHER, ("工资拖欠", "城关镇某厂拖欠工资三个月")])
    ]
    flags = [db.cases.find_one({"_id": i})["flags"] for i in ids]
    assert all("repeat_petitioner" in f for f in flags)
    history = rpc.reading.citizen_cases(
        db.cases.find_one({"_id": ids[0]})["citizen_keys"][0], OFFICE
    )
    assert [c["id"] for c in history["items"]] == ids[::-1]
    with pytest.raises(Forbidden):
        rpc.reading.citizen_cases("p:nothing", {"username": "h", "role": "handler", "unit": "x"})
    two = [
        rpc.intake.submit(case(t, phone="13500000000"), f"key:s{n}")["id"]
        for n, t in enumerate([ORIGINAL, OTHER])
    ]
    assert all("repeat_petitioner" not in db.cases.find_one({"_id": i})["flags"] for i in two)


def test_a_cluster_alert_fires_once_at_the_fifth_case_and_grows_at_the_sixth(
    start_services, rpc, db, mailbox
):
    start_services("intake", "reading", "notify")
    texts = [
        "化工厂排污水",
        "河水发黑发臭",
        "鱼塘死鱼",
        "夜间偷排废水",
        "井水有异味",
        "河边垃圾焚烧",
    ]
    ids = []
    for n, text in enumerate(texts):
        ids.append(
            rpc.intake.submit(
                case((text, f"清水镇{text}，请查处。"), phone=f"1370000000{n}"), f"key:k{n}"
            )["id"]
        )
        if n == 3:
            assert db.alerts.count_documents({}) == 0  # nothing at 4
        if n == 4:
            [alert] = list(db.alerts.find())
            assert alert["cases"] == ids and alert["count"] == 5
    [alert] = list(db.alerts.find())
    assert alert["count"] == 6 and alert["cases"] == ids
    # the leader whose portfolio covers the topic hears once, at the fifth
    mail = wait_for(
        lambda: [m for m in mailbox.to("chen@demo-county.gov.cn") if "预警" in m["subject"]]
    )
    time.sleep(1)
    assert len([m for m in mailbox.to("chen@demo-county.gov.cn") if "预警" in m["subject"]]) == 1
    assert ids[0] in mail[0]["body"]
    listed = rpc.reading.list_alerts(OFFICE)["items"]
    assert [a["count"] for a in listed] == [6] and len(listed[0]["cases"]) == 6
    acked = rpc.reading.acknowledge_alert(DISPATCHER, listed[0]["id"])
    assert (acked["status"], acked["acknowledged_by"]) == ("acknowledged", "dispatcher")


def test_a_collective_case_raises_an_alert_at_once(start_services, rpc, db):
    start_services("intake")
    receipt = rpc.intake.submit(
        case(
            ("征地补偿", "山阳镇30户村民反映征地补偿未到位"),
            topic="land_relocation",
            people_involved=30,
            location={"town": "山阳镇"},
        ),
        "key:col",
    )
    [alert] = list(db.alerts.find())
    assert (alert["kind"], alert["cases"]) == ("collective", [receipt["id"]])
    assert "outbox_since" not in alert  # published


def test_a_merge_and_an_unmerge_by_hand_are_on_both_timelines(start_services, rpc, db):
    start_services("intake")
    first = rpc.intake.submit(case(ORIGINAL), "key:m1")
    second = rpc.intake.submit(case(OTHER, phone="13300000000"), "key:m2")
    merged = rpc.intake.act("merge", second["id"], DISPATCHER, {"primary_id": first["id"]})
    assert merged["status"] == "merged" and merged["duplicate"]["score"] == 0.0
    assert merged["duplicate"]["by"] == "dispatcher"
    primary = db.cases.find_one({"_id": first["id"]})
    assert primary["duplicates"] == [second["id"]]
    assert [e["action"] for e in primary["timeline"]][-1] == "merge"
    unmerged = rpc.intake.act("unmerge", second["id"], DISPATCHER, {})
    assert unmerged["status"] == "received" and unmerged["duplicate"] is None
    primary = db.cases.find_one({"_id": first["id"]})
    assert primary["duplicates"] == []
    assert [e["action"] for e in primary["timeline"]][-2:] == ["merge", "unmerge"]
    assert [e["action"] for e in db.cases.find_one({"_id": second["id"]})["timeline"]][-2:] == [
        "merge",
        "unmerge",
    ]
