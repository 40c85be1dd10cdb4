"""Benchmark the real POST /voice/incoming against a bare Flask endpoint, side by side.

Two gunicorn servers run with the same settings: the real app (`wsgi:app`) on a
freshly migrated database holding one hotline, three people and a year of day and
night slots, and benchmarks/bare_app.py answering constant TwiML. wrk loads them in
alternating short rounds (bare, real, bare, real...) so that noise from other work on
the machine falls on both alike. Every request is a correctly signed Twilio
incoming call with a CallSid never sent before. Afterwards the database must hold
one Call (with its first ring leg) per request the real server answered with a Dial.

With --prototype a third server joins the rounds: benchmarks/prototype_app.py, the
same work written by hand (raw SQL, RequestValidator, VoiceResponse) on the same
database, the scale issue 3 quotes for the goal. With --stub write (or all) the real
app joins them with the write of the call (or that and the reads) replaced by its
outcome (benchmarks/stubbed_app.py): how far the rest of the request leaves the
database work room to reach the goal. With --floor, benchmarks/floor_app.py joins them:
the real endpoint's own statements inside a bare WSGI function, the most any code
around that SQL could reach.

    python benchmarks/webhook.py [--db sqlite|postgresql|both] [--duration 10]
                                 [--connections 32] [--profile wall|cpu] [--prototype]
                                 [--stub write] [--stub all] [--floor]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import benchdb
import pyspy
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from hotline.db import utcnow
from hotline.models import Hotline, Person
from hotline.planning.models import DefaultResponder, Slot, SlotResponder
from hotline.voice.models import Call, CallAttempt

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LUA_SCRIPT = HERE / "signed_incoming.lua"

AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
ACCOUNT_SID = "AC" + "b" * 32
EMERGENCY_NUMBER = "+33184880000"
HOTLINE_NUMBER = "+33184881234"
TIMEZONE = "Europe/Paris"
PEOPLE = [
    ("alice", "Alice Martin", "+33612345601"),
    ("bruno", "Bruno Petit", "+33612345602"),
    ("chloe", "Chloé Durand", "+33612345603"),
]
DAY_STARTS, NIGHT_STARTS = clock(8, 0), clock(20, 0)

ROUND_SECONDS = 2
WARMUP_SECONDS = 1
# Signed bodies prepared per round, as requests/s: far above what 2 cores serve (the
# real server reached 2400 on a fast machine; past this rate CallSids would repeat).
MAX_RATE = 6000
BARE_BODIES = 2000
GOAL_RATIO, GOAL_P99_MS = 0.5, 50.0


# --- the database the real server uses ------------------------------------------------


def seed(engine: Engine, today: date) -> int:
    """One hotline, three people and a year of day/night slots around today; return slots."""
    with Session(engine) as session, session.begin():
        hotline = Hotline(
            number=HOTLINE_NUMBER, name="Astreinte bench", timezone=TIMEZONE, language="fr"
        )
        people = [Person(ref=ref, name=name, mobile=mobile) for ref, name, mobile in PEOPLE]
        session.add_all([hotline, *people])
        session.flush()
        session.add_all(
            DefaultResponder(hotline_id=hotline.id, position=i, person_id=person.id)
            for i, person in enumerate(people)
        )
        slots = [
            Slot(
                hotline_id=hotline.id,
                starts_at=start,
                ends_at=end,
                responders=[SlotResponder(position=i, person_id=p.id) for i, p in enumerate(chain)],
            )
            for start, end, chain in day_and_night(today, people)
        ]
        session.add_all(slots)
    return len(slots)


def day_and_night(today: date, people: list[Person]) -> Iterator[tuple[datetime, datetime, list]]:
    """A year of 08:00-20:00 and 20:00-08:00 slots (local time), today in the middle."""
    zone = ZoneInfo(TIMEZONE)
    first_day = today - timedelta(days=182)
    for offset in range(365 * 2):
        day = first_day + timedelta(days=offset // 2)
        night = offset % 2
        start = datetime.combine(day, NIGHT_STARTS if night else DAY_STARTS, zone)
        end = datetime.combine(
            day + timedelta(days=night), DAY_STARTS if night else NIGHT_STARTS, zone
        )
        # The primary turns with every slot; the two others are the backups, in order.
        first = offset % len(people)
        yield start, end, people[first:] + people[:first]


def recorded(engine: Engine, sid_prefix: str) -> tuple[int, int]:
    """Calls and ring legs the run wrote (CallSids of this run only)."""
    with Session(engine) as session:
        calls = session.scalar(
            select(func.count()).select_from(Call).where(Call.call_sid.like(f"{sid_prefix}%"))
        )
        legs = session.scalar(
            select(func.count())
            .select_from(CallAttempt)
            .join(Call, Call.id == CallAttempt.call_id)
            .where(Call.call_sid.like(f"{sid_prefix}%"))
        )
    return int(calls or 0), int(legs or 0)


# --- signed request bodies -----------------------------------------------------------


def incoming_params(call_sid: str, caller: str) -> dict[str, str]:
    """The parameters Twilio posts for an incoming call (the usual set, geo fields too)."""
    params = {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "From": caller,
        "To": HOTLINE_NUMBER,
        "Caller": caller,
        "Called": HOTLINE_NUMBER,
    }
    for prefix in ("From", "To", "Caller", "Called"):
        params.update({f"{prefix}Country": "FR", f"{prefix}City": "", f"{prefix}State": ""})
        params[f"{prefix}Zip"] = ""
    return params


def signature(url: str, params: dict[str, str]) -> str:
    """X-Twilio-Signature: base64 HMAC-SHA1 of the URL then each name and value, by name."""
    payload = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(AUTH_TOKEN.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def write_bodies(path: Path, url: str, call_sids: list[str], rng: random.Random) -> None:
    """Write a Lua data file of (form body, X-Twilio-Signature) pairs."""
    # Signed here 20 times faster than with twilio's RequestValidator, checked against it.
    sample = incoming_params("CA" + "0" * 32, "+33611111111")
    if signature(url, sample) != RequestValidator(AUTH_TOKEN).compute_signature(url, sample):
        raise SystemExit("benchmark signer disagrees with twilio's RequestValidator")
    lines = ["return {"]
    for call_sid in call_sids:
        params = incoming_params(call_sid, f"+336{rng.randrange(10**8):08d}")
        body = urlencode(params)
        signature_ = signature(url, params)
        # Form bodies and base64 never hold a quote or a backslash: plain Lua strings.
        lines.append(f'{{"{body}","{signature_}"}},')
    lines.append("}")
    path.write_text("\n".join(lines) + "\n")


# --- servers -------------------------------------------------------------------------


@dataclass(frozen=True)
class GunicornSettings:
    workers: int
    worker_class: str
    threads: int

    def args(self) -> list[str]:
        args = ["--workers", str(self.workers), "--worker-class", self.worker_class]
        if self.worker_class == "gthread":
            args += ["--threads", str(self.threads)]
        return args

    def __str__(self) -> str:
        threads = f" --threads {self.threads}" if self.worker_class == "gthread" else ""
        return f"gunicorn -w {self.workers} -k {self.worker_class}{threads}"


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/voice/incoming"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    name: str, app: str, chdir: Path, settings: GunicornSettings, env: dict[str, str], logdir: Path
) -> Server:
    port = free_port()
    log = logdir / f"{name}.log"
    command = [
        sys.executable, "-m", "gunicorn", app, "--chdir", str(chdir),
        "--bind", f"127.0.0.1:{port}", "--backlog", "2048", *settings.args(),
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(name, port, process, log)
    try:
        wait_until_up(server)
    except BaseException:
        stop_server(server)  # its workers must not outlive the run
        raise
    return server


# A worker loads the whole app: a few seconds, far more on a loaded machine.
def wait_until_up(server: Server, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} server exited:\n{server.log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(server.url, timeout=1)  # noqa: S310 - loopback http
        except urllib.error.HTTPError:
            return  # 405 for GET: the app answers
        except OSError:
            time.sleep(0.2)
            continue
        return
    raise SystemExit(f"{server.name} server did not start in {timeout:.0f} s")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


# --- load ----------------------------------------------------------------------------


@dataclass
class Round:
    requests: int
    duration_us: int
    ok: int
    bad: int
    wrapped: bool
    errors: dict[str, int]
    latency_us: list[tuple[float, int]]
    cpu_seconds: float = 0.0  # used by the server's processes during the round


@dataclass
class Tally:
    rounds: list[Round] = field(default_factory=list)
    ok: int = 0  # including warm-up rounds, for the database check
    bad: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    wrapped: bool = False
    rounds_run: int = 0

    def add(self, result: Round, *, measured: bool) -> None:
        self.ok += result.ok
        self.bad += result.bad
        self.errors.update(result.errors)
        self.wrapped = self.wrapped or result.wrapped
        self.rounds_run += 1
        if measured:
            self.rounds.append(result)

    @property
    def cpu_ms_per_request(self) -> float:
        requests = sum(r.requests for r in self.rounds)
        return 1000 * sum(r.cpu_seconds for r in self.rounds) / requests if requests else 0.0

    @property
    def rate(self) -> float:
        seconds = sum(r.duration_us for r in self.rounds) / 1e6
        return sum(r.requests for r in self.rounds) / seconds if seconds else 0.0

    def percentile(self, q: float) -> float:
        """Latency quantile (ms) of all measured rounds pooled, from each round's curve."""
        total = sum(r.requests for r in self.rounds)
        candidates = sorted({v for r in self.rounds for _p, v in r.latency_us})
        for value in candidates:
            below = sum(r.requests * cdf(r.latency_us, value) for r in self.rounds)
            if below >= q / 100 * total:
                return value / 1000
        return candidates[-1] / 1000 if candidates else float("nan")


