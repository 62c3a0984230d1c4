"""The web console (`web/`, built into `LX_WEB_DIST`) served at `/`: hashed assets cached for a
year, `index.html` revalidated on every load, and every client route (`/staff/cases/…`)
answered with `index.html` so that vue-router's history mode works on reload and on a shared
link. `/api`, `/open311`, `/healthz` and `/readyz` are other blueprints' and stay as they are.
"""

import gzip
import os
import threading

from flask import Blueprint, Response, current_app, jsonify, request, send_file
from werkzeug.exceptions import NotFound
from werkzeug.routing import PathConverter
from werkzeug.security import safe_join

from . import security

web = Blueprint("web", __name__)

IMMUTABLE = "public, max-age=31536000, immutable"  # Vite puts a content hash in these names
HASHED_DIR = "assets/"
COMPRESSIBLE = (".js", ".mjs", ".css", ".html", ".svg", ".json", ".txt", ".map", ".ico")
_gzipped = {}  # (path, mtime, size) → gzip bytes; assets are few and never change in place
_gzip_lock = threading.Lock()


class ConsolePath(PathConverter):
    """Any path but the API side's (`/api…`, `/open311…`, `/healthz`, `/readyz`): those never
    match the console, so their 404s and 405s stay the API's own."""

    regex = r"(?!(?:api|open311)(?:/|$)|(?:healthz|readyz)$)[^/].*?"


def dist_dir():
    return current_app.config["WEB_DIST"]


def _not_built():
    """Without a build the console cannot be shown: say how to build it, in the form asked."""
    message = (
        "The web console is not built. `./lx run` builds it; by hand: "
        "cd web && npm ci && npm run build"
    )
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "text/html":
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            "<title>Lianxin</title></head><body><main><h1>Lianxin (连心)</h1>"
            f'<p>{message}</p><p>The API is at <a href="/api/docs">/api/docs</a>.</p>'
            "</main></body></html>"
        )
        return Response(
            page,
            status=503,
            mimetype="text/html",
            headers={"Cache-Control": "no-store", "Retry-After": "30"},
        )
    response = jsonify(
        {
            "error": {
                "code": "web_console_not_built",
                "message": message,
                "details": {"dist": dist_dir()},
            }
        }
    )
    response.status_code = 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _compressed(path):
    stat = os.stat(path)
    key = (path, stat.st_mtime_ns, stat.st_size)
    with _gzip_lock:
        body = _gzipped.get(key)
    if body is None:
        with open(path, "rb") as f:
            body = gzip.compress(f.read(), compresslevel=9, mtime=0)
        with _gzip_lock:
            _gzipped[key] = body
    return body


def _send(path, cache_control):
    accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    if accepts_gzip and path.endswith(COMPRESSIBLE) and os.path.getsize(path) > 1024:
        response = send_file(path, conditional=True, etag=True)
        if response.status_code == 200:
            response.direct_passthrough = False
            response.set_data(_compressed(path))
            response.headers["Content-Encoding"] = "gzip"
    else:
        response = send_file(path, conditional=True, etag=True)
    response.headers["Cache-Control"] = cache_control
    response.headers["Vary"] = "Accept-Encoding"
    # The console loads only its own scripts and styles (no CDN, no inline script, no eval):
    # the page policy of gateway/security.py, for the assets as for the page.
    response.headers["Content-Security-Policy"] = security.CSP
    return response


def _index():
    path = safe_join(dist_dir(), "index.html")
    if path is None or not os.path.isfile(path):
        return _not_built()
    return _send(path, "no-cache")


@web.get("/")
def console_home():
    return _index()


@web.get("/<console_path:relative>")
def console(relative):
    path = safe_join(dist_dir(), relative)  # None for anything that leaves the directory
    if path is not None and os.path.isfile(path):
        cache = IMMUTABLE if relative.startswith(HASHED_DIR) else "no-cache"
        return _send(path, cache)
    last = relative.rsplit("/", 1)[-1]
    if path is None or "." in last or relative.startswith(HASHED_DIR):
        raise NotFound()  # a missing file is a 404, not the console's page
    return _index()  # a client route of the console (history mode)
