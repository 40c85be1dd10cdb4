"""A rolling upgrade rehearsed end to end: the newest migration applied while calls flow.

The previous release is the code just before the newest migration was added (taken
from git). It populates a database (`hotline stats sample`), which is copied
(CREATE DATABASE ... TEMPLATE) so the same populated base can be used again; on the
copy:

1. node A runs the previous release and takes every call (node B is being upgraded);
2. `hotline db upgrade` of the new release applies the migration under traffic;
3. node B starts on the new release: old and new code serve side by side;
4. node A is drained from the balancer, stopped gracefully, and restarted on the new
   release at the same address; traffic alternates again.

Every call placed meanwhile must be answered (no webhook refused or failed) and be
recorded exactly once. benchmarks/upgrade.py times the same steps on 1,000,000 calls.
"""

from __future__ import annotations

import json
import subprocess
import tarfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from hotline.db import make_engine, utcnow
from tests.app_node import REPO, Node
from tests.live_team import PEOPLE, RING_TIMEOUT, SCREENED, UNSCREENED
from tests.ops.cluster import PrivatePostgres, PrivateRedis, app_env, hotline_cli
from tests.ops.traffic import Traffic, recorded

PAUSE_BETWEEN_CALLS = 0.05


class NoPreviousRelease(RuntimeError):
    """Not a git checkout, or no migration was ever added after the first."""


def previous_release(into: Path) -> str:
    """Extract the code just before the newest migration was added; return its commit."""

    def git(*args: str) -> bytes:
        try:
            return subprocess.run(
                ["git", "-C", str(REPO), *args], capture_output=True, check=True
            ).stdout
        except (OSError, subprocess.CalledProcessError) as exc:
            raise NoPreviousRelease(f"git {' '.join(args)}: {exc}") from exc

    # Releases are main's own commits: a merged branch's commits may number their
    # migrations as the branch did before the merge renumbered them.
    newest = git(
        "log", "-1", "--first-parent", "--format=%H", "--diff-filter=A", "--", "migrations/versions"
    )
    commit = git("rev-parse", f"{newest.decode().strip()}^").decode().strip()
    with tarfile.open(fileobj=BytesIO(git("archive", commit)), mode="r") as archive:
        archive.extractall(into, filter="data")
    return commit


def planning_file(path: Path) -> Path:
    """Three people on call for the next days on both hotlines, as a planning file."""
    zone = ZoneInfo("Europe/Paris")
    start = (utcnow() - timedelta(days=1)).astimezone(zone)
    end = start + timedelta(days=4)
    slot = {
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": end.strftime("%Y-%m-%dT%H:%M"),
        "chain": [ref for ref, _name, _mobile in PEOPLE],
    }
    hotlines = [
        {
            "number": number,
            "name": name,
            "timezone": "Europe/Paris",
            "language": "fr",
            "ring_timeout": RING_TIMEOUT,
            "screening": screening,
            "default_chain": [],
            "slots": [slot],
        }
        for number, name, screening in (
            (SCREENED, "Astreinte ops", True),
            (UNSCREENED, "Astreinte sans filtrage", False),
        )
    ]
    people = [{"ref": ref, "name": name, "mobile": mobile} for ref, name, mobile in PEOPLE]
    document = {"format": "hotline-planning/1", "people": people, "hotlines": hotlines}
    path.write_text(json.dumps(document, ensure_ascii=False))
    return path


@dataclass
class UpgradeReport:
    previous_commit: str
    sample_calls: int
    timings: dict[str, float] = field(default_factory=dict)
    calls_by_phase: dict[str, int] = field(default_factory=dict)
    traffic: Traffic | None = None
    revisions: tuple[str, str] = ("", "")
    total_calls: int = 0

    def lines(self) -> list[str]:
        out = [f"previous release: {self.previous_commit[:12]}"]
        out.append(f"schema: {self.revisions[0]} -> {self.revisions[1]}")
        out += [f"{step}: {seconds:.1f} s" for step, seconds in self.timings.items()]
        out += [f"calls while {phase}: {n}" for phase, n in self.calls_by_phase.items()]
        if self.traffic is not None:
            out.append(f"failed calls: {len(self.traffic.failures)}")
        out.append(f"calls in the database: {self.total_calls}")
        return out


