"""The yardstick of benchmarks/webhook.py: Flask answering constant TwiML, nothing else.

Same framework, same gunicorn settings, same request bodies as the real
/voice/incoming, but no signature check, no database and no TwiML building: what
is left is the cost of HTTP, WSGI and Flask routing on this machine.
"""

from __future__ import annotations

from flask import Flask, Response

# The document the real endpoint answers for a screened call (greeting, then Dial).
TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    '<Say language="fr-FR" voice="Polly.Lea">Bonjour, vous êtes en relation avec Astreinte '
    "bench. Nous recherchons la personne d'astreinte, merci de patienter.</Say>"
    '<Dial action="http://127.0.0.1/voice/dial-result?call=CA0&amp;pos=0" answerOnBridge="true" '
    'method="POST" ringTone="fr" timeout="20"><Number method="POST" '
    'statusCallback="http://127.0.0.1/voice/leg-status?call=CA0&amp;pos=0" '
    'statusCallbackEvent="initiated ringing answered completed" statusCallbackMethod="POST" '
    'url="http://127.0.0.1/voice/screen?call=CA0&amp;pos=0">+33612345601</Number></Dial>'
    "</Response>"
)

app = Flask(__name__)


@app.post("/voice/incoming")
def incoming() -> Response:
    """Answer every call with the same TwiML."""
    return Response(TWIML, mimetype="application/xml")
