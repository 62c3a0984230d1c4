"""Open311 GeoReport v2 and the public board over HTTP (docs/contract.md §11), checked with an
Open311 client library from PyPI used as it is (georeport 0.3.1: lists and fetches, JSON and XML; it
cannot file a request, so the POST is the plain form the GeoReport spec defines)."""

import xml.etree.ElementTree as ET

import pytest
import requests
import xmltodict
from georeport import GeoReport

from tests.helpers import wait_for

from .test_lifecycle import submit, to_answered

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def api_key(county):
    invented = county.api.post(
        "/api-keys", {"id": "mine", "name": "mine", "key": "x" * 30}, "admin"
    )
    assert invented.status_code == 422 and "key" in invented.json()["error"]["details"]["fields"]
    r = county.api.post(
        "/api-keys", {"id": "mobile-app", "name": "随手拍", "per_minute": 5}, "admin"
    )
    assert r.status_code == 201, r.text
    key = r.json()["key"]  # shown this once
    assert key.startswith("lx311_") and len(key) >= 40 and r.json()["key_set"] is True
    again = county.api.get("/api-keys/mobile-app", "admin").json()
    assert "key" not in again and again["key_set"] is True
    stored = county.db.api_keys.find_one({"_id": "mobile-app"})
    assert key not in str(stored)  # only its hash is kept
    return key


def post(county, fmt="json", **form):
    return requests.post(f"{county.url}/open311/v2/requests.{fmt}", data=form, timeout=30)


FORM = {
    "service_code": "environment",
    "lat": "34.25",
    "long": "108.95",
    "address_string": "城关镇解放路18号",
    "first_name": "五",
    "last_name": "王",
    "email": "wang5@example.com",
    "description": "解放路垃圾站气味很大，夏天尤其严重。",
}


def test_a_client_library_lists_files_and_tracks_a_request(county, api_key):
    base = f"{county.url}/open311/v2"
    for fmt in ("json", "xml"):
        client = GeoReport(base, output_format=fmt)
        services = client.get_service_list()
        assert "environment" in [s["service_code"] for s in services]
        assert client.get_service_definition("environment")["service_code"] == "environment"

    r = post(county, api_key=api_key, **FORM)
    assert r.status_code == 201, r.text
    [created] = r.json()
    case_id = created["service_request_id"]
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    # the same acknowledgement as from our own API: tracking number, access code, due date
    ack = wait_for(lambda: county.mailbox.to("wang5@example.com"))[0]
    assert case_id in ack["subject"] and "查询码" in ack["body"]
    stored = county.db.cases.find_one({"_id": case_id})
    assert stored["channel"] == "open311" and stored["location"]["lat"] == 34.25

    for fmt in ("json", "xml"):
        client = GeoReport(base, output_format=fmt)
        one = wait_for(lambda: client.get_service_request(case_id)["agency_responsible"])
        one = client.get_service_request(case_id)
        assert (one["service_request_id"], one["status"], one["service_code"]) == (
            case_id,
            "open",
            "environment",
        )
        assert one["expected_datetime"] and one["requested_datetime"]
        listed = client.get_service_requests(service_code="environment", status="open")
        listed = listed if isinstance(listed, list) else [listed]
        assert case_id in [x["service_request_id"] for x in listed]

    to_answered(county, case_id)
    closed = GeoReport(base).get_service_request(case_id)
    assert closed["status"] == "closed" and closed["status_notes"] == "已责令停产整改"
    assert closed["description"] is None  # the citizen did not agree to publication


def test_xml_post_errors_and_revocation(county, api_key):
    r = post(county, "xml", api_key=api_key, **{**FORM, "email": "wang6@example.com"})
    assert r.status_code == 201 and r.headers["Content-Type"].startswith("text/xml")
    created = xmltodict.parse(r.content)["service_requests"]["request"]
    assert created["service_request_id"].startswith("LX-")

    missing_key = post(county, **FORM)
    assert missing_key.status_code == 403
    assert set(missing_key.json()[0]) == {"code", "description"}
    unknown = post(county, api_key=api_key, **{**FORM, "service_code": "weather"})
    assert unknown.status_code == 404 and unknown.json()[0]["code"] == 404
    nowhere = post(
        county,
        api_key=api_key,
        **{k: v for k, v in FORM.items() if k not in ("lat", "long", "address_string")},
    )
    assert nowhere.status_code == 400
    bad_phone = post(county, "xml", api_key=api_key, **{**FORM, "phone": "call me"})
    error = ET.fromstring(bad_phone.content)
    assert bad_phone.status_code == 400 and error.tag == "errors"
    assert error.find("error/code").text == "400" and error.find("error/description").text
    assert (
        requests.get(
            f"{county.url}/open311/v2/requests/LX-20000101-000001.json", timeout=10
        ).status_code
        == 404
    )
    assert (
        requests.get(f"{county.url}/open311/v2/nothing.json", timeout=10).json()[0]["code"] == 404
    )

    revoked = county.api.put("/api-keys/mobile-app", {"name": "随手拍", "active": False}, "admin")
    assert revoked.status_code == 200
    assert post(county, api_key=api_key, **FORM).status_code == 403
    county.api.put(
        "/api-keys/mobile-app", {"name": "随手拍", "active": True, "per_minute": 5}, "admin"
    )


