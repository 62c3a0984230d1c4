"""Masking for the public board, the GeoReport XML form, and the rate-limit window."""

import xml.etree.ElementTree as ET

import pytest

from gateway.open311 import to_xml
from gateway.ratelimit import Window
from lianxin.errors import TooManyRequests
from services.reading.public import mask_name, mask_phone, mask_text


def test_masks():
    assert mask_name("张三丰") == "张**" and mask_name("") is None
    assert mask_phone("138-1234-1234") == "138****1234" and mask_phone("") is None
    text = mask_text("电话13812341234，邮箱a.b@x.cn，身份证11010119900307123X，号码0101234")
    assert "138****1234" in text and "a.b@x.cn" not in text and "123X" not in text
    assert "0101234" in text  # not a mobile number


def test_georeport_xml_names_list_items_as_the_spec_does():
    root = ET.fromstring(
        to_xml(
            "service_requests",
            [{"service_request_id": "LX-1", "status": "open", "lat": 1.5, "media_url": None}],
        )
    )
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request.find("service_request_id").text == "LX-1"
    assert request.find("lat").text == "1.5" and request.find("media_url").text is None
    services = ET.fromstring(to_xml("services", [{"service_code": "x", "metadata": False}]))
    assert services.find("service/metadata").text == "false"
    errors = ET.fromstring(to_xml("errors", [{"code": 400, "description": "bad"}]))
    assert errors.find("error/code").text == "400"


def test_the_window_counts_per_key_and_minute():
    now = [120.0]
    window = Window(clock=lambda: now[0])
    for _ in range(3):
        window.hit("a", 3)
    window.hit("b", 3)
    with pytest.raises(TooManyRequests) as too_many:
        window.hit("a", 3)
    assert too_many.value.details["retry_after"] == 61
    now[0] = 185.0  # the next minute
    window.hit("a", 3)
