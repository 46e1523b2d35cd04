"""Data Integrity eddsa-rdfc-2022 proofs for Passeport's own credentials, without redundant work.

openbadgeslib's ``OB3LdpSigner.sign`` and ``OB3LdpVerifier.verify`` spend about two thirds of their
time on *context validation* (the JSON must be exactly the compacted form of the RDF dataset the
proof signs), a JSON-LD expand/compact round trip in pyld. That check matters for JSON a stranger
hands us; it is redundant for:

* signing: Passeport builds every credential from its own model, so the JSON form depends only on
  the credential's shape, which the tests validate (tests/badges/test_integrity.py runs openbadgeslib's
  full verifier, context validation included, over every shape issued);
* verifying JSON that is exactly what Passeport issued and stored for that credential id.

The proof itself is always computed and checked in full (RDF canonicalisation, SHA-256, Ed25519)
by openbadgeslib's building blocks; anything that is not byte-for-byte what we issued takes the full
verifier.
"""
from __future__ import annotations

from typing import Any

from openbadgeslib.ob3.ldp import OB3LdpVerifier, add_data_integrity_proof, verify_data_integrity_proof
from openbadgeslib.ob3.verifier import OB3VerificationError


def sign(document: dict[str, Any], private_key: Any, verification_method: str) -> dict[str, Any]:
    """The document with an embedded eddsa-rdfc-2022 proof (no self-check of our own JSON form)."""
    return add_data_integrity_proof(document, private_key, verification_method)


VALIDITY_WINDOW = ("Credential has expired", "Credential is not yet valid")  # openbadgeslib's messages


def proof_problem(document: dict[str, Any], public_pem: bytes, issued: dict | None) -> str | None:
    """Why the proof does not hold, or None. *issued* is the document Passeport stored under this
    credential's id: when the JSON given is exactly that, its form is known and only the proof is
    checked; otherwise openbadgeslib's full verifier (context validation included) judges it."""
    try:
        if issued is not None and document == issued:
            verify_data_integrity_proof(document, public_pem)
        else:
            OB3LdpVerifier(pubkey_pem=public_pem).verify(document)
    except OB3VerificationError as error:
        # the validity window is checked after the proof: a genuine credential out of its window is
        # expired (or not yet valid), not tampered — the verdict says which
        return None if str(error).startswith(VALIDITY_WINDOW) else str(error)
    return None
