"""The platform registry is cached per process: changes must still reach launches when they matter."""
from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner
from flask.cli import ScriptInfo

from lti_tool import services
from lti_tool.cli import platform_cli
from tests.peers.lti_platform import landing


def test_a_platform_removed_in_this_process_is_refused_at_its_next_launch(tool, platform):
    assert landing(platform.launch(tool.browser()))
    result = CliRunner().invoke(platform_cli, ["remove", "--issuer", platform.issuer, "--client-id",
                                               platform.client_id, "--delete-learner-data"],
                                obj=ScriptInfo(create_app=lambda: tool.app))
    assert result.exit_code == 0, result.output
    refused = tool.browser().get(f"{platform.url}/start", params={"scenario": "ok", "user": "learner-1"})
    assert refused.status_code == 403 and "is not registered with Passeport" in refused.text  # at the login


def test_a_deployment_added_by_another_process_is_accepted_at_once(tool, platform):
    assert landing(platform.launch(tool.browser()))  # the registry is loaded and cached
    registry = services.registry(tool.app)
    registry.miss_interval = 0  # the test's launches follow each other within the default second
    other_process = sa.create_engine(tool.app.config["DATABASE_URL"])  # not this process's ORM sessions
    with other_process.begin() as connection:
        platform_id = connection.execute(sa.text("SELECT id FROM platforms WHERE issuer = :issuer"),
                                         {"issuer": platform.issuer}).scalar_one()
        connection.execute(sa.text("INSERT INTO deployments (platform_id, deployment_id) VALUES (:p, 'added-later')"),
                           {"p": platform_id})
    other_process.dispose()
    platform.deployment_id = "added-later"
    assert landing(platform.launch(tool.browser()))


def _count(app, table: str) -> int:
    with services.database(app).read() as connection:
        return connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_a_course_removed_by_another_process_is_written_again_at_the_next_launch(tool, platform):
    """A course's rows are written once per process while unchanged; one removed elsewhere (its id now stale
    in this process) must not fail the next launch."""
    assert landing(platform.launch(tool.browser(), user="learner-1"))
    other_process = sa.create_engine(tool.app.config["DATABASE_URL"])
    with other_process.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.execute(sa.text("DELETE FROM contexts"))  # its memberships and placements go with it
    other_process.dispose()
    assert (_count(tool.app, "contexts"), _count(tool.app, "resource_links")) == (0, 0)
    assert landing(platform.launch(tool.browser(), user="learner-2"))
    assert (_count(tool.app, "contexts"), _count(tool.app, "memberships"), _count(tool.app, "resource_links")) \
        == (1, 1, 1)