def test_an_api_key_is_rate_limited(county, api_key):
    tight = county.api.post("/api-keys", {"id": "tight", "name": "tight", "per_minute": 2}, "admin")
    answers = [
        post(county, api_key=tight.json()["key"], **{**FORM, "description": f"限流测试{i}"})
        for i in range(5)
    ]
    # 2 a minute: five quick requests meet the limit even if a minute turns among them
    statuses = [a.status_code for a in answers]
    assert statuses[0] == 201 and set(statuses) == {201, 429} and statuses.count(201) <= 4
    limited = answers[statuses.index(429)]
    assert 1 <= int(limited.headers["Retry-After"]) <= 61 and limited.json()[0]["code"] == 429


def test_the_public_board_shows_only_what_it_may(county):
    api = county.api
    published, _ = submit(
        county,
        public_consent=True,
        title="公开件",
        content="我的电话13912345678，邮箱me@example.com，路灯坏了",
        citizen={"name": "赵六", "phone": "13900001111", "email": "zhao6@example.com"},
    )
    private, _ = submit(county, title="不公开件")
    report, _ = submit(
        county, kind="report", public_consent=True, title="举报件", content="某厂偷排"
    )
    for case_id in (published, private, report):
        to_answered(county, case_id)
    board = api.get("/public/cases", params={"limit": 100}).json()
    ids = [c["id"] for c in board["items"]]
    assert published in ids and private not in ids and report not in ids
    item = api.get(f"/public/cases/{published}").json()
    assert item["citizen"] == {"name": "赵**", "phone": "139****1111"}
    assert "139****5678" in item["content"] and "13912345678" not in item["content"]
    assert "me@example.com" not in item["content"]
    text = str(item)
    assert "zhao6@example.com" not in text and "已现场检查" not in text  # no internal notes
    assert item["answer"]["opinion"] == "已责令停产整改" and item["unit"] == "县生态环境局"
    assert api.get(f"/public/cases/{private}").status_code == 404
    assert api.get(f"/public/cases/{report}").status_code == 404


def test_public_stats_are_the_offices_numbers(county):
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    quarter = f"{now.year}Q{(now.month - 1) // 3 + 1}"
    public = county.api.get("/public/stats", params={"quarter": quarter}).json()
    office = county.api.get("/reports/bulletin", "leader_li", params={"quarter": quarter}).json()
    figures = {u["unit"]: u["figures"] for u in office["ranking"]}
    for unit in public["units"]:
        for rate in ("completion_rate", "on_time_rate", "satisfaction_rate"):
            assert unit[rate] == figures[unit["unit"]][rate]
    assert county.api.get("/public/stats", params={"quarter": "2026Q9"}).status_code == 422


def test_guessing_access_codes_is_rate_limited(county):
    import time

    case_id, code = submit(county, title="限流")
    url = f"{county.url}/api/v1/cases/{case_id}"
    statuses = []
    while 429 not in statuses and len(statuses) <= 600:
        statuses.append(
            requests.get(url, params={"code": f"WRONG{len(statuses):03d}"}, timeout=10).status_code
        )
    minute = int(time.time() // 60)
    # 300 a minute (the tests' setting): the 301st guess of a minute is refused; a minute
    # turning during the run restarts the count once at most
    first = statuses.index(429)
    assert 300 <= first <= 600 and set(statuses[:first]) == {404}
    limited = requests.get(url, params={"code": code}, timeout=10)
    if int(time.time() // 60) == minute:  # even the right code waits for the next minute
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert limited.json()["error"]["code"] == "too_many_requests"
