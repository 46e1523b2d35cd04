#!/usr/bin/env python3
"""Set up and run Passeport from a checkout with nothing but Python 3.11.

    python3 dev.py run     # the tool with its demo LMS at http://127.0.0.1:5000/
    python3 dev.py test    # ruff, mypy, then the whole test suite (SQLite, plus PostgreSQL when reachable)
    python3 dev.py conformance SUITE_DIR [--timeout S] [--only TEXT] [--logs DIR]
                           # the ADL LRS conformance suite (xAPI 1.0.3), section by section, against a
                           # fresh instance (temporary SQLite, or the database in DATABASE_URL)

Both create ``.venv`` and install the project into it on first use (again
whenever pyproject.toml changes).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
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
    """With no arguments (the README's and CI's command): ruff and mypy, then the whole suite."""
    ensure_environment("[test]")
    ensure_test_peers()
    if not args:
        for check in (["ruff", "check", "."], ["mypy"]):
            print("$ " + " ".join(check), flush=True)
            if subprocess.call([str(BIN / check[0]), *check[1:]], cwd=ROOT):
                return 1
    return subprocess.call([str(BIN / "python"), "-m", "pytest", *args], cwd=ROOT)


GOOD_OUTCOMES = ("passed", "no tests")  # the suite's Communication 1.2 section is empty


def conformance(args: list[str]) -> int:
    """Serve a fresh instance, then run each section (one file of the suite's 1.0.3 tests) on its own.

    A section that outlives its timeout counts as hung (failed). The suite (GitHub
    adlnet/lrs-conformance-test-suite, after ``npm install``) stays outside this repository.
    """
    parser = argparse.ArgumentParser(prog="dev.py conformance")
    parser.add_argument("suite", type=Path, help="a checkout of adlnet/lrs-conformance-test-suite (npm installed)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per section (default 600)")
    parser.add_argument("--only", default="", help="run only the sections whose title contains this text")
    parser.add_argument("--logs", type=Path, help="keep each section's output here (default: a temporary folder)")
    options = parser.parse_args(args)
    sections = _suite_sections(options.suite, options.only)
    if not sections:
        sys.exit(f"no xAPI 1.0.3 section found under {options.suite}/test/v1_0_3 (is it the ADL suite?)")
    ensure_environment("")
    logs = options.logs or Path(tempfile.mkdtemp(prefix="passeport-conformance-logs-"))
    logs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="passeport-conformance-") as instance:
        env = dict(os.environ, PASSEPORT_INSTANCE=instance, PASSEPORT_DEMO="0")
        env.setdefault("DATABASE_URL", f"sqlite:///{instance}/passeport.db")
        subprocess.run([str(BIN / "passeport"), "db", "upgrade"], env=env, check=True, stdout=subprocess.DEVNULL)
        created = subprocess.run([str(BIN / "passeport"), "xapi", "credentials", "add", "conformance"], env=env,
                                 check=True, capture_output=True, text=True).stdout
        key, secret = (re.search(rf"{name}:\s*(\S+)", created).group(1) for name in ("key", "secret"))
        port = _free_port()
        server = subprocess.Popen([str(BIN / "passeport"), "serve", "--port", str(port), "--no-forwarder"], env=env,
                                  stdout=(logs / "server.log").open("w"), stderr=subprocess.STDOUT)
        try:
            endpoint = _wait_for_lrs(port)
            database = env["DATABASE_URL"].split("://")[0]
            print(f"ADL conformance suite (xAPI 1.0.3) against {endpoint} on {database}; logs in {logs}", flush=True)
            rows = [_run_section(options.suite, title, endpoint, key, secret, options.timeout, logs)
                    for title in sections]
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:  # a loaded machine: gunicorn's graceful stop can outlast 30 s
                server.kill()
                server.wait()
    _print_table(rows)
    return 0 if all(row[4] in GOOD_OUTCOMES for row in rows) else 1


def _suite_sections(suite: Path, only: str) -> list[str]:
    """The top-level describe() title of each 1.0.3 test file, in the suite's order."""
    titles = []
    for path in sorted((suite / "test" / "v1_0_3").glob("*.js")):
        match = re.search(r"""^\s*describe\((['"])(.*?)\1""", path.read_text(encoding="utf-8"), re.MULTILINE)
        if match and only in match.group(2):
            titles.append(match.group(2))
    return titles


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_lrs(port: int) -> str:
    endpoint = f"http://127.0.0.1:{port}/xapi"
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"{endpoint}/about", timeout=2):
                return endpoint
        except OSError:
            time.sleep(0.5)
    sys.exit(f"the LRS did not answer on {endpoint}/about within a minute")


def _run_section(suite: Path, title: str, endpoint: str, key: str, secret: str, timeout: int,
                 logs: Path) -> tuple[str, int, int, int, str]:
    """(section, total, passed, failed, outcome) — outcome is passed, failed or hung."""
    output = logs / (re.sub(r"[^A-Za-z0-9.]+", "_", title).strip("_") + ".log")
    command = ["node", "bin/console_runner.js", "-x", "1.0.3", "-e", endpoint, "-a", "-u", key, "-p", secret,
               "-z", "-g", "^" + re.escape(title)]
    started = time.monotonic()
    with output.open("w") as sink:
        runner = subprocess.Popen(command, cwd=suite, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            runner.wait(timeout)
            hung = False
        except subprocess.TimeoutExpired:
            os.killpg(runner.pid, 9)
            runner.wait()
            hung = True
    summaries = [json.loads(line) for line in output.read_text(errors="replace").splitlines()
                 if line.startswith('{"total"')]
    summary = summaries[-1] if summaries else {}
    total, passed, failed = (summary.get(name) or 0 for name in ("total", "passed", "failed"))
    finished = "Tests completed in" in output.read_text(errors="replace")
    if hung:
        outcome = "hung"
    elif finished and not failed and passed == total:
        outcome = "passed" if total else "no tests"
    else:
        outcome = "failed"
    print(f"  {title}: {passed}/{total} passed, {failed} failed, {outcome} "
          f"({time.monotonic() - started:.0f} s)", flush=True)
    return title, total, passed, failed, outcome


def _print_table(rows: list[tuple[str, int, int, int, str]]) -> None:
    print("\n| section | tests | passed | failed | outcome |\n|---|---:|---:|---:|---|")
    for title, total, passed, failed, outcome in rows:
        print(f"| {title} | {total} | {passed} | {failed} | {outcome} |")
    totals = [sum(row[i] for row in rows) for i in (1, 2, 3)]
    outcomes = [row[4] for row in rows]
    print(f"| **all {len(rows)} sections** | {totals[0]} | {totals[1]} | {totals[2]} | "
          f"{outcomes.count('passed')} passed, {outcomes.count('no tests')} without tests, "
          f"{outcomes.count('failed')} failed, {outcomes.count('hung')} hung |")


def main() -> int:
    commands = {"run": run, "test": test, "conformance": conformance}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
