"""Twilio voice webhooks: incoming call, ring legs, screening, status, voicemail."""

from flask import Blueprint

bp = Blueprint("voice", __name__, url_prefix="/voice")

from hotline.voice import views  # noqa: E402,F401 - registers the routes on bp
