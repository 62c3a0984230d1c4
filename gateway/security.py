"""What every answer of the gateway carries, and what no request may bring (docs/security.md):
strict cross-origin rules (origins from settings; the gateway's own origin, which serves the
web console, always), headers that stop sniffing, framing and inline script, and bodies
refused before they are read when too large (413) or nested too deep (400)."""

from urllib.parse import urlsplit

from flask import request

from lianxin import settings

# The pages the gateway serves (the web console, the API docs) load everything from here.
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; font-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"
ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key"
ALLOWED_METHODS = "GET, POST, PUT, DELETE, OPTIONS"


def _origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def allowed_origins():
    own = _origin(settings.PUBLIC_URL)
    return {o for o in [own, *settings.CORS_ORIGINS] if o}


def json_depth(value, limit):
    """True if `value` nests deeper than `limit` (counted without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def not_text(value):
    """True if a key or string anywhere in `value` is not Unicode text (JSON's `\\ud800`
    escapes can carry a lone surrogate, which no store can hold as UTF-8)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False


def register(app):
    app.config["MAX_CONTENT_LENGTH"] = settings.MAX_BODY_BYTES
    origins = allowed_origins()

    @app.before_request
    def preflight():
        if request.method == "OPTIONS" and request.headers.get("Origin"):
            return ("", 204) if request.headers["Origin"] in origins else ("", 403)
        return None

    @app.after_request
    def headers(response):
        origin = request.headers.get("Origin")
        if origin and origin in origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response.headers["Access-Control-Expose-Headers"] = "Location, Retry-After"
            response.headers["Access-Control-Max-Age"] = "600"
        response.headers.add("Vary", "Origin")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        is_page = (response.mimetype or "").startswith("text/html")
        response.headers.setdefault("Content-Security-Policy", CSP if is_page else API_CSP)
        if (
            request.path.startswith(("/api/", "/open311/"))
            and "Cache-Control" not in response.headers
        ):
            response.headers["Cache-Control"] = "no-store"
        return response
