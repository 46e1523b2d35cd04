"""The container, without a container runtime: the wheel built from exactly the Docker build context,
installed in a fresh virtualenv, migrates, forwards and serves the tool from that install (not the checkout)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

import pytest
import requests

from tests.deploy.build_context import copy_context
from tests.peers.http import free_port

pytestmark = [pytest.mark.peer, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("lti_tool", "xapi", "content")
INSTALL_TIMEOUT = 900


def _tracked_package_files() -> set[str]:
    """Every file git holds in the package folders, named as in the wheel (content/ ships as lti_tool/content/)."""
    listed = subprocess.run(["git", "ls-files", *PACKAGES], cwd=ROOT, capture_output=True, text=True, check=True)
    return {re.sub(r"^content/", "lti_tool/content/", name) for name in listed.stdout.splitlines()}


def _dockerfile_copy_sources() -> list[str]:
    """Sources of the Dockerfile's COPY instructions that read the build context."""
    sources = []
    for line in (ROOT / "deploy" / "Dockerfile").read_text().splitlines():
        words = line.split()
        if words[:1] == ["COPY"] and not any(w.startswith("--from") for w in words):
            sources += words[1:-1]
    return sources


def _run(command: list[str], **kwargs) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, **kwargs)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _wait_for(url: str, server: subprocess.Popen, timeout: float = 60) -> requests.Response:
    deadline = time.monotonic() + timeout
    while True:
        assert server.poll() is None, "gunicorn exited before answering"
        try:
            return requests.get(url, timeout=5)
        except (requests.ConnectionError, requests.Timeout):
            # gunicorn's master listens before its worker has imported the app:
            # under load the first request can wait in the backlog past the timeout.
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_wheel_from_the_docker_build_context_installs_and_serves(tmp_path):
    context = tmp_path / "context"
    files = copy_context(ROOT, context)
    assert {p.parts[0] for p in files} == {"lti_tool", "xapi", "content", "deploy", "pyproject.toml", "README.md"}
    for source in _dockerfile_copy_sources():
        assert (context / source).exists(), f"the Dockerfile copies {source}, which .dockerignore leaves out"

    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q",
          "--wheel-dir", str(tmp_path / "wheels"), str(context)], cwd=tmp_path)
    wheel = next((tmp_path / "wheels").glob("passeport-*.whl"))
    missing = _tracked_package_files() - set(zipfile.ZipFile(wheel).namelist())
    assert not missing, f"package files the wheel does not ship: {sorted(missing)}"

    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    python, bin_dir = environment / "bin" / "python", environment / "bin"
    _run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", str(wheel)], cwd=tmp_path)

    port = free_port()
    workdir = tmp_path / "run"
    workdir.mkdir()
    inherited = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "DATABASE_URL"}
    env = {name: value for name, value in os.environ.items()
           if name not in inherited and not name.startswith("PASSEPORT_")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", PASSEPORT_INSTANCE=str(tmp_path / "instance"),
               PASSEPORT_BASE_URL=f"http://127.0.0.1:{port}", PASSEPORT_DEMO="1",
               PASSEPORT_BIND=f"127.0.0.1:{port}", PASSEPORT_WORKERS="1")
    run = {"cwd": workdir, "env": env}

    imported = _run([str(python), "-c", "import lti_tool, xapi; print(lti_tool.__file__); print(xapi.__file__)"], **run)
    for module_file in imported.split():
        assert Path(module_file).resolve().is_relative_to(environment.resolve()), module_file

    assert "database at head" in _run([str(bin_dir / "passeport"), "db", "upgrade"], **run)
    assert "delivered 0 item(s)" in _run([str(bin_dir / "passeport"), "xapi", "forward", "--once"], **run)

    gunicorn = [str(bin_dir / "gunicorn"), "-c", str(context / "deploy" / "gunicorn.conf.py"), "lti_tool:create_app()"]
    server = subprocess.Popen(gunicorn, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **run)
    base = f"http://127.0.0.1:{port}"
    try:
        health = _wait_for(f"{base}/healthz", server)
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        course = requests.get(f"{base}/demo/", timeout=10)
        assert course.status_code == 200 and "Vendre sur Internet" in course.text
        keys = requests.get(f"{base}/.well-known/jwks.json", timeout=10).json()["keys"]
        assert len(keys) == 1, "db upgrade made the tool's signing key"
        assert requests.get(f"{base}/api/openapi.yaml", timeout=10).text.startswith("openapi: 3.1.0")
        assert requests.get(f"{base}/static/passeport.css", timeout=10).status_code == 200
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert "Traceback" not in errors, errors
