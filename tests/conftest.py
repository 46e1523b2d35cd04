"""Fixtures: every database test runs on SQLite and on PostgreSQL (skipped, never faked, without it).

HTTP tests talk to the tool in-process (``tool``, ``platform``: Flask's test client); the tests
that serve it over real sockets (``live_tool``, ``peer``) are marked ``peer`` automatically.
"""
from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from lti_tool import create_app, database, prepare, services
from tests.inprocess import InProcessTool, WsgiTransport
from tests.peers.http import LiveServer, free_port

SOCKET_FIXTURES = {"live_tool", "peer"}


def pytest_collection_modifyitems(items):
    """A test served over a real socket is an end-to-end (``peer``) test, whoever wrote its marks."""
    for item in items:
        if SOCKET_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.peer)

POSTGRES_URL = (
    os.environ.get("PASSEPORT_TEST_POSTGRES_URL")
    or (os.environ["DATABASE_URL"] if os.environ.get("DATABASE_URL", "").startswith("postgresql") else None)
    or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_available() -> str | None:
    try:
        engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as error:  # any failure to connect means: skip, and say why
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {error.__class__.__name__}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'passeport.db'}"
        return
    reason = _postgres_available()
    if reason:
        pytest.skip(reason)
    schema = "t_" + uuid.uuid4().hex[:12]
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    engine.dispose()


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build a prepared app (migrated, keyed) for a given base URL."""
    apps = []

    def factory(base_url: str = "http://127.0.0.1:5000", demo: bool = False):
        app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "instance"),
                          "BASE_URL": base_url, "DEMO": demo, "TESTING": True})
        prepare(app)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        database(app).dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def tool(make_app):
    """The tool (with the demo LMS) answering requests-style calls in-process."""
    return InProcessTool(make_app(demo=True))


@pytest.fixture
def platform(tool):
    """The independent LTI platform in-process: browsers and the tool's JWKS fetch reach it without a socket."""
    return in_process_platform(tool)


def in_process_platform(tool):
    """An independent LTI platform reached in-process, registered with ``tool`` through the CLI."""
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from lti_tool.cli import platform_cli
    from tests.peers.lti_platform import PeerPlatform

    platform = PeerPlatform(tool.url)
    platform.url = "http://peer-lms.test"
    tool.sites[platform.url] = platform.app
    services.platform_keys(tool.app).http.mount(platform.url, WsgiTransport(platform.app))
    result = CliRunner().invoke(platform_cli, ["add", *platform.cli_args()],
                                obj=ScriptInfo(create_app=lambda: tool.app))
    assert result.exit_code == 0, result.output
    return platform


@pytest.fixture
def live_tool(make_app):
    """The tool served over HTTP on 127.0.0.1 (with the demo LMS)."""
    port = free_port()
    app = make_app(f"http://127.0.0.1:{port}", demo=True)
    with LiveServer(app, port) as server:
        server.app = app
        yield server


@pytest.fixture
def peer(live_tool):
    """An independent LTI platform on its own port, registered with the tool through the CLI."""
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from lti_tool.cli import platform_cli
    from tests.peers.lti_platform import PeerPlatform

    port = free_port()
    platform = PeerPlatform(live_tool.url)
    platform.url = f"http://127.0.0.1:{port}"
    with LiveServer(platform.app, port):
        result = CliRunner().invoke(platform_cli, ["add", *platform.cli_args()],
                                    obj=ScriptInfo(create_app=lambda: live_tool.app))
        assert result.exit_code == 0, result.output
        yield platform


@pytest.fixture
def launched_learner(app):
    """A learner (user and course ids, LMS account) saved by a launch from a registered platform."""
    from lti_tool.domain.people import LaunchFacts, save_launch
    from lti_tool.domain.registrations import PlatformSettings, register_platform
    from lti_tool.domain.roles import Role

    with database(app).session() as db:
        platform, _ = register_platform(db, PlatformSettings(
            "https://lms.example.org", "c1", "https://lms.example.org/auth", "https://lms.example.org/token",
            "https://lms.example.org/jwks", ("d1",)))
        platform_id = platform.id
    with database(app).begin() as connection:
        return save_launch(connection, LaunchFacts(platform_id, "https://lms.example.org", "sub-1", Role.LEARNER, [],
                                                   None, None, {"id": "course-1"}, {}, None))
