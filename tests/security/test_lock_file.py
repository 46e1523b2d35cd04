"""The committed lock file pins every dependency pyproject.toml declares, so audits are reproducible."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_declared_dependency_is_pinned_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    lock = (ROOT / "requirements.lock").read_text()
    pinned = {m.group(1).lower().replace("_", "-") for m in re.finditer(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==",
                                                                          lock, re.M)}
    assert declared <= pinned, f"not in requirements.lock (regenerate it, docs/security.md): {declared - pinned}"
    assert lock.count("--hash=sha256:") >= len(pinned)
