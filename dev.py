#!/usr/bin/env python3
"""Set up and run Passeport from a checkout with nothing but Python 3.11.

    python3 dev.py run     # the tool with its demo LMS at http://127.0.0.1:5000/
    python3 dev.py test    # the whole test suite (SQLite, plus PostgreSQL when reachable)

Both create ``.venv`` and install the project into it on first use (again
whenever pyproject.toml changes).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"


def ensure_environment(extras: str) -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Passeport needs Python 3.11 or newer (this is {sys.version.split()[0]}).")
    if not (BIN / "python").exists():
        print("creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / ".passeport-installed"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"installing Passeport{extras} into .venv …", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True)
    subprocess.run(pip + ["-e", f".{extras}"], check=True, cwd=ROOT)
    stamp.write_text(digest)


TEST_PEERS = {"chromium": "chromium", "node": "nodejs", "npm": "npm", "certutil": "libnss3-tools"}


def ensure_test_peers() -> None:
    """Browser tests drive Debian's chromium; the independent badge verifier runs on Node.js.
    Install what is missing when we can (root with apt); otherwise those tests say they are skipped."""
    missing = [package for command, package in TEST_PEERS.items() if not shutil.which(command)]
    if not missing or not shutil.which("apt-get") or os.geteuid() != 0:
        return
    print(f"installing {', '.join(missing)} for the tests …", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=False, env=env, stdout=subprocess.DEVNULL)


def run(args: list[str]) -> int:
    ensure_environment("")
    env = dict(os.environ)
    env.setdefault("PASSEPORT_DEMO", "1")
    return subprocess.call([str(BIN / "passeport"), "serve", *args], cwd=ROOT, env=env)


def test(args: list[str]) -> int:
    ensure_environment("[test]")
    ensure_test_peers()
    return subprocess.call([str(BIN / "python"), "-m", "pytest", *args], cwd=ROOT)


def main() -> int:
    commands = {"run": run, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
