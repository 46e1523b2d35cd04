"""A tool with a demo learner who earned the passport through real learning events."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from lti_tool.badges.cli import badges_cli
from lti_tool.demo.seed import demo_cli


def run(app, group, *args: str) -> str:
    result = CliRunner().invoke(group, list(args), obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    return result.output


def seed_passport(tool) -> tuple[str, str, str]:
    """(verification URL, credential URL, uid) of the seeded learner's passport."""
    output = run(tool.app, demo_cli, "seed")
    verify_url = re.search(r"verification page:\s+(\S+)", output).group(1)
    credential_url = re.search(r"credential:\s+(\S+)", output).group(1)
    assert verify_url.startswith(tool.url) and credential_url.startswith(tool.url)
    return verify_url, credential_url, verify_url.rsplit("/", 1)[1]


@pytest.fixture
def passport(tool):
    """The seeded passport on the tool answering in-process."""
    return seed_passport(tool)


@pytest.fixture
def live_passport(live_tool):
    """The seeded passport on the tool served over a real socket (for peers that fetch it)."""
    return seed_passport(live_tool)


def revoke(app, uid: str, reason: str = "fraud", note: str | None = None) -> str:
    return run(app, badges_cli, "revoke", uid, "--reason", reason, *(("--note", note) if note else ()))


def reinstate(app, uid: str, note: str) -> str:
    return run(app, badges_cli, "reinstate", uid, "--note", note)
