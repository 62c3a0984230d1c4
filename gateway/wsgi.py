"""WSGI entry for gunicorn: `gunicorn -k gthread gateway.wsgi:app`."""
from .app import create_app

app = create_app()
