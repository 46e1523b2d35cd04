"""Ralph (PyPI ``ralph-malph``, openfun/ralph), an LRS we did not write, served on 127.0.0.1 as a test peer.

Ralph pins FastAPI, pydantic and friends at versions of its own, so it lives in its own virtualenv,
``.peers/ralph-lrs-venv`` at the repository root (git-ignored), built on first use with ``python3 -m venv``
and that venv's pip (a minute or so).  Its ``lrs`` extra imports ``requests`` without requiring it, so the
venv gets it explicitly.  The LRS API (``/xAPI/statements``) runs under uvicorn with the file-system
backend: every statement Ralph stores is one line of ``fs_lrs.jsonl`` in the peer's data folder, which
lets a test count exactly what arrived.  HTTP Basic credentials come from Ralph's own auth file.

One setting is changed, by the launcher below: Ralph 5.1's file-system LRS backend opens its file in
``create`` mode, so every POST after the first fails (500, "already exists and overwrite is not allowed");
the peer runs it in ``append`` mode.  Everything else (validation, duplicate and conflict checks, storage,
queries) is Ralph's own code.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PEERS_DIR = ROOT / ".peers"
VENV_DIR = PEERS_DIR / "ralph-lrs-venv"
REQUIREMENTS = ["ralph-malph[backend-fs,lrs]==5.1.0", "requests"]
BUILD_TIMEOUT_S = 900
START_TIMEOUT_S = 60
USERNAME, PASSWORD = "passeport-forwarder", "ralph-peer-secret"
_READY_MARKER = ".passeport-ralph-ready"
LAUNCHER = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]))
"""
_lock = threading.Lock()


class RalphUnavailable(RuntimeError):
    """Ralph's virtualenv could not be built, or Ralph did not start."""


def _python() -> Path:
    return VENV_DIR / "bin" / "python"


def ensure_venv() -> Path:
    """Build the venv once (again if the requirements change); a file lock keeps test processes from racing."""
    digest = hashlib.sha256("\n".join([sys.version.split()[0], *REQUIREMENTS]).encode()).hexdigest()
    with _lock:
        PEERS_DIR.mkdir(parents=True, exist_ok=True)
        import fcntl

        with (PEERS_DIR / "ralph-lrs-venv.lock").open("w") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            marker = VENV_DIR / _READY_MARKER
            if not (marker.is_file() and marker.read_text().strip() == digest and _python().exists()):
                _build(digest)
    return _python()


def _build(digest: str) -> None:
    log = PEERS_DIR / "ralph-lrs-venv-build.log"
    log.write_text("")
    if VENV_DIR.exists():
        shutil.rmtree(VENV_DIR)
    python3 = shutil.which("python3") or sys.executable
    for command in ([python3, "-m", "venv", str(VENV_DIR)],
                    [str(_python()), "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
                     *REQUIREMENTS],
                    [str(_python()), "-c", "import bcrypt, requests, uvicorn, ralph.backends.lrs.fs"]):
        with log.open("a") as out:
            out.write("\n$ " + " ".join(command) + "\n")
            out.flush()
            try:
                done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      timeout=BUILD_TIMEOUT_S, check=False)
            except subprocess.TimeoutExpired:
                raise RalphUnavailable(f"building {VENV_DIR} timed out running {' '.join(command)}") from None
        if done.returncode != 0:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
            raise RalphUnavailable(f"could not build {VENV_DIR}: {' '.join(command)} exited {done.returncode}:\n"
                                   f"{tail}")
    (VENV_DIR / _READY_MARKER).write_text(digest + "\n")


class RalphLrs:
    """One Ralph LRS on ``port`` keeping its statements under ``folder``; start, stop and start it again."""

    def __init__(self, folder: Path, port: int):
        self.python = ensure_venv()
        self.folder, self.port = folder, port
        self.url = f"http://127.0.0.1:{port}/xAPI"
        self.credentials = (USERNAME, PASSWORD)
        (folder / "data").mkdir(parents=True, exist_ok=True)
        self.auth_file = folder / "auth.json"
        self.auth_file.write_text(json.dumps([{
            "username": USERNAME, "hash": self._bcrypt(PASSWORD), "scopes": ["all"],
            "agent": {"objectType": "Agent", "mbox": "mailto:forwarder@passeport.example.org"}}]))
        self.process: subprocess.Popen | None = None

    def _bcrypt(self, password: str) -> str:
        code = "import bcrypt, sys; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt()).decode())"
        return subprocess.run([str(self.python), "-c", code, password], capture_output=True, text=True,
                              check=True).stdout.strip()

    def start(self) -> RalphLrs:
        env = {k: v for k, v in os.environ.items() if k.upper() not in {"PYTHONPATH", "PYTHONHOME"}}
        env.update(RALPH_APP_DIR=str(self.folder / "app"), RALPH_AUTH_FILE=str(self.auth_file),
                   RALPH_RUNSERVER_BACKEND="fs",
                   RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH=str(self.folder / "data"))
        log = (self.folder / "ralph.log").open("a")
        self.process = subprocess.Popen(
            [str(self.python), "-I", "-c", LAUNCHER, str(self.port)], cwd=self.folder, env=env, stdout=log,
            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RalphUnavailable(f"Ralph exited {self.process.returncode}; see {self.folder / 'ralph.log'}")
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RalphUnavailable(f"Ralph did not answer within {START_TIMEOUT_S}s; see {self.folder / 'ralph.log'}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)
        self.process = None

    def stored(self) -> list[dict]:
        """Every statement Ralph has written, in order (one JSON line each)."""
        path = self.folder / "data" / "fs_lrs.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
