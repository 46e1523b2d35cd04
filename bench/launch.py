"""The learner's path, timed: LTI launches beside pylti1p3's example tool, then section pages and quiz submissions.

A launch round trip is what a learner's click costs: the platform starts the OIDC
login, the tool redirects to the platform, the platform signs an id_token, the tool
validates it, records the launch and shows the first page (Passeport shows the
module page in the launch's response, as the example does; it would follow a 303 when
a launch lands elsewhere). Everything runs in this process on one core (Flask test
clients for the tools and the platform); the platform's JWKS is served over loopback
HTTP, as tools fetch it.

The tools take turns, ``--batch`` launches each, for ``--rounds`` rounds, so a load
that comes and goes on a shared machine falls on both alike; ratios are of medians.
Besides wall time, each launch's CPU time (this process: tool and platform, not the
PostgreSQL server) is measured, which load disturbs much less.

For Passeport, SQL statements and COMMITs are counted per operation with an engine
event listener: a launch round trip, each of its requests (login, launch, landing
page), a section page, a quiz submission. A last pass, in turns with the example
again, times the round trip's SQL (through SQLAlchemy, and in the driver) and prints
what Passeport's ratio would be if SQLAlchemy's share, or all its SQL, cost nothing:
the most that work on the SQL could still bring.

    python bench/launch.py [--rounds 10] [--batch 30] [--postgres URL]
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from sqlalchemy import create_engine, event  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from bench import pylti1p3_example_tool  # noqa: E402
from lti_tool import create_app, database, prepare, services  # noqa: E402
from lti_tool.domain.registrations import PlatformSettings, register_platform  # noqa: E402
from tests.lti.test_launch_cost import autocommitted_write  # noqa: E402
from tests.peers.http import LiveServer, free_port  # noqa: E402
from tests.peers.lti_platform import PeerPlatform  # noqa: E402

TOOL_URL = "http://tool.bench"
MODULE = "vendre-sur-internet"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def _unobserved(_phase: str, request):
    return request()


def round_trip(platform_client, tool_client, user: str, follow_redirect: bool, observe=_unobserved):
    """``observe(phase, request)`` runs each of the tool's requests (to time or count them one by one)."""
    start = platform_client.get("/start", query_string={"user": user})
    login = observe("login", lambda: tool_client.get(_path(start.headers["Location"])))
    assert login.status_code == 302, login.get_data(as_text=True)[:300]
    form = platform_client.get(_path(login.headers["Location"])).get_json()
    launched = observe("launch", lambda: tool_client.post(
        _path(form["launch_url"]), data={"id_token": form["id_token"], "state": form["state"]}))
    if follow_redirect and launched.status_code == 303:
        launched = observe("landing page", lambda: tool_client.get(_path(launched.headers["Location"])))
    assert launched.status_code == 200, launched.get_data(as_text=True)[:500]
    return launched


def breakdown(platform, app, launches: int) -> dict[str, tuple[Timings, tuple[int, int]]]:
    """Passeport's share of a round trip, request by request: time, and statements / COMMITs (last launch)."""
    counter = SqlCounter(database(app))
    phases: dict[str, Timings] = {}
    counts: dict[str, tuple[int, int]] = {}

    def observe(phase: str, request):
        timings = phases.setdefault(phase, Timings(phase))
        response = None

        def run():
            nonlocal response
            response = request()
        counts[phase] = counter.count(lambda: timings.time(run))
        return response

    platform_client = platform.app.test_client()
    for _ in range(launches):
        round_trip(platform_client, app.test_client(), f"learner-{uuid.uuid4().hex[:12]}", True, observe)
    return {phase: (timings, counts[phase]) for phase, timings in phases.items()}


@dataclass
class Timings:
    name: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    def time(self, operation) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        operation()
        self.cpu.append(time.process_time() - cpu)
        self.wall.append(time.perf_counter() - wall)
        self.elapsed += self.wall[-1]

    @property
    def per_second(self) -> float:
        return len(self.wall) / self.elapsed

    def median(self, values: str) -> float:
        return statistics.median(getattr(self, values)) * 1000


