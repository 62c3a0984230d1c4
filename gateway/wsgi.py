"""WSGI entry for gunicorn: `gunicorn -k gthread gateway.wsgi:app`."""

from lianxin import settings

from .app import create_app

settings.require_secrets("gateway")
app = create_app()
