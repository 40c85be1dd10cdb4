"""WSGI entry point: `gunicorn wsgi:app`."""

from hotline import create_app

app = create_app()