@dataclass
class Tool:
    name: str
    app: object
    follow_redirect: bool
    timings: Timings = field(init=False)

    def __post_init__(self):
        self.timings = Timings(self.name)


class SqlCounter:
    """Statements and COMMITs sent on the database's engines (the main one, the login's) while ``counting``;
    a write on an autocommit connection counts as its own COMMIT."""

    def __init__(self, db):
        self.statements = self.commits = 0
        self.on = False
        for engine in {db.engine, db.volatile_engine}:
            event.listen(engine, "before_cursor_execute", self._statement)
            event.listen(engine, "commit", self._commit)

    def _statement(self, connection, _cursor, statement: str, *_args) -> None:
        self.statements += self.on
        self.commits += self.on and autocommitted_write(connection, statement)

    def _commit(self, *_args) -> None:
        self.commits += self.on

    def count(self, operation) -> tuple[int, int]:
        self.statements = self.commits = 0
        self.on = True
        try:
            operation()
        finally:
            self.on = False
        return self.statements, self.commits


class SqlClock:
    """Wall time a round trip spends in SQL, as SQLAlchemy runs it (``Connection.execute`` from its
    ``before_execute`` to its ``after_execute`` event: compiling, binding, the driver, the result's set-up) and
    as the driver runs it (``cursor.execute``); both add each COMMIT, from its ``commit`` event to the
    connection's return to the pool."""

    def __init__(self, db):
        self.statements = self.driver = 0.0
        self._started: dict[str, float] = {}
        for engine in {db.engine, db.volatile_engine}:
            event.listen(engine, "before_execute", partial(self._start, "statement"))
            event.listen(engine, "after_execute", partial(self._stop, "statement"))
            event.listen(engine, "before_cursor_execute", partial(self._start, "driver"))
            event.listen(engine, "after_cursor_execute", partial(self._stop, "driver"))
            event.listen(engine, "commit", partial(self._start, "commit"))
            event.listen(engine.pool, "checkin", partial(self._stop, "commit"))

    def _start(self, what: str, *_args) -> None:
        self._started[what] = time.perf_counter()

    def _stop(self, what: str, *_args) -> None:
        started = self._started.pop(what, None)
        if started is None:
            return
        elapsed = time.perf_counter() - started
        if what in ("statement", "commit"):
            self.statements += elapsed
        if what in ("driver", "commit"):
            self.driver += elapsed

    def measure(self, operation) -> tuple[float, float, float]:
        """(round trip, its SQL through SQLAlchemy, its SQL in the driver), seconds."""
        self.statements = self.driver = 0.0
        self._started.clear()
        started = time.perf_counter()
        operation()
        return time.perf_counter() - started, self.statements, self.driver


def sql_share(platform, example: Tool, app, rounds: int, batch: int) -> dict[str, float]:
    """What the fastest SQL could save, at most: medians, in ms, of Passeport's round trip, of its SQL (through
    SQLAlchemy, in the driver) and of the round trip without SQLAlchemy's share or without its SQL, and the
    example's round trip timed in turns with it (the machine's speed drifts between passes)."""
    clock = SqlClock(database(app))
    platform_client = platform.app.test_client()
    example_timings = Timings(example.name)
    measured = []
    for _ in range(rounds):
        for _ in range(batch):
            example_timings.time(partial(round_trip, platform_client, example.app.test_client(),
                                         f"learner-{uuid.uuid4().hex[:12]}", example.follow_redirect))
        measured += [clock.measure(partial(round_trip, platform_client, app.test_client(),
                                           f"timed-{uuid.uuid4().hex[:12]}", True)) for _ in range(batch)]
    shares = {"round trip": [total for total, _, _ in measured],
              "SQL": [statements for _, statements, _ in measured],
              "driver": [driver for _, _, driver in measured],
              "without SQLAlchemy": [total - statements + driver for total, statements, driver in measured],
              "without SQL": [total - statements for total, statements, _ in measured]}
    return {"example": example_timings.median("wall")} | {
        name: statistics.median(values) * 1000 for name, values in shares.items()}


