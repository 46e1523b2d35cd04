"""The offline OB 2.0 validator harness (``tests/peers/ob2_validator.py``) works.

A tiny Flask app on 127.0.0.1 hosts an OB 2.0 Issuer Profile, BadgeClass (with
a PNG image) and several Assertions; the real 1EdTech validator (PyPI
``openbadges`` 1.1.2, in its own venv) must accept the well-formed one and
reject the broken ones. The first run builds ``.peers/ob2-venv`` (a minute or so).
"""
from __future__ import annotations

import hashlib
import struct
import zlib

import pytest
from flask import Flask, abort, jsonify

from tests.peers.http import LiveServer, free_port
from tests.peers.ob2_validator import validate_ob2

pytestmark = pytest.mark.peer

OB2 = "https://w3id.org/openbadges/v2"
EMAIL = "learner@example.org"
SALT = "s4lt-passeport"
REMOTE_BADGE = "https://badges.example.org/ob2/badges/web-basics"


def _png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)  # 1x1 RGBA
    idat = zlib.compress(b"\x00\x2a\x6e\xb5\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _make_app(base: str) -> Flask:
    app = Flask(__name__)
    png = _png_1x1()
    issuer_url = f"{base}/ob2/issuer"
    badge_url = f"{base}/ob2/badges/web-basics"

    issuer = {
        "@context": OB2,
        "type": "Issuer",
        "id": issuer_url,
        "name": "Passeport test issuer",
        "url": f"{base}/",
        "email": "badges@example.org",
    }
    badge = {
        "@context": OB2,
        "type": "BadgeClass",
        "id": badge_url,
        "name": "Web basics",
        "description": "Completed the web basics module.",
        "image": f"{base}/ob2/badges/web-basics/image.png",
        "criteria": {"narrative": "Complete every activity of the web basics module."},
        "issuer": issuer_url,
    }

    def assertion(name: str, **changes) -> dict:
        data = {
            "@context": OB2,
            "type": "Assertion",
            "id": f"{base}/ob2/assertions/{name}",
            "recipient": {
                "type": "email",
                "hashed": True,
                "salt": SALT,
                "identity": "sha256$" + hashlib.sha256((EMAIL + SALT).encode()).hexdigest(),
            },
            "badge": badge_url,
            "verification": {"type": "hosted"},
            "issuedOn": "2024-05-01T12:00:00+00:00",
        }
        data.update(changes)
        return {k: v for k, v in data.items() if v is not None}

    assertions = {
        "good": (200, assertion("good")),
        "no-recipient": (200, assertion("no-recipient", recipient=None)),
        "missing-badge": (200, assertion("missing-badge", badge=f"{base}/ob2/badges/nope")),
        "revoked-200": (200, assertion("revoked-200", revoked=True,
                                       revocationReason="Issued in error")),
        "remote-badge": (200, assertion("remote-badge", badge=REMOTE_BADGE)),
        # The usual answer for a revoked hosted assertion: 410 Gone with a
        # small JSON body saying revoked (here with id, type and a reason).
        "revoked-410-stub": (410, {"@context": OB2, "type": "Assertion",
                                   "id": f"{base}/ob2/assertions/revoked-410-stub",
                                   "revoked": True, "revocationReason": "Issued in error"}),
        # 410 Gone whose body is still the full (revoked) assertion.
        "revoked-410-full": (410, assertion("revoked-410-full", revoked=True,
                                            revocationReason="Issued in error")),
    }

    @app.get("/ob2/issuer")
    def get_issuer():
        return jsonify(issuer)

    @app.get("/ob2/badges/web-basics")
    def get_badge():
        return jsonify(badge)

    @app.get("/ob2/badges/web-basics/image.png")
    def get_image():
        return png, 200, {"Content-Type": "image/png"}

    @app.get("/ob2/assertions/<name>")
    def get_assertion(name):
        if name not in assertions:
            abort(404)
        status, body = assertions[name]
        return jsonify(body), status

    return app


@pytest.fixture(scope="module")
def site():
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with LiveServer(_make_app(base), port):
        yield base


def test_well_formed_hosted_assertion_is_valid(site):
    result = validate_ob2(f"{site}/ob2/assertions/good")
    assert result["valid"] is True, result["errors"]
    assert result["errors"] == []
    assert result["warnings"] == []
    report = result["report"]["report"]
    assert report["openBadgesVersion"] == "2.0"
    types = sorted(node.get("type") for node in result["report"]["graph"])
    assert types == ["Assertion", "BadgeClass", "Issuer"], types
    # The context came from the local copy; the badge objects over real HTTP; nothing else.
    assert any(u.startswith("https://w3id.org/openbadges/v2") for u in result["served_locally"])
    assert f"{site}/ob2/assertions/good" in result["fetched"]
    assert f"{site}/ob2/badges/web-basics/image.png" in result["fetched"]
    assert result["refused"] == []


def test_assertion_without_recipient_is_invalid(site):
    result = validate_ob2(f"{site}/ob2/assertions/no-recipient")
    assert result["valid"] is False
    assert any("recipient" in e for e in result["errors"]), result["errors"]


def test_assertion_whose_badge_is_404_is_invalid(site):
    result = validate_ob2(f"{site}/ob2/assertions/missing-badge")
    assert result["valid"] is False
    # The validator ignores the 404 status; it fails on the HTML body it cannot read.
    assert any(e.startswith("FETCH_HTTP_NODE") and f"{site}/ob2/badges/nope" in e
               for e in result["errors"]), result["errors"]


def test_badge_on_a_non_loopback_host_is_refused_not_fetched(site):
    # The worker fetches over real HTTP from loopback only: anything else is
    # refused before any connection is made, and the validator reports it.
    result = validate_ob2(f"{site}/ob2/assertions/remote-badge")
    assert result["refused"] == [REMOTE_BADGE]
    assert REMOTE_BADGE not in result["fetched"]
    assert result["valid"] is False
    assert any("FETCH_HTTP_NODE" in e and "refusing" in e for e in result["errors"]), result["errors"]


# Revocation. openbadges 1.1.2 never looks at the HTTP status of what it
# fetches (tasks/graph.py fetch_http_node parses any body as JSON) and never
# reads an Assertion's ``revoked`` property (its only revocation check is the
# RevocationList of *signed* badges). So the validator cannot tell a revoked
# hosted Assertion from a live one by itself; what it does report:


def test_revoked_true_with_http_200_is_reported_valid(site):
    # Blind spot: a full Assertion with revoked: true, served with 200, passes.
    result = validate_ob2(f"{site}/ob2/assertions/revoked-200")
    assert result["valid"] is True, result["errors"]
    assert result["errors"] == []


def test_revoked_410_with_full_assertion_body_is_reported_valid(site):
    # Blind spot: the 410 status is ignored too, so a 410 whose body is still
    # the whole Assertion (with revoked: true) passes as well.
    result = validate_ob2(f"{site}/ob2/assertions/revoked-410-full")
    assert result["valid"] is True, result["errors"]


def test_revoked_410_with_stub_body_is_reported_invalid(site):
    # A 410 Gone whose body is the OB 2.0 revocation stub (id, type, revoked,
    # revocationReason) is invalid -- not because the validator understood the
    # revocation, but because the stub lacks the Assertion's required
    # properties. This is the answer the tool must give for a revoked assertion.
    result = validate_ob2(f"{site}/ob2/assertions/revoked-410-stub")
    assert result["valid"] is False
    for prop in ("recipient", "badge", "verification", "issuedOn"):
        assert any(f"Required property {prop} not present" in e for e in result["errors"]), (
            prop, result["errors"])
