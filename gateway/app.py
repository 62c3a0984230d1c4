"""The gateway: the only HTTP entry. It validates, calls one service, maps errors; of the
store it owns only the shared rate-limit windows."""

import logging

from flask import Flask

from lianxin import settings, store
from lianxin.rpc import RpcPool

from . import (  # noqa: F401,E501  (their routes join the blueprint)
    admin_api,
    auth_api,
    cases_api,
    consult_api,
    errors,
    files_api,
    matters_api,
    me_api,
    notify_api,
    public_api,
    reception_api,
    reports_api,
    security,
)
from .auth import make_cache
from .common import api
from .health import health
from .open311 import open311
from .openapi import docs
from .ratelimit import SharedWindow
from .web import ConsolePath, web


def create_app(nameko_config=None, rpc_timeout=None):
    app = Flask(__name__)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    config = nameko_config or settings.nameko_config()
    app.config.update(
        AMQP_URI=config["AMQP_URI"],
        MONGO_URI=config["MONGO_URI"],
        RPC_TIMEOUT=rpc_timeout or settings.RPC_TIMEOUT,
        SECRET_KEY=settings.SECRET_KEY,
        TOKEN_TTL=settings.TOKEN_TTL_SECONDS,
        WEB_DIST=settings.WEB_DIST,
    )
    app.url_map.converters["console_path"] = ConsolePath
    app.extensions["lianxin.rpc"] = RpcPool(config, timeout=app.config["RPC_TIMEOUT"])
    app.extensions["lianxin.ping"] = RpcPool(config, timeout=2)
    app.extensions["lianxin.reports_rpc"] = RpcPool(config, timeout=settings.REPORT_TIMEOUT, size=2)
    app.extensions["lianxin.files_rpc"] = RpcPool(config, timeout=settings.ATTACHMENT_RPC_TIMEOUT)
    app.extensions["lianxin.accounts"] = make_cache(app.extensions["lianxin.rpc"])
    # Rate limits are counted in the store, shared by every gateway process (a collection of
    # the gateway's own: the only one it writes).
    app.extensions["lianxin.ratelimit"] = SharedWindow(
        store.database(config["MONGO_URI"], config.get("MONGO_DB")).rate_windows
    )
    app.register_blueprint(api)
    app.register_blueprint(health)
    app.register_blueprint(docs)
    app.register_blueprint(open311)
    app.register_blueprint(web)  # the web console at / (gateway/web.py)
    errors.register(app)
    security.register(app)
    logging.basicConfig(level=logging.INFO)
    return app
