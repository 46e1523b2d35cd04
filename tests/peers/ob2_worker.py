"""Run the 1EdTech Open Badges 2.0 validator (PyPI ``openbadges`` 1.1.2) offline.

This script runs inside the validator's own virtualenv (built by
``tests/peers/ob2_validator.py``), never inside the project's: ``openbadges``
pins old Click/PyLD/jsonschema that the project cannot share.

Usage::

    python ob2_worker.py ASSERTION_URL

It prints one JSON object on stdout::

    {"report": <what openbadges.verifier.verify() returned>,
     "served_locally": [...URLs answered from the local context copy...],
     "fetched": [...URLs fetched over real HTTP...],
     "refused": [...URLs refused because they were neither local nor loopback...]}

How the network is handled
--------------------------
The validator fetches everything with ``requests``: the hosted Assertion,
BadgeClass, Issuer and image (``tasks/graph.py``, ``tasks/images.py``, each
with a fresh ``requests.Session``) and the JSON-LD contexts (its pyld document
loader ``utils.CachableDocumentLoader``, also a ``requests.Session``).  Its
``verify()`` builds that document loader itself from the options, so a loader
cannot be passed in; instead every ``requests.Session`` created in this
process gets two transport adapters mounted:

* ``https://w3id.org/openbadges/`` and ``https://openbadgespec.org/`` (and the
  ``http://`` forms): answered from the OB 2.0 context that the installed
  ``openbadges`` package ships (``openbadges.verifier.openbadges_context.
  OPENBADGES_CONTEXT_V2_DICT``), loaded at run time.  ``w3id.org/openbadges/v2``
  answers with the same 302 redirect to ``openbadgespec.org/v2/context.json``
  that the real w3id.org gives; any other URL under those prefixes gets a 404.
* every other ``http://`` / ``https://`` URL: real HTTP, but only to loopback
  hosts (127.0.0.0/8, localhost, ::1); anything else raises
  ``requests.ConnectionError`` so a test can never reach the internet.

pyld's own default (urllib) document loader is replaced by the same
offline-aware loader, in case some code path uses it.
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import json
import sys
import traceback
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.structures import CaseInsensitiveDict

OB2_CONTEXT_URI = "https://w3id.org/openbadges/v2"
OB2_CONTEXT_FILE_URL = "https://openbadgespec.org/v2/context.json"

SERVED_LOCALLY: list[str] = []
FETCHED: list[str] = []
REFUSED: list[str] = []


def _load_local_documents() -> dict[str, bytes]:
    """The OB 2.0 context, as shipped by the installed ``openbadges`` package."""
    from openbadges.verifier.openbadges_context import (
        OPENBADGES_CONTEXT_V2_DICT,
        OPENBADGES_CONTEXT_V2_URI,
    )

    assert OPENBADGES_CONTEXT_V2_URI == OB2_CONTEXT_URI, OPENBADGES_CONTEXT_V2_URI
    body = json.dumps(OPENBADGES_CONTEXT_V2_DICT, indent=2).encode("utf-8")
    return {
        "openbadgespec.org/v2/context.json": body,
        # Also serve the short form, in case something asks for it directly.
        "openbadgespec.org/v2": body,
    }


def _key(url: str) -> str:
    parts = urlsplit(url)
    return (parts.netloc.lower() + parts.path).rstrip("/") or parts.netloc.lower()


def _response(request, status: int, body: bytes, headers: dict) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp.reason = {200: "OK", 302: "Found", 404: "Not Found"}.get(status, "")
    resp.headers = CaseInsensitiveDict(headers)
    resp.raw = io.BytesIO(body)
    resp._content = body
    resp._content_consumed = True
    resp.encoding = "utf-8"
    resp.url = request.url
    resp.request = request
    return resp


class LocalContextAdapter(BaseAdapter):
    """Answers w3id.org/openbadges and openbadgespec.org from local copies."""

    def __init__(self, documents: dict[str, bytes]):
        super().__init__()
        self.documents = documents

    def send(self, request, **kwargs):
        SERVED_LOCALLY.append(request.url)
        key = _key(request.url)
        if key == "w3id.org/openbadges/v2":
            return _response(request, 302, b"", {"Location": OB2_CONTEXT_FILE_URL})
        body = self.documents.get(key)
        if body is None:
            msg = f"offline OB 2.0 harness: no local copy of {request.url}".encode()
            return _response(request, 404, msg, {"Content-Type": "text/plain"})
        return _response(request, 200, body, {"Content-Type": "application/ld+json"})

    def close(self):
        pass


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class LoopbackOnlyAdapter(HTTPAdapter):
    """Real HTTP, to loopback addresses only."""

    def send(self, request, **kwargs):
        host = urlsplit(request.url).hostname
        if not _is_loopback(host):
            REFUSED.append(request.url)
            raise requests.ConnectionError(
                f"offline OB 2.0 harness: refusing to fetch non-loopback URL {request.url}",
                request=request,
            )
        FETCHED.append(request.url)
        return super().send(request, **kwargs)


def install_offline_transport(documents: dict[str, bytes]) -> None:
    local = LocalContextAdapter(documents)
    original_init = requests.Session.__init__

    def patched_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.trust_env = False  # no proxies from the environment, even for 127.0.0.1
        self.mount("http://", LoopbackOnlyAdapter())
        self.mount("https://", LoopbackOnlyAdapter())
        for prefix in ("w3id.org/openbadges", "openbadgespec.org/"):
            self.mount("https://" + prefix, local)
            self.mount("http://" + prefix, local)

    requests.Session.__init__ = patched_init


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: ob2_worker.py ASSERTION_URL", file=sys.stderr)
        return 2
    url = argv[1]

    # Everything the validator prints goes to stderr; stdout carries only our JSON.
    with contextlib.redirect_stdout(sys.stderr):
        install_offline_transport(_load_local_documents())

        # Import after patching so that module-level sessions are patched too.
        from openbadges.verifier import verify
        from openbadges.verifier.utils import CachableDocumentLoader
        from pyld import jsonld

        jsonld.set_document_loader(CachableDocumentLoader(use_cache=False))

        try:
            # use_cache=False / cache_backend=None: plain requests.Session
            # everywhere (no requests-cache), so every run sees the server's
            # current answers.  Every other option keeps its default.
            result = verify(url, use_cache=False, cache_backend=None)
        except Exception:  # noqa: BLE001 -- the validator itself blew up: report it, don't hide it
            out = {"error": traceback.format_exc()}
        else:
            out = {"report": result}
        out.update(served_locally=SERVED_LOCALLY, fetched=FETCHED, refused=REFUSED)

    sys.stdout.write(json.dumps(out, default=str))
    sys.stdout.write("\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
