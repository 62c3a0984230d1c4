"""Open311 GeoReport v2 (docs/contract.md §11; http://wiki.open311.org/GeoReport_v2): services are
topics, requests are cases (channel `open311`), `service_request_id` is the tracking number. Every
resource in `.json` and `.xml`; errors as GeoReport wants them, a list of {code, description} with
the HTTP status; POST needs an API key the admin issued (`/api/v1/api-keys`)."""

import uuid
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, json, request

from lianxin import settings
from lianxin.clock import parse_iso
from lianxin.errors import LianxinError, NotFound, ValidationFailed

from . import ratelimit
from .common import parse_json, rpc

open311 = Blueprint("open311", __name__, url_prefix="/open311/v2")
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# the element names of list items in the XML forms
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def _xml(parent, name, value):
    node = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for k, v in value.items():
            _xml(node, k, v)
    elif isinstance(value, list):
        for item in value:
            _xml(node, ITEMS.get(name, "item"), item)
    elif value is not None:
        node.text = str(value).lower() if isinstance(value, bool) else str(value)
    return node


def to_xml(root, value):
    tree = ET.Element(root)
    if isinstance(value, list):
        for item in value:
            _xml(tree, ITEMS.get(root, "item"), item)
    else:
        for k, v in value.items():
            _xml(tree, k, v)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(tree, encoding="utf-8")


def respond(fmt, root, value, status=200):
    if fmt == "xml":
        return Response(
            to_xml(root, value), status=status, mimetype="text/xml", content_type=FORMATS["xml"]
        )
    return Response(
        json.dumps(value, ensure_ascii=False), status=status, content_type=FORMATS["json"]
    )


def _fmt(fmt):
    if fmt not in FORMATS:
        raise NotFound("the format is json or xml", {})
    return fmt


def error(fmt, status, description):
    return respond(
        fmt if fmt in FORMATS else "json",
        "errors",
        [{"code": status, "description": description}],
        status,
    )


@open311.errorhandler(LianxinError)
def georeport_error(exc):
    fmt = (request.view_args or {}).get("fmt", "json")
    status = 500 if exc.status >= 500 and exc.status != 503 else exc.status
    status = 400 if status == 422 else status  # GeoReport: 400 for a bad request
    description = exc.message
    fields = (exc.details or {}).get("fields")
    if fields:
        description += ": " + "; ".join(
            f"{k} {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in fields.items()
        )
    response = error(fmt, status, description)
    if exc.status == 429:
        response.headers["Retry-After"] = str((exc.details or {}).get("retry_after", 60))
    if exc.status == 503:
        response.headers["Retry-After"] = "5"
    return response


@open311.get("/discovery.<fmt>")
def discovery(fmt):
    fmt = _fmt(fmt)
    ratelimit.public()
    base = f"{request.host_url.rstrip('/')}/open311/v2/"
    return respond(
        fmt,
        "discovery",
        {
            "changeset": "2026-11-24T00:00:00Z",
            "contact": settings.OPEN311_CONTACT,
            "key_service": f"{request.host_url.rstrip('/')}/api/docs",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": "2026-11-24T00:00:00Z",
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        },
    )


def _services():
    return [
        {
            "service_code": t["id"],
            "service_name": t["name"],
            "description": t.get("description") or t["name"],
            "metadata": False,
            "type": "realtime",
            "keywords": t.get("keywords") or "",
            "group": t.get("group") or "",
        }
        for t in rpc("accounts", "topics")
    ]


@open311.get("/services.<fmt>")
def services(fmt):
    fmt = _fmt(fmt)
    ratelimit.public()
    return respond(fmt, "services", _services())


@open311.get("/services/<code>.<fmt>")
def service_definition(code, fmt):
    fmt = _fmt(fmt)
    ratelimit.public()
    if code not in {s["service_code"] for s in _services()}:
        raise NotFound(f"no service {code}", {})
    return respond(fmt, "service_definition", {"service_code": code, "attributes": []})


def _date(name):
    value = request.args.get(name)
    if not value:
        return None
    try:
        return parse_iso(value).isoformat()
    except ValueError:
        raise ValidationFailed(f"{name} is not a w3 datetime (2010-01-01T00:00:00Z)", {})


@open311.get("/requests.<fmt>")
def requests_list(fmt):
    fmt = _fmt(fmt)
    ratelimit.public()
    query = {
        k: request.args.get(k)
        for k in ("service_request_id", "service_code", "status")
        if request.args.get(k)
    }
    query.update({k: v for k in ("start_date", "end_date") if (v := _date(k))})
    return respond(fmt, "service_requests", rpc("reading", "open311_requests", query))


@open311.get("/requests/<case_id>.<fmt>")
def request_one(case_id, fmt):
    fmt = _fmt(fmt)
    ratelimit.public()
    return respond(fmt, "service_requests", rpc("reading", "open311_request", case_id))


def case_from_form(form, topics):
    """A GeoReport POST form → our case body (docs/contract.md §2)."""
    code = form.get("service_code")
    if not code:
        raise ValidationFailed("service_code is required", {})
    if code not in topics:
        raise NotFound(f"no service {code}", {})
    lat, lon = form.get("lat"), form.get("long")
    address = form.get("address_string") or form.get("address_id")
    if not ((lat and lon) or address):
        raise ValidationFailed("a location is required: lat and long, or address_string", {})
    description = (form.get("description") or "").strip()
    name = " ".join(filter(None, (form.get("last_name"), form.get("first_name")))).strip()
    citizen = {
        k: v
        for k, v in (("name", name), ("email", form.get("email")), ("phone", form.get("phone")))
        if v
    }
    if not (citizen.get("email") or citizen.get("phone")):
        citizen["anonymous"] = True
    location = {}
    try:
        if lat and lon:
            location.update(lat=float(lat), lon=float(lon))
    except ValueError:
        raise ValidationFailed("lat and long are numbers", {})
    if address:
        location["address"] = address[:500]
    title = (description.splitlines()[0][:60] if description else topics[code]) or topics[code]
    return {
        "channel": "open311",
        "kind": "request",
        "topic": code,
        "title": title,
        "content": description or topics[code],
        "location": location,
        "citizen": citizen,
    }


@open311.post("/requests.<fmt>")
def request_create(fmt):
    fmt = _fmt(fmt)
    form = request.form if request.form else (parse_json() or {})
    key = rpc("accounts", "check_api_key", form.get("api_key", ""))
    ratelimit.limit("open311", key.get("per_minute") or settings.OPEN311_RATE_PER_MINUTE, key["id"])
    topics = {s["service_code"]: s["service_name"] for s in _services()}
    body = case_from_form(form, topics)
    receipt = rpc(
        "intake", "submit_open311", body, f"open311:{key['id']}:{uuid.uuid4()}", key["id"]
    )
    notice = (
        "已受理，受理编号与查询码已发送到您的联系方式"
        if not body["citizen"].get("anonymous")
        else "已受理"
    )
    return respond(
        fmt,
        "service_requests",
        [{"service_request_id": receipt["id"], "service_notice": notice, "account_id": None}],
        201,
    )
