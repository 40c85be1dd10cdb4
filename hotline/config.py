"""Configuration defaults; each key can be set as HOTLINE_<KEY> or in instance/config.py."""

from __future__ import annotations

DEFAULTS: dict[str, object] = {
    # Web sessions and CSRF. The demo writes a random one to instance/config.py.
    "SECRET_KEY": None,
    # SQLite in the instance folder unless set (plain DATABASE_URL is honoured too).
    "DATABASE_URL": None,
    # Twilio: the auth token signs every webhook; without it every webhook is refused.
    "TWILIO_ACCOUNT_SID": "",
    "TWILIO_AUTH_TOKEN": "",
    # Another base URL for Twilio's REST API and recording media (a stand-in for
    # tests or a demo); empty: https://api.twilio.com.
    "TWILIO_API_BASE_URL": "",
    # The base URL Twilio uses to reach this server (https://hotline.example.org).
    # When unset, the request's own URL is used; behind a proxy set PROXY_COUNT too.
    "PUBLIC_BASE_URL": "",
    # Number of reverse proxies in front of the app whose X-Forwarded-* we trust.
    "PROXY_COUNT": 0,
    # Dialled whenever the app cannot route a call itself (database down, bug):
    # kept in config so it survives a dead database.
    "EMERGENCY_NUMBER": "",
    # Language of the emergency prompt, spoken before any hotline is known.
    "FALLBACK_LANGUAGE": "fr",
    # Seconds the screened agent has to press 1.
    "SCREENING_TIMEOUT": 8,
    # Zone of web UI times that belong to no hotline (sign-ins, API tokens).
    "TIMEZONE": "Europe/Paris",
    # Web sign-in: this many wrong passwords for one login from one client address
    # lock that login there for LOGIN_LOCKOUT_MINUTES; this many from all addresses
    # together lock it everywhere (hotline.auth.lockout says why both).
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_MAX_ACCOUNT_FAILURES": 50,
    "LOGIN_LOCKOUT_MINUTES": 15,
    # A web session ends after this many seconds without a request (and at the
    # latest PERMANENT_SESSION_LIFETIME after its sign-in); 12 hours by default.
    "SESSION_IDLE_TIMEOUT": 12 * 3600,
    # Session cookie: None means Secure when PUBLIC_BASE_URL is https or PROXY_COUNT is set
    # (a TLS-terminating proxy: hotline.auth.web).
    "SESSION_COOKIE_SECURE": None,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # A form left open this long (seconds) must be reloaded before it is sent.
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    # Blueprints whose POSTs are authenticated by a Twilio signature, not a CSRF token.
    "CSRF_EXEMPT_BLUEPRINTS": ["voice", "alert_webhooks"],
    # JSON log lines instead of plain text; every line of a webhook carries its CallSid.
    "LOG_JSON": False,
    "LOG_LEVEL": "INFO",
    # When set, /metrics wants "Authorization: Bearer <token>".
    "METRICS_TOKEN": "",
}