def cdf(curve: list[tuple[float, int]], value: float) -> float:
    """Share of a round's requests at or below `value` µs, interpolated on its percentiles."""
    previous_p, previous_v = 0.0, 0
    for p, v in curve:
        if value < v:
            if v == previous_v:
                return previous_p / 100
            return (previous_p + (p - previous_p) * (value - previous_v) / (v - previous_v)) / 100
        previous_p, previous_v = p, v
    return 1.0


def run_wrk(url: str, data: Path, seconds: int, connections: int, threads: int) -> Round:
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(LUA_SCRIPT), url, "--", str(data), str(threads),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            raw = json.loads(line.removeprefix("BENCH_JSON "))
            return Round(
                requests=raw["requests"],
                duration_us=raw["duration_us"],
                ok=raw["ok"],
                bad=raw["bad"],
                wrapped=bool(raw["wrapped"]),
                errors={k: v for k, v in raw["errors"].items() if v},
                latency_us=[(float(p), int(v)) for p, v in raw["latency_us"]],
            )
    raise SystemExit(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")


def load_round(server: Server, data: Path, seconds: int, options: Options) -> Round:
    """One wrk round against `server`, with the CPU time its processes spent meanwhile."""
    before = cpu_seconds(server.process.pid)
    result = run_wrk(server.url, data, seconds, options.connections, options.wrk_threads)
    result.cpu_seconds = cpu_seconds(server.process.pid) - before
    return result


def cpu_seconds(master: int) -> float:
    """User + system CPU of a gunicorn master and its workers, from /proc."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # the process ended meanwhile
        pid, parent = int(stat.parent.name), int(fields[1])
        if master in (pid, parent):
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


# --- one benchmark -------------------------------------------------------------------


@dataclass
class Options:
    duration: int
    connections: int
    wrk_threads: int
    settings: GunicornSettings
    profile: str | None  # 'wall' or 'cpu'
    keep: bool
    prototype: bool
    floor: bool
    stubs: list[str]  # stubbed_app.STUBS


def bench_database(kind: str, options: Options) -> bool:
    """Run the side-by-side benchmark on one database; return True when the checks pass."""
    work = benchdb.workdir(f"hotline-bench-{kind}-")
    url = benchdb.fresh_url(kind, "hotline_bench", work)
    engine = benchdb.migrated_engine(url)
    today = utcnow().astimezone(ZoneInfo(TIMEZONE)).date()
    slots = seed(engine, today)
    print(f"\n== {kind}: one hotline, {len(PEOPLE)} people, {slots} slots; {options.settings}; "
          f"wrk -t{options.wrk_threads} -c{options.connections}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip

    env = {
        "HOTLINE_DATABASE_URL": url,
        "HOTLINE_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "HOTLINE_EMERGENCY_NUMBER": EMERGENCY_NUMBER,
    }
    servers: list[Server] = []
    profile = work / "real.pyspy.txt"
    idle = options.profile == "wall"
    profiler = None
    try:
        # Started one by one: a server that fails to start stops the ones already up.
        servers.append(start_server("bare", "bare_app:app", HERE, options.settings, {}, work))
        servers.append(start_server("real", "wsgi:app", ROOT, options.settings, env, work))
        if options.prototype:
            servers.append(start_server("proto", "prototype_app:app", HERE, options.settings,
                                        env, work))  # fmt: skip
        if options.floor:
            servers.append(start_server("floor", "floor_app:app", HERE, options.settings,
                                        env, work))  # fmt: skip
        for stub in options.stubs:
            stub_env = {**env, "HOTLINE_BENCH_STUB": stub, "HOTLINE_BENCH_NUMBER": HOTLINE_NUMBER}
            servers.append(start_server(STUB_NAMES[stub], "stubbed_app:app", HERE,
                                        options.settings, stub_env, work))  # fmt: skip
        if options.profile:
            profiler = pyspy.start(servers[1].process.pid, profile, idle=idle)
        tallies = load_rounds(servers, options, work)
    finally:
        if profiler is not None:
            pyspy.stop(profiler)
        for server in servers:
            stop_server(server)
    written = {name: recorded(engine, SID_PREFIXES[name]) for name in tallies if name != "bare"}
    engine.dispose()
    passed = report(kind, tallies, written, options)
    if profiler is not None:
        pyspy.summarise(profile, idle=idle)
    if not options.keep:
        benchdb.drop_database(kind, url)
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"kept: {url} and {work}")
    return passed


# Each server that writes calls gets CallSids of its own, so its rows can be counted.
_RUN = random.SystemRandom().randrange(16**7)
SID_PREFIXES = {
    "real": f"CA{_RUN:07x}1",
    "proto": f"CA{_RUN:07x}2",
    "floor": f"CA{_RUN:07x}5",
    "no-write": f"CA{_RUN:07x}3",
    "no-db": f"CA{_RUN:07x}4",
}
STUB_NAMES = {"write": "no-write", "all": "no-db"}
STUBBED = {"write": "the write", "all": "the reads and the write"}


def load_rounds(servers: list[Server], options: Options, work: Path) -> dict[str, Tally]:
    """Warm every server up, then load them in turn, round after round."""
    rounds = max(1, round(options.duration / ROUND_SECONDS))
    rng = random.Random(7)
    counter = iter(range(10**9))

    def fresh_data(server: Server, index: int, seconds: int) -> Path:
        prefix = SID_PREFIXES[server.name]
        sids = [f"{prefix}{next(counter):024x}" for _ in range(MAX_RATE * seconds)]
        path = work / f"{server.name}-{index}.lua"
        write_bodies(path, server.url, sids, rng)
        return path

    started = time.monotonic()
    bare, writers = servers[0], servers[1:]
    bare_data = work / "bare.lua"
    write_bodies(bare_data, bare.url, [f"CA{i:032x}" for i in range(BARE_BODIES)], rng)
    # Per round: the bare server's bodies again, fresh CallSids for the others.
    plan = [
        [(bare, bare_data), *((s, fresh_data(s, index, seconds)) for s in writers)]
        for index, seconds in enumerate([WARMUP_SECONDS] + [ROUND_SECONDS] * rounds)
    ]
    signed = BARE_BODIES + len(writers) * MAX_RATE * (WARMUP_SECONDS + rounds * ROUND_SECONDS)
    print(f"signed {signed} requests in {time.monotonic() - started:.1f} s")

    tallies = {server.name: Tally() for server in servers}
    for index, loads in enumerate(plan):
        seconds = ROUND_SECONDS if index else WARMUP_SECONDS
        for server, data in loads:
            result = load_round(server, data, seconds, options)
            tallies[server.name].add(result, measured=index > 0)
    return tallies


def report(
    kind: str, tallies: dict[str, Tally], written: dict[str, tuple[int, int]], options: Options
) -> bool:
    bare, real = tallies["bare"], tallies["real"]
    print(f"{'server':<8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms/req':>10}  "
          "req/s per round")  # fmt: skip
    for name, tally in tallies.items():
        per_round = " ".join(f"{r.requests / (r.duration_us / 1e6):.0f}" for r in tally.rounds)
        p50, p99 = tally.percentile(50), tally.percentile(99)
        print(f"{name:<8} {tally.rate:>7.0f} {p50:>7.1f} {p99:>7.1f} "
              f"{tally.cpu_ms_per_request:>10.2f}  {per_round}")  # fmt: skip
    ratio = real.rate / bare.rate if bare.rate else 0.0
    p99 = real.percentile(99)
    print(f"ratio real/bare: {ratio:.2f} (goal >= {GOAL_RATIO}); real p99 {p99:.1f} ms "
          f"(goal < {GOAL_P99_MS:.0f} ms)")  # fmt: skip
    if "proto" in tallies and tallies["proto"].rate:
        proto = tallies["proto"]
        print(f"ratio prototype/bare: {proto.rate / bare.rate:.2f}; "
              f"real/prototype: {real.rate / proto.rate:.2f}")  # fmt: skip
    if "floor" in tallies and tallies["floor"].rate:
        floor = tallies["floor"]
        print(f"ratio floor/bare: {floor.rate / bare.rate:.2f} (the real SQL, nothing around it); "
              f"real/floor: {real.rate / floor.rate:.2f}")  # fmt: skip
    for stub, name in STUB_NAMES.items():
        if name in tallies and bare.rate:
            print(f"ratio {name}/bare: {tallies[name].rate / bare.rate:.2f} "
                  f"(the real app, {STUBBED[stub]} stubbed out)")  # fmt: skip

    checks = {
        "every response was 200 with a <Dial>": all(t.bad == 0 for t in tallies.values()),
        "no socket errors or timeouts": not any(t.errors for t in tallies.values()),
    }
    for name, (calls, legs) in written.items():
        tally = tallies[name]
        if name in STUB_NAMES.values():
            checks[f"{name}: nothing written ({calls} calls)"] = calls == 0
            continue
        # Requests still in flight when a round stops were served but not counted by wrk.
        in_flight = options.connections * tally.rounds_run
        checks |= {
            f"{name}: every request had a fresh CallSid": not tally.wrapped,
            f"{name}: one Call per answered request ({calls} calls, {tally.ok} answered)": (
                tally.ok <= calls <= tally.ok + in_flight
            ),
            f"{name}: one ring leg per call ({legs} legs)": legs == calls,
        }
    for label, ok in checks.items():
        print(f"  [{'ok' if ok else 'FAIL'}] {label}")
    for name, tally in tallies.items():
        if tally.errors:
            print(f"  errors: {name} {dict(tally.errors)}")
    goals = ratio >= GOAL_RATIO and p99 < GOAL_P99_MS
    print(f"{kind}: checks {'passed' if all(checks.values()) else 'FAILED'}, "
          f"goals {'met' if goals else 'not met'}")  # fmt: skip
    return all(checks.values())


# --- command line --------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=[*benchdb.DATABASES, "both"], default="both")
    parser.add_argument("--duration", type=int, default=10, help="measured seconds per server")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=2)
    # The deployment's settings (deploy/gunicorn.conf.py): cores + 1 sync workers.
    workers = (os.cpu_count() or 1) + 1
    parser.add_argument("--workers", type=int, default=workers, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument(
        "--profile",
        choices=["wall", "cpu"],
        help="sample the real server with py-spy: wall time of requests, or CPU time",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database and logs")
    parser.add_argument(
        "--prototype",
        action="store_true",
        help="also load benchmarks/prototype_app.py, the same work written by hand",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also load benchmarks/floor_app.py, the real statements in a bare WSGI function",
    )
    parser.add_argument(
        "--stub",
        action="append",
        choices=list(STUB_NAMES),
        default=[],
        help="also load the real app with its write (or its reads too) stubbed out",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit(
            "wrk is not installed: on Debian or Ubuntu run `apt-get install -y wrk` "
            "(as root), then run this again."
        )
    options = Options(
        duration=args.duration,
        connections=args.connections,
        wrk_threads=args.wrk_threads,
        settings=GunicornSettings(args.workers, args.worker_class, args.threads),
        profile=args.profile,
        keep=args.keep,
        prototype=args.prototype,
        floor=args.floor,
        stubs=args.stub,
    )
    kinds = benchdb.DATABASES if args.db == "both" else (args.db,)
    results = [bench_database(kind, options) for kind in kinds]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
