"""The 1EdTech (IMS Global) Open Badges 2.0 validator, run offline, as a test peer.

``validate_ob2(assertion_url)`` runs the real OB 2.0 validator -- PyPI
``openbadges`` 1.1.2 (openbadges-validator-core, the code behind
badgecheck.io) -- on a hosted Assertion URL and returns::

    {"valid": bool,          # the validator's own report["valid"]
     "errors": [str, ...],   # "TASK_NAME: message" for each ERROR message
     "warnings": [str, ...], # same, for WARNING messages
     "report": {...},        # the raw result of openbadges.verifier.verify()
                             # ({"graph", "input", "report"})
     "served_locally": [...], # URLs answered from the local context copy
     "fetched": [...],        # URLs fetched over real HTTP (loopback)
     "refused": [...]}        # non-loopback URLs the worker refused

The validator pins old Click, PyLD, jsonschema... so it lives in its own
virtualenv, ``.peers/ob2-venv`` at the repository root (git-ignored), built on
first use with ``python3 -m venv`` and that venv's pip.  ``openbadges`` 1.1.2
installs on Python 3.11 with its own pins but does not import there
(pycryptodome 3.6.6 has Python 2 literals); it imports with pycryptodome
3.23.0, python-jose 3.2.0 and pytz 2024.2, so the venv gets every dependency
pinned explicitly and ``openbadges`` itself with ``--no-deps``.

The validation runs in ``ob2_worker.py`` under that venv's python: the OB 2.0
JSON-LD context is served from the copy that the installed ``openbadges``
package ships, everything else (Assertion, BadgeClass, Issuer, image) is
fetched over real HTTP from loopback only.  See the worker's docstring.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PEERS_DIR = ROOT / ".peers"
VENV_DIR = PEERS_DIR / "ob2-venv"
WORKER = Path(__file__).resolve().parent / "ob2_worker.py"
TIMEOUT_S = 120
BUILD_TIMEOUT_S = 900

# openbadges 1.1.2's own requirements, with the three that must differ to import
# on Python 3.11 (pycryptodome, python-jose, pytz) overridden; the unpinned ones
# (aniso8601, openbadges-bakery, requests) pinned to the versions tested here.
REQUIREMENTS = [
    "aniso8601==10.0.1",
    "Click==6.7",
    "future==0.16.0",
    "jsonschema==2.6.0",
    "language-tags==0.4.3",
    "openbadges-bakery==1.2.4",
    "pycryptodome==3.23.0",
    "pydux==0.2.2",
    "PyLD==0.7.1",
    "python-jose==3.2.0",
    "python-mimeparse==1.6.0",
    "pytz==2024.2",
    "requests==2.34.2",
    "requests-cache==0.4.13",
    "rfc3986==0.4.1",
    "validators==0.11.2",
]
VALIDATOR = "openbadges==1.1.2"  # installed with --no-deps, after REQUIREMENTS

_READY_MARKER = ".passeport-ob2-ready"
_lock = threading.Lock()
_ready = False


class OB2ValidatorUnavailable(RuntimeError):
    """The validator's virtualenv could not be built or the worker could not run."""


def _spec_digest() -> str:
    spec = "\n".join([sys.version.split()[0], *REQUIREMENTS, VALIDATOR])
    return hashlib.sha256(spec.encode()).hexdigest()


def venv_python() -> Path:
    return VENV_DIR / "bin" / "python"


def _run_logged(cmd: list[str], log: Path) -> None:
    with log.open("a") as out:
        out.write("\n$ " + " ".join(cmd) + "\n")
        out.flush()
        try:
            proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, timeout=BUILD_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise OB2ValidatorUnavailable(
                f"building the OB 2.0 validator venv timed out after {BUILD_TIMEOUT_S}s "
                f"running {' '.join(cmd)}; see {log}") from None
    if proc.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
        raise OB2ValidatorUnavailable(
            f"could not build the OB 2.0 validator venv at {VENV_DIR}: "
            f"{' '.join(cmd)} exited {proc.returncode}. Last lines of {log}:\n{tail}")


