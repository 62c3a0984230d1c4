"""The gateway serves the built web console at / (gateway/web.py): long caching for hashed
assets, index.html revalidated, history fallback for client routes, the API's paths left
alone, nothing outside the build directory ever served."""

import gzip

import pytest

from gateway.app import create_app

INDEX = (
    "<!doctype html><html><head><script type=module src=/assets/app-1a2b3c.js></script>"
    "</head><body><div id=app></div></body></html>"
)
SCRIPT = "console.log('lianxin');\n" * 200


@pytest.fixture
def dist(tmp_path):
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "assets" / "app-1a2b3c.js").write_text(SCRIPT)
    (root / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("outside the build")
    return root


def client_for(dist_path):
    app = create_app({"AMQP_URI": "memory://", "MONGO_URI": "mongodb://127.0.0.1:1/"})
    app.config["WEB_DIST"] = str(dist_path)
    return app.test_client()


@pytest.fixture
def client(dist):
    return client_for(dist)


def test_the_console_is_served_at_the_root_and_revalidated_each_load(client):
    r = client.get("/")
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert b"<div id=app>" in r.data
    assert r.headers["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]


def test_client_routes_fall_back_to_the_console_page(client):
    for path in ("/staff", "/staff/cases/LX-2026-000123", "/receipt/LX-1?x=1", "/track"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert b"<div id=app>" in r.data and r.headers["Cache-Control"] == "no-cache"


def test_hashed_assets_are_cached_for_a_year_and_sent_gzipped(client):
    r = client.get("/assets/app-1a2b3c.js", headers={"Accept-Encoding": "gzip, br"})
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert r.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in r.headers["Vary"]
    assert gzip.decompress(r.data).decode() == SCRIPT
    assert int(r.headers["Content-Length"]) == len(r.data) < len(SCRIPT) / 10
    plain = client.get("/assets/app-1a2b3c.js")
    assert "Content-Encoding" not in plain.headers and plain.data.decode() == SCRIPT


def test_a_revalidated_asset_answers_not_modified(client):
    first = client.get("/assets/app-1a2b3c.js")
    again = client.get("/assets/app-1a2b3c.js", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_a_missing_file_is_a_404_not_the_console(client):
    for path in ("/assets/gone-123.js", "/robots.txt", "/staff/logo.png"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert b"<div id=app>" not in r.data


def test_the_api_side_is_untouched(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
    assert client.get("/api/v1/cases/LX-1/claim").status_code == 405  # POST only, as before
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/open311/v2/nothing").status_code == 404
    assert client.get("/api").status_code == 404 and client.get("/api").is_json


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/..%2fsecret.txt",
        "/assets/../../secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/%2e%2e/secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/..\\secret.txt",
        "/%2fetc/passwd",
        "//etc/passwd",
        "/assets//etc/passwd",
        "/static/../../secret.txt",
    ],
)
def test_nothing_outside_the_build_is_ever_served(client, path):
    r = client.get(path)
    assert b"outside the build" not in r.data, path
    assert b"root:" not in r.data, path


def test_without_a_build_the_root_says_how_to_build_it(tmp_path):
    client = client_for(tmp_path / "no-dist")
    page = client.get("/", headers={"Accept": "text/html"})
    assert (
        page.status_code == 503 and b"npm run build" in page.data and page.mimetype == "text/html"
    )
    api = client.get("/staff", headers={"Accept": "application/json"})
    assert api.status_code == 503 and api.json["error"]["code"] == "web_console_not_built"
    assert client.get("/healthz").status_code == 200