class Timer:
    def __init__(self, report: UpgradeReport) -> None:
        self.report = report

    def __call__(self, step: str, action, *args, **kwargs):
        started = time.monotonic()
        value = action(*args, **kwargs)
        self.report.timings[step] = time.monotonic() - started
        return value


def populate(pg: PrivatePostgres, old_code: Path, workdir: Path, calls: int, redis_url: str) -> str:
    """A database made and filled by the previous release; return its name."""
    pg.create_database("pristine")
    env = app_env(pg.url("pristine"), redis_url)
    hotline_cli("db", "upgrade", env=env, code=old_code)
    hotline_cli(
        "planning", "import", str(planning_file(workdir / "planning.json")), env=env, code=old_code
    )
    hotline_cli(
        "stats",
        "sample",
        "--calls",
        str(calls),
        "--hotline",
        SCREENED,
        "--seed",
        "1",
        env=env,
        code=old_code,
    )
    return "pristine"


def rolling_upgrade(
    pg: PrivatePostgres,
    redis: PrivateRedis,
    workdir: Path,
    sample_calls: int,
    calls_per_phase: int = 20,
) -> UpgradeReport:
    """Run the whole procedure; the caller checks the report."""
    old_code = workdir / "previous-release"
    old_code.mkdir()
    report = UpgradeReport(previous_release(old_code), sample_calls)
    timed = Timer(report)
    timed(
        "populate (previous release, stats sample)",
        populate,
        pg,
        old_code,
        workdir,
        sample_calls,
        redis.url,
    )
    timed("copy the populated database", pg.create_database, "live", "pristine")
    env = app_env(pg.url("live"), redis.url)
    engine = make_engine(pg.url("live"))
    before = _revision(engine)
    old_a = Node("a-old", env, workdir / "a-old.log", code=old_code)
    new_b = Node("b-new", env, workdir / "b-new.log")
    new_a = Node("a-new", env, workdir / "a-new.log", port=old_a.port)
    rotation = [old_a.url]  # what the balancer sends to: B is out while it is upgraded
    traffic = report.traffic = Traffic(rotation, pause=PAUSE_BETWEEN_CALLS)
    try:
        old_a.start()
        with traffic:
            mark = _phase(report, traffic, "only the previous release serves", calls_per_phase)
            # PGOPTIONS: a migration that waits for a lock gives up instead of queueing
            # every webhook behind it.
            upgrade_env = {**env, "PGOPTIONS": "-c lock_timeout=5s"}
            timed(
                "hotline db upgrade, under traffic", hotline_cli, "db", "upgrade", env=upgrade_env
            )
            mark = _phase(report, traffic, "the migration ran", 0, mark)
            new_b.start()
            rotation.append(new_b.url)
            mark = _phase(report, traffic, "old and new releases serve", calls_per_phase, mark)
            rotation.remove(old_a.url)  # drain A: no new request goes there
            time.sleep(0.5)  # the requests A is serving finish
            timed("graceful stop of the previous release", old_a.stop)
            new_a.start()
            rotation.insert(0, new_a.url)
            _phase(report, traffic, "only the new release serves", calls_per_phase, mark)
    finally:
        for node in (old_a, new_b, new_a):
            node.kill()
    report.revisions = (before, _revision(engine))
    report.total_calls = _count_calls(engine)
    engine.dispose()
    return report


def _phase(report: UpgradeReport, traffic: Traffic, name: str, calls: int, mark: int = 0) -> int:
    traffic.wait_for(calls, timeout=120)
    report.calls_by_phase[name] = len(traffic.placed) - mark
    return len(traffic.placed)


def _revision(engine) -> str:
    from hotline import schema

    return schema.current_revision(engine) or "base"


def _count_calls(engine) -> int:
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(text('SELECT count(*) FROM "call"')).scalar_one()


def traffic_recorded(report: UpgradeReport, engine_url: str):
    engine = make_engine(engine_url)
    try:
        assert report.traffic is not None
        return recorded(engine, [p.result.call_sid for p in report.traffic.placed])
    finally:
        engine.dispose()
