"""An independent verifier for the tool's Open Badges 3.0 credentials.

Digital Bazaar's JavaScript libraries (``@digitalbazaar/vc`` with the
``eddsa-rdfc-2022`` Data Integrity cryptosuite, see ``js_verifier/``) check
the embedded proof, so a credential that passes here was verified by code that
shares nothing with openbadgeslib or pyld. Fully offline: the verifier's
document loader serves only the documents handed to :func:`verify_with_js`
and fails, naming the URL, on anything else.

For a did:web issuer, ``documents`` needs::

    contexts() | {"did:web:host": did_document}

-- every JSON-LD context the credential names (``contexts()`` has all those
openbadgeslib bundles) plus the issuer's DID document under the bare DID. The
proof's verification method (``did:web:host#key-1``) is looked up in that DID
document, which must list it under ``assertionMethod``; the DID document's
first ``@context`` must be ``https://www.w3.org/ns/did/v1`` (then no DID or
Multikey context needs serving). ``credentialStatus`` is checked only when
asked (``status_from``), against the live server's status list.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

JS_DIR = Path(__file__).resolve().parent / "js_verifier"
TIMEOUT_S = 60
NPM_CI_TIMEOUT_S = 600

_install_lock = threading.Lock()
_installed = False


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(
            f"{name!r} is not on PATH: the JS verifier (tests/peers/js_verifier) "
            "needs Node.js >= 18 and npm")
    return path


def node_available() -> bool:
    """Whether node and npm are both installed (for a test's skip check)."""
    return shutil.which("node") is not None and shutil.which("npm") is not None


def ensure_installed() -> None:
    """Run ``npm ci`` in js_verifier/ once per process if node_modules is
    missing (the lock file pins every package)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        _tool("node")
        npm = _tool("npm")
        installed = JS_DIR / "node_modules" / ".package-lock.json"  # npm's record of what it installed
        if not installed.is_file() or installed.stat().st_mtime < (JS_DIR / "package-lock.json").stat().st_mtime:
            proc = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund"],
                cwd=JS_DIR, capture_output=True, text=True,
                timeout=NPM_CI_TIMEOUT_S)
            if proc.returncode != 0:
                raise RuntimeError(
                    f"npm ci failed in {JS_DIR} (exit {proc.returncode}):\n"
                    f"{proc.stdout}\n{proc.stderr}")
        _installed = True


def verify_with_js(credential: dict, documents: dict[str, dict], *,
                   now: str | None = None, status_from: str | None = None) -> dict:
    """Verify *credential*'s Data Integrity proof with Digital Bazaar's
    verifier, serving only *documents* (``{url: json}``) to its loader.

    Returns ``{"verified": bool, "errors": [str, ...]}``. *now* (ISO 8601)
    overrides the clock the validFrom/validUntil checks use. With
    *status_from* (a live server's base URL), ``credentialStatus`` is checked
    by ``@digitalbazaar/vc-bitstring-status-list``, fetching the status list
    from that server; the answer's ``status`` says ``checked`` and ``revoked``.
    Raises
    RuntimeError if node/npm are missing or the script itself crashes.
    """
    ensure_installed()
    payload: dict[str, Any] = {"credential": credential, "documents": documents}
    if now is not None:
        payload["now"] = now
    if status_from is not None:
        payload.update(checkStatus=True, fetchFrom=status_from.rstrip("/") + "/")
    proc = subprocess.run(
        [_tool("node"), "verify.mjs"], cwd=JS_DIR,
        input=json.dumps(payload), capture_output=True, text=True,
        timeout=TIMEOUT_S, env={**os.environ, "NODE_NO_WARNINGS": "1"})
    if proc.returncode != 0:
        raise RuntimeError(
            f"node verify.mjs crashed (exit {proc.returncode}):\n"
            f"{proc.stderr}{proc.stdout}")
    try:
        result = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise RuntimeError(
            f"node verify.mjs printed no JSON: {proc.stdout!r}\n{proc.stderr}"
        ) from exc
    if status_from is None:
        result.pop("status", None)
    return result


def contexts() -> dict[str, dict]:
    """Every JSON-LD context openbadgeslib pins (``openbadgeslib/ob3/contexts``),
    keyed by URL: the library's own URL -> file allowlist, so the JS verifier
    canonicalizes against exactly the documents the signer used."""
    from openbadgeslib.ob3.contexts import bundled_contexts
    # a deep copy: openbadgeslib caches these dicts and verifies against them
    return json.loads(json.dumps(bundled_contexts()))
