"""WSGI entry point: `gunicorn wsgi:app`."""

from hotline import create_app, log_start_up_problems

app = create_app()
log_start_up_problems(app)