def ensure_venv() -> Path:
    """Build ``.peers/ob2-venv`` once if it is missing or incomplete; return its python.

    A marker file written last (holding a digest of the pinned requirements)
    says the venv is complete; without it, or if the pins changed, the venv is
    rebuilt from scratch. A file lock keeps parallel test processes from
    building it twice.
    """
    global _ready
    with _lock:
        if _ready:
            return venv_python()
        PEERS_DIR.mkdir(parents=True, exist_ok=True)
        import fcntl

        with (PEERS_DIR / "ob2-venv.lock").open("w") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            marker = VENV_DIR / _READY_MARKER
            digest = _spec_digest()
            if not (marker.is_file() and marker.read_text().strip() == digest
                    and venv_python().exists()):
                _build(digest)
            _ready = True
    return venv_python()


def _build(digest: str) -> None:
    log = PEERS_DIR / "ob2-venv-build.log"
    log.write_text("")
    if VENV_DIR.exists():
        shutil.rmtree(VENV_DIR)
    python3 = shutil.which("python3") or sys.executable
    _run_logged([python3, "-m", "venv", str(VENV_DIR)], log)
    pip = [str(venv_python()), "-m", "pip", "install", "--disable-pip-version-check",
           "--no-input"]
    _run_logged(pip + REQUIREMENTS, log)
    _run_logged(pip + ["--no-deps", VALIDATOR], log)
    smoke = ("from openbadges.verifier import verify; "
             "from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_DICT")
    _run_logged([str(venv_python()), "-c", smoke], log)
    (VENV_DIR / _READY_MARKER).write_text(digest + "\n")


def _format(message: dict[str, Any]) -> str:
    text = f"{message.get('name')}: {message.get('result')}"
    if message.get("node_id"):
        text += f" [node {message['node_id']}]"
    return text


def validate_ob2(assertion_url: str) -> dict[str, Any]:
    """Validate the hosted OB 2.0 Assertion at ``assertion_url`` with the real validator."""
    python = ensure_venv()
    env = {k: v for k, v in os.environ.items()
           if not k.upper().endswith("_PROXY") and k.upper() not in {"PYTHONPATH", "PYTHONHOME"}}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    try:
        # -I: isolated mode, so the worker's own folder (tests/peers, whose
        # http.py would shadow the standard library's) is not on sys.path.
        proc = subprocess.run([str(python), "-I", str(WORKER), assertion_url],
                              capture_output=True, text=True, timeout=TIMEOUT_S,
                              stdin=subprocess.DEVNULL, env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        raise OB2ValidatorUnavailable(
            f"OB 2.0 validator did not finish within {TIMEOUT_S}s on {assertion_url}; "
            f"stderr:\n{(exc.stderr or '')[-3000:] if isinstance(exc.stderr, str) else ''}"
        ) from None
    if proc.returncode != 0:
        raise OB2ValidatorUnavailable(
            f"OB 2.0 validator worker exited {proc.returncode}; stderr:\n{proc.stderr[-3000:]}")
    try:
        out = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise OB2ValidatorUnavailable(
            f"OB 2.0 validator worker printed no JSON; stdout:\n{proc.stdout[-2000:]}\n"
            f"stderr:\n{proc.stderr[-3000:]}") from None
    if "error" in out:
        raise OB2ValidatorUnavailable(f"the OB 2.0 validator crashed:\n{out['error']}")

    messages = out["report"]["report"].get("messages", [])
    return {
        "valid": out["report"]["report"]["valid"] is True,
        "errors": [_format(m) for m in messages if m.get("messageLevel") == "ERROR"],
        "warnings": [_format(m) for m in messages if m.get("messageLevel") == "WARNING"],
        "report": out["report"],
        "served_locally": out["served_locally"],
        "fetched": out["fetched"],
        "refused": out["refused"],
    }