def interleaved(tools: list[Tool], platform, rounds: int, batch: int) -> None:
    """Each launch comes from a new browser (a fresh cookie jar), as learners do."""
    platform_client = platform.app.test_client()
    for tool in tools:
        for i in range(20):  # warm-up: imports, caches, first JWKS fetch
            round_trip(platform_client, tool.app.test_client(), f"warm-{i}", tool.follow_redirect)
    for _ in range(rounds):
        for tool in tools:
            for _ in range(batch):
                tool.timings.time(partial(round_trip, platform_client, tool.app.test_client(),
                                          f"learner-{uuid.uuid4().hex[:12]}", tool.follow_redirect))


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def learner_pages(platform, app, requests: int) -> dict:
    """A launched learner reads sections, then passes quizzes: rates and statements per request."""
    catalogue = services.catalogue(app)
    module = catalogue.get(MODULE)
    bank = catalogue.quiz(module.folder, "fr")
    counter = SqlCounter(database(app))
    client = app.test_client()
    round_trip(platform.app.test_client(), client, f"reader-{uuid.uuid4().hex[:8]}", True)
    sections = [s["id"] for s in module.sections]

    def section(i: int):
        page = client.get(f"/modules/{MODULE}/sections/{sections[i % len(sections)]}")
        assert page.status_code == 200, page.status_code

    section_times = Timings("section page")
    for i in range(20):
        section(i)
    section_sql = counter.count(lambda: section(0))
    for i in range(requests):
        section_times.time(partial(section, i))

    def start_attempt() -> tuple[str, list]:
        page = client.get(f"/modules/{MODULE}/quiz")
        if "answer-" not in page.get_data(as_text=True):
            page = client.post(f"/modules/{MODULE}/quiz/new", data={"csrf_token": csrf(page.get_data(as_text=True))},
                               follow_redirects=True)
        html = page.get_data(as_text=True)
        attempt = re.search(rf'action="/modules/{MODULE}/quiz/(\d+)"', html).group(1)
        questions = list(dict.fromkeys(re.findall(r'name="answer-([^"]+)"', html)))
        form = [("csrf_token", csrf(html))]
        for qid in questions:
            form += [(f"answer-{qid}", c["id"]) for c in bank[qid]["choices"] if c.get("correct")]
        return attempt, form

    def submit(attempt: str, form: list):
        done = client.post(f"/modules/{MODULE}/quiz/{attempt}", data=MultiDict(form))
        assert done.status_code == 303, done.get_data(as_text=True)[:300]

    submit_times = Timings("quiz submission")
    quiz_sql = None
    for _ in range(max(requests // 10, 5)):
        submission = partial(submit, *start_attempt())
        if quiz_sql is None:
            quiz_sql = counter.count(submission)
        else:
            submit_times.time(submission)
    return {"section": (section_times, section_sql), "quiz": (submit_times, quiz_sql)}


def passeport_app(platform, database_url: str, instance: Path):
    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "BASE_URL": TOOL_URL})
    prepare(app)
    with database(app).session() as db:
        register_platform(db, PlatformSettings(platform.issuer, platform.client_id, platform.url + "/auth",
                                               platform.url + "/token", platform.url + "/jwks",
                                               (platform.deployment_id,)))
    return app


