"""The real app with the incoming call's database work replaced by its outcome: a bound.

benchmarks/webhook.py --stub write|all runs this beside the real server, in the same
rounds, to tell how much of the gap to the bare endpoint is the database work, and so
what the rest of the request leaves for it. It is the real app (wsgi.py's, with its
fast path, signature check, TwiML and headers), but the write of the call and its
first ring leg (`write`), or that and the reads of the hotline and the on-call chain
(`all`), return what they would have returned without touching the database. Nothing
it answers is recorded: a measure, not a product.

Settings from the environment, as the real server's, plus HOTLINE_BENCH_STUB and
HOTLINE_BENCH_NUMBER (the seeded hotline's number, whose route the stub answers with).
"""

from __future__ import annotations

import os
from typing import Any
from unittest.mock import patch

from flask import Flask

from hotline import create_app
from hotline.db import database, utcnow
from hotline.driver import driver_connection
from hotline.voice import calls, start

STUBS = ("write", "all")


def seeded_route(app: Flask, number: str) -> Any:
    """The hotline and chain the real lookup finds for `number` now."""
    with database(app).autocommit() as autocommit:
        route = calls.find_route(driver_connection(autocommit), number, utcnow())
    if route is None:
        raise SystemExit(f"no hotline with someone on call at {number}")
    return route


def recorded(_db: object, _conn: object, values: dict[str, Any], _now: object) -> start.Started:
    """What `start.start_at_once` returns for a new call, with nothing written."""
    call = calls.NewCall(0, values["call_sid"], values["from_number"], values["chain"])
    return call, calls.Step(calls.StepKind.DIAL, calls.Leg(0, values["chain"][0]["number"]))


def stub_database(app: Flask, number: str, stub: str) -> None:
    """Replace the write, and with `all` also the reads, for the life of the process."""
    if stub not in STUBS:
        raise SystemExit(f"HOTLINE_BENCH_STUB must be one of {', '.join(STUBS)}, not {stub!r}")
    route = seeded_route(app, number)
    patch.object(start, "start_at_once", recorded).start()
    if stub == "all":
        patch.object(calls, "find_route", lambda *_args: route).start()


if "HOTLINE_BENCH_STUB" in os.environ:  # gunicorn's import; incoming_parts.py takes the parts
    app = create_app()
    stub_database(app, os.environ["HOTLINE_BENCH_NUMBER"], os.environ["HOTLINE_BENCH_STUB"])
