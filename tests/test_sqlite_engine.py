"""SQLite writers queue on a file lock: none fails, none polls, readers never wait."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import bindparam, column, insert, table, text

from hotline import sqlite_engine
from hotline.db import Database
from hotline.driver import DriverConnection, Prepared


@pytest.fixture
def impatient(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    # With no busy timeout SQLite refuses a taken write lock at once, so any
    # writer that reached SQLite's lock without queueing first would fail.
    monkeypatch.setattr(sqlite_engine, "BUSY_TIMEOUT_MS", 0)
    database = Database(f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    with database.engine.begin() as conn:
        conn.execute(text("CREATE TABLE tally (writer INTEGER, n INTEGER)"))
    return database


def test_concurrent_writers_all_commit_without_a_busy_timeout(impatient):
    impatient_engine = impatient.engine

    def write(writer: int) -> None:
        for n in range(40):
            with impatient_engine.begin() as conn:
                conn.execute(text("INSERT INTO tally VALUES (:w, :n)"), {"w": writer, "n": n})

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(8)))

    with impatient_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM tally")).scalar() == 8 * 40


def test_a_writer_waits_for_the_open_write_and_readers_do_not(impatient):
    impatient_engine = impatient.engine
    second_done = threading.Event()

    def second_writer() -> None:
        with impatient_engine.begin() as conn:
            conn.execute(text("INSERT INTO tally VALUES (2, 0)"))
        second_done.set()

    with impatient_engine.begin() as first:
        first.execute(text("INSERT INTO tally VALUES (1, 0)"))
        waiting = threading.Thread(target=second_writer)
        waiting.start()
        assert not second_done.wait(0.3)  # queued behind the open transaction
        with impatient.autocommit() as reader:  # reads the last committed state, at once
            assert reader.execute(text("SELECT count(*) FROM tally")).scalar() == 0
    waiting.join(timeout=10)

    assert second_done.is_set()
    with impatient_engine.connect() as conn:
        assert conn.execute(text("SELECT writer FROM tally ORDER BY writer")).scalars().all() == [
            1,
            2,
        ]


TALLY = table("tally", column("writer"), column("n"))
TALLY_ROW = Prepared(insert(TALLY).values(writer=bindparam("writer"), n=bindparam("n")))


def test_a_write_on_the_driver_queues_behind_the_open_write_and_commits(impatient):
    done = threading.Event()

    def driver_writer() -> None:
        with impatient.autocommit() as autocommit:
            conn = DriverConnection(autocommit)
            with impatient.queued_write(conn):
                TALLY_ROW.all(conn, {"writer": 3, "n": 0})
                TALLY_ROW.all(conn, {"writer": 3, "n": 1})
        done.set()

    with impatient.engine.begin() as first:
        first.execute(text("INSERT INTO tally VALUES (1, 0)"))
        waiting = threading.Thread(target=driver_writer)
        waiting.start()
        assert not done.wait(0.3)  # queued: with busy_timeout 0 SQLite would have refused it
    waiting.join(timeout=10)

    assert done.is_set()
    with impatient.engine.connect() as conn:
        rows = conn.execute(text("SELECT writer, n FROM tally ORDER BY writer, n")).all()
    assert [tuple(r) for r in rows] == [(1, 0), (3, 0), (3, 1)]


def test_a_failed_write_on_the_driver_leaves_nothing_and_frees_the_queue(impatient):
    def half_done(conn: DriverConnection) -> None:
        with impatient.queued_write(conn):
            TALLY_ROW.all(conn, {"writer": 4, "n": 0})
            raise RuntimeError("the webhook failed half-way")

    with impatient.autocommit() as autocommit, pytest.raises(RuntimeError, match="half-way"):
        half_done(DriverConnection(autocommit))

    with impatient.engine.begin() as conn:  # would wait forever if the queue were still held
        conn.execute(text("INSERT INTO tally VALUES (5, 0)"))
        assert conn.execute(text("SELECT writer FROM tally")).scalars().all() == [5]
