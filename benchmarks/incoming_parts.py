"""Where the in-process time of POST /voice/incoming goes: its parts taken away one by one.

Flask's test client posts signed incoming calls, one at a time, to the real app on a
fresh database seeded as for webhook.py (one hotline, three people, a year of slots),
where the usual call is answered in front of Flask (hotline.voice.fast_incoming);
to the real app with the write, then also the reads, replaced by their outcome; to
the app without that fast path, through Flask's view; to variants of it without the
fast path: the view replaced by constant TwiML behind the same webhook wrapper
(signature check, form, hooks), then without the app's request hooks, then the form
parsed and nothing else; to benchmarks/prototype_app.py (the same work written by
hand on the driver); and to benchmarks/bare_app.py. The call path's
database steps are also timed on their own: the reads (a pooled connection, the
hotline, the on-call lookup) and the write (the call and its first ring leg).

Each figure is the smallest CPU time per request over blocks of 100 (the least
disturbed by other work on the machine); the test client's own cost is in every
request figure, the bare app's included.

    python benchmarks/incoming_parts.py [--db sqlite|postgresql|both] [--blocks 20]
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import os
import sys
import time
from collections.abc import Callable
from datetime import date
from unittest.mock import patch

import bare_app
import benchdb
import stubbed_app
import webhook
from flask import Flask, Response, request

from hotline import create_app
from hotline.db import database, utcnow
from hotline.driver import driver_connection
from hotline.voice import calls, start
from hotline.voice.fast_incoming import IncomingFastPath
from hotline.voice.webhook import twilio_webhook

URL = "http://localhost/voice/incoming"
CALLER = "+33600000001"
BLOCK = 100
# Shared by every variant: each request is a new call, never a retry of another's.
FRESH_SIDS = (f"CA{n:032x}" for n in itertools.count())


def best_of(blocks: int, run: Callable[[], None]) -> float:
    """The smallest CPU seconds per run over `blocks` blocks of BLOCK runs, after a warm-up."""
    for _ in range(BLOCK * 2):
        run()
    best = float("inf")
    for _ in range(blocks):
        started = time.process_time()
        for _ in range(BLOCK):
            run()
        best = min(best, (time.process_time() - started) / BLOCK)
    return best


def poster(app: Flask) -> Callable[[], None]:
    """Post one signed incoming call with a fresh CallSid to `app`."""
    client = app.test_client()

    def post() -> None:
        params = webhook.incoming_params(next(FRESH_SIDS), CALLER)
        headers = {"X-Twilio-Signature": webhook.signature(URL, params)}
        response = client.post(URL, data=params, headers=headers)
        if response.status_code != 200 or b"<Dial" not in response.data:
            raise SystemExit(f"unexpected answer: {response.status_code} {response.data[:200]!r}")

    return post


def constant_twiml() -> str:
    return bare_app.TWIML


def form_only() -> Response:
    request.form  # noqa: B018 - parsing the form is the point
    return Response(bare_app.TWIML, mimetype="application/xml")


def through_flask(app: Flask) -> Flask:
    """`app` without the fast path in front of Flask (hotline.voice.fast_incoming)."""
    assert isinstance(app.wsgi_app, IncomingFastPath)  # noqa: S101 - no PROXY_COUNT here
    app.wsgi_app = app.wsgi_app.wsgi_app  # type: ignore[method-assign]
    return app


def prototype() -> Flask:
    """benchmarks/prototype_app.py on this run's database (it reads its settings at import)."""
    module = sys.modules.get("prototype_app")
    module = importlib.reload(module) if module else importlib.import_module("prototype_app")
    return module.app


def variants() -> list[tuple[str, Flask]]:
    """The real app, through Flask's view, then with parts of /voice/incoming taken away."""
    real = create_app()
    view = through_flask(create_app())
    wrapped = through_flask(create_app())
    wrapped.view_functions["voice.incoming"] = twilio_webhook(on_error=constant_twiml)(
        constant_twiml
    )
    unhooked = through_flask(create_app())
    unhooked.view_functions["voice.incoming"] = wrapped.view_functions["voice.incoming"]
    form = through_flask(create_app())
    form.view_functions["voice.incoming"] = form_only
    for app in (unhooked, form):
        app.before_request_funcs.clear()
        app.after_request_funcs.clear()
    return [
        ("real /voice/incoming", real),
        ("real, through Flask's view (no fast path)", view),
        ("constant TwiML: signature, form, hooks", wrapped),
        ("constant TwiML: signature, form", unhooked),
        ("form parsing only", form),
        ("hand-written prototype (benchmarks/prototype_app.py)", prototype()),
        ("bare Flask app (benchmarks/bare_app.py)", bare_app.app),
    ]


def without_database(blocks: int) -> list[tuple[str, float]]:
    """The real request with the write, then also the reads, replaced by their outcome."""
    app = create_app()
    route = stubbed_app.seeded_route(app, webhook.HOTLINE_NUMBER)
    post = poster(app)
    with patch.object(start, "start_at_once", stubbed_app.recorded):
        no_write = best_of(blocks, post)
        with patch.object(calls, "find_route", lambda *_args: route):
            neither = best_of(blocks, post)
    return [("real without the write", no_write), ("real without the reads and the write", neither)]


def database_steps(app: Flask, blocks: int) -> list[tuple[str, float]]:
    """The reads and the write of an incoming call, timed on their own."""
    db, now = database(app), utcnow()
    sids = (f"CAdb{n:030x}" for n in itertools.count())

    def reads() -> None:
        with db.autocommit() as autocommit:
            calls.find_route(driver_connection(autocommit), webhook.HOTLINE_NUMBER, now)

    def write() -> None:
        with db.autocommit() as autocommit:
            conn = driver_connection(autocommit)
            route = calls.find_route(conn, webhook.HOTLINE_NUMBER, now)
            assert route is not None  # noqa: S101 - seeded above
            values = start.call_values(*route, call_sid=next(sids), from_number=CALLER, now=now)
            assert start.start_at_once(db, conn, values, now) is not None  # noqa: S101

    read_cost = best_of(blocks, reads)
    write_cost = best_of(blocks, write)
    return [("reads: connection, hotline, lookup", read_cost), ("reads + write", write_cost)]


def bench(kind: str, blocks: int) -> None:
    work = benchdb.workdir(f"hotline-parts-{kind}-")
    url = benchdb.fresh_url(kind, "hotline_bench_parts", work)
    engine = benchdb.migrated_engine(url)
    webhook.seed(engine, date.today())
    engine.dispose()
    os.environ.update(
        HOTLINE_DATABASE_URL=url,
        HOTLINE_TWILIO_AUTH_TOKEN=webhook.AUTH_TOKEN,
        HOTLINE_EMERGENCY_NUMBER=webhook.EMERGENCY_NUMBER,
    )
    print(f"\n== {kind}: CPU per request, smallest of {blocks} blocks of {BLOCK}")
    figures = [(label, best_of(blocks, poster(app))) for label, app in variants()]
    figures[1:1] = without_database(blocks)
    figures += database_steps(create_app(), blocks)
    for label, seconds in figures:
        print(f"{seconds * 1e3:8.3f} ms  {label}")
    benchdb.drop_database(kind, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=[*benchdb.DATABASES, "both"], default="both")
    parser.add_argument("--blocks", type=int, default=20)
    args = parser.parse_args()
    for kind in benchdb.DATABASES if args.db == "both" else (args.db,):
        bench(kind, args.blocks)


if __name__ == "__main__":
    main()
