"""Browser tests: the app served on 127.0.0.1 from its own database, driven by Debian's chromium.

Fixtures: `live_server` (URL, database, `add_user`), `page` (a fresh browser tab per
test, cookies not shared), `sign_in(page, user)`. Chromium missing: the tests are
skipped, except under CI (env CI set), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from hotline import create_app, schema
from hotline.auth.models import ManagedHotline, User
from hotline.db import make_engine
from tests.conftest import USER_PASSWORD, companion_database, fresh_postgres_database

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000


# Werkzeug's development server, which serves these tests (never production: gunicorn),
# leaves a static file's response open when the browser resets the connection while
# the server drains it (its `finally` reads the socket before it closes the response).
# The file is collected later, in whichever test runs then: not the app's leak.
DROPPED_STATIC_FILE = (
    r"ignore:Exception ignored in. <_io.FileIO name=.*/static/"
    ":pytest.PytestUnraisableExceptionWarning",
    r"ignore:unclosed file <_io.BufferedReader name=.*/static/:ResourceWarning",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.browser)
            for spec in DROPPED_STATIC_FILE:
                item.add_marker(pytest.mark.filterwarnings(spec))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives chromium against a live server")


@dataclass
class LiveServer:
    url: str
    engine: Engine
    password_hash: str
    _numbers: Iterator[int] = field(default_factory=lambda: count(1))

    def add_user(self, role: str, *, hotline_ids: tuple[int, ...] = (), **fields: Any) -> User:
        """Create (and commit) a user whose password is USER_PASSWORD."""
        n = next(self._numbers)
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            user = User(
                email=fields.pop("email", f"{role}{n}@browser.example.org"),
                name=fields.pop("name", f"{role.title()} {n}"),
                role=role,
                password_hash=self.password_hash,
                managed_hotlines=[ManagedHotline(hotline_id=h) for h in hotline_ids],
                **fields,
            )
            session.add(user)
        return user


@pytest.fixture(scope="session")
def browser_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """SQLite in a temp file, or a database of its own on the test PostgreSQL server."""
    server_url = os.environ.get("HOTLINE_TEST_DATABASE_URL")
    if not server_url:
        return f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.sqlite3'}"
    return fresh_postgres_database(server_url, companion_database(server_url, "browser"))


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must run the browser tests")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def live_server(
    browser_database_url: str, user_password_hash: str, chromium_path: str
) -> Iterator[LiveServer]:
    engine = make_engine(browser_database_url)
    schema.upgrade(engine)
    app = create_app(
        {
            "SECRET_KEY": "browser-tests",
            "DATABASE_URL": browser_database_url,
            "TWILIO_AUTH_TOKEN": "browser-tests-token",
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", engine, user_password_hash)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        engine.dispose()
        app.extensions["hotline.db"].engine.dispose()


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A new tab in a new context (own cookies), speaking French like a default browser here."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def sign_in(live_server: LiveServer) -> Callable[[Any, User], None]:
    """Sign `user` in through the form, as a person would."""

    def submit(page: Any, user: User) -> None:
        page.goto("/login")
        page.locator("#email").fill(user.email)
        page.locator("#password").fill(USER_PASSWORD)
        page.locator("form.card button[type=submit]").click()
        page.wait_for_url(lambda url: "/login" not in url)

    return submit
