"""An LRS client with credentials made through the CLI, against the tool answering in-process."""
from __future__ import annotations

import re
import uuid

import pytest
import requests
from click.testing import CliRunner
from flask.cli import ScriptInfo

from lti_tool.tracking.cli import xapi_cli

VERSION = {"X-Experience-API-Version": "1.0.3"}


def run_cli(app, *args: str) -> str:
    result = CliRunner().invoke(xapi_cli, list(args), obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    return result.output


def make_credential(app, name: str, *scopes: str) -> tuple[str, str]:
    output = run_cli(app, "credentials", "add", name, *[f"--scope={s}" for s in scopes or ("all",)])
    return re.search(r"key:\s+(\S+)", output).group(1), re.search(r"secret:\s+(\S+)", output).group(1)


class LrsClient:
    """requests-style calls (a session, in-process by default) with the xAPI version header and Basic auth,
    rooted at /xapi."""

    def __init__(self, base: str, auth: tuple[str, str] | None, http=None):
        self.base, self.http = base + "/xapi", http if http is not None else requests.Session()
        self.http.auth = auth
        self.http.headers.update(VERSION)

    def __getattr__(self, method):
        def call(path, **kwargs):
            return self.http.request(method.upper(), self.base + path, **kwargs)
        return call


@pytest.fixture
def lrs(tool):
    return LrsClient(tool.url, make_credential(tool.app, "tests"), tool.browser())


def statement(**overrides) -> dict:
    base = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "mbox": "mailto:ada@example.org", "name": "Ada"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "experienced"}},
        "object": {"objectType": "Activity", "id": "http://example.org/activities/lesson-1",
                   "definition": {"name": {"en-US": "Lesson 1", "fr-FR": "Leçon 1"}}},
        "timestamp": "2026-11-20T10:00:00.000Z",
    }
    base.update(overrides)
    return base