def platform_and_example_keys() -> tuple[PeerPlatform, int, str, str]:
    """The platform peer (to serve on the port returned) and the example tool's RSA key pair, in PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    platform = PeerPlatform(TOOL_URL)
    port = free_port()
    platform.url = f"http://127.0.0.1:{port}"
    return platform, port, private_pem, public_pem


def postgres_url(base: str) -> str:
    schema = "bench_" + uuid.uuid4().hex[:8]
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()
    return f"{base}?options=-csearch_path%3D{schema}"


def drop_schema(base: str, url: str) -> None:
    schema = url.rsplit("%3D", 1)[1]
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--batch", type=int, default=30)
    parser.add_argument("--pages", type=int, default=300, help="section pages per database")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL",
                                                             "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    platform, port, private_pem, public_pem = platform_and_example_keys()
    load_before = os.getloadavg()
    with LiveServer(platform.app, port), tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        databases = {"SQLite (WAL)": f"sqlite:///{tmp / 'bench.db'}"}
        try:
            databases["PostgreSQL"] = postgres_url(args.postgres)
        except Exception as error:  # no PostgreSQL here: report it, keep the rest
            print(f"(PostgreSQL skipped: {error.__class__.__name__}: {error})")
        tools = [Tool("pylti1p3 Flask example (in-memory cache)",
                      pylti1p3_example_tool.build(tmp, platform, private_pem, public_pem), False)]
        apps = {}
        for label, url in databases.items():
            apps[label] = passeport_app(platform, url, tmp / f"instance-{len(apps)}")
            tools.append(Tool(f"Passeport, {label}", apps[label], True))
        interleaved(tools, platform, args.rounds, args.batch)
        per_launch = {}
        for label, app in apps.items():
            counter = SqlCounter(database(app))
            per_launch[label] = counter.count(partial(round_trip, platform.app.test_client(), app.test_client(),
                                                      f"counted-{uuid.uuid4().hex[:8]}", True))
        phases = {label: breakdown(platform, app, args.rounds * args.batch // 2) for label, app in apps.items()}
        shares = {label: sql_share(platform, tools[0], app, args.rounds, args.batch) for label, app in apps.items()}
        pages = {label: learner_pages(platform, app, args.pages) for label, app in apps.items()}
        for label, url in databases.items():
            if label == "PostgreSQL":
                database(apps[label]).dispose()
                drop_schema(args.postgres, url)
    load_after = os.getloadavg()

    example = tools[0].timings
    print(f"\n{args.rounds} rounds × {args.batch} launches per tool, interleaved, one core, "
          f"{time.strftime('%Y-%m-%d %H:%M')}, load average {load_before[0]:.1f} → {load_after[0]:.1f}\n")
    print("| tool | launches/s | median ms | p99 ms | CPU ms (median) | × example (median wall) "
          "| × example (CPU) | SQL statements / COMMITs |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for tool in tools:
        t = tool.timings
        label = tool.name.removeprefix("Passeport, ")
        sql = per_launch.get(label)
        p99 = sorted(t.wall)[int(len(t.wall) * 0.99) - 1] * 1000
        print(f"| {tool.name} | {t.per_second:.0f} | {t.median('wall'):.2f} | {p99:.2f} | {t.median('cpu'):.2f} | "
              f"{example.median('wall') / t.median('wall'):.2f} | {example.median('cpu') / t.median('cpu'):.2f} | "
              f"{f'{sql[0]} / {sql[1]}' if sql else '—'} |")
    print("\n| Passeport's request in a launch | database | median ms | CPU ms (median) | SQL statements / COMMITs |")
    print("|---|---|---:|---:|---:|")
    for label, measured in phases.items():
        for name, (t, sql) in measured.items():
            print(f"| {name} | {label} | {t.median('wall'):.2f} | {t.median('cpu'):.2f} | {sql[0]} / {sql[1]} |")
    print("\n| Passeport's round trip (example's in turns with it) | database | example ms | Passeport ms "
          "| its SQL through SQLAlchemy, ms | in the driver, ms | × example | × example if SQLAlchemy's share "
          "were free | × example if all SQL were free |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, share in shares.items():
        example_ms = share["example"]
        print(f"| launch round trip | {label} | {example_ms:.2f} | {share['round trip']:.2f} | {share['SQL']:.2f} "
              f"| {share['driver']:.2f} | {example_ms / share['round trip']:.2f} "
              f"| {example_ms / share['without SQLAlchemy']:.2f} | {example_ms / share['without SQL']:.2f} |")
    print("\n| Passeport page | database | requests/s | median ms | CPU ms (median) | SQL statements / COMMITs |")
    print("|---|---|---:|---:|---:|---:|")
    for label, measured in pages.items():
        for t, sql in measured.values():
            print(f"| {t.name} | {label} | {t.per_second:.0f} | {t.median('wall'):.2f} | {t.median('cpu'):.2f} | "
                  f"{sql[0]} / {sql[1]} |")


if __name__ == "__main__":
    main()
