"""Verifying a credential for an employer or partner: whatever they hold, one verdict.

Accepted: a credential JSON (Data Integrity), a VC-JWT, a baked PNG or SVG, a
verification URL or credential id of this Passeport. Verdicts: valid, revoked,
expired, not issued by this Passeport, tampered.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

import jwt
from openbadgeslib import baking
from sqlalchemy.engine import Connection

from xapi.sql import utcnow

from . import integrity
from .issuer_keys import IssuerKeys

UID = re.compile(r"(?:/credentials/|/verify/|^)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
MAX_UPLOAD = 2 * 1024 * 1024


class Unreadable(ValueError):
    """Input that holds no credential at all: a 4xx, not a verdict."""


@dataclass
class Verdict:
    status: str  # valid | revoked | expired | foreign | tampered
    credential: dict | None = None
    uid: str | None = None
    revoked_at: datetime | None = None
    revocation_reason: str | None = None
    details: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.status == "valid"


def read_credential(data: bytes | str | dict) -> dict | str:
    """The credential inside what was given: a JSON document, a JWT string, or a baked image."""
    if isinstance(data, dict):
        return data
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_UPLOAD:
        raise Unreadable(f"more than {MAX_UPLOAD // 1024 // 1024} MB")
    if raw.startswith(b"\x89PNG"):
        return _from_text(baking.extract_png(raw, keyword=baking.ITXT_KEYWORD_OB3) or _no_badge())
    if b"<svg" in raw[:2048]:
        return _from_text(baking.extract_svg(raw, element=baking.SVG_ELEMENT_OB3, text_fallback=True) or _no_badge())
    return _from_text(raw.decode("utf-8", "replace"))


def _no_badge():
    raise Unreadable("this image carries no Open Badges 3.0 credential")


def _from_text(text: str) -> dict | str:
    text = text.strip()
    if text.count(".") == 2 and not text.startswith("{"):
        return text
    try:
        document = json.loads(text)
    except ValueError as error:
        raise Unreadable("neither a credential JSON, a VC-JWT nor a baked badge") from error
    if not isinstance(document, dict):
        raise Unreadable("a credential is a JSON object")
    return document


def uid_in(reference: str) -> str | None:
    match = UID.search(reference.strip())
    return match.group(1) if match else None


class Verifier:
    """Proof checks are remembered by the credential's exact bytes: the same bytes under the same
    (never deleted) key always give the same answer. Revocation and expiry are checked every time."""

    def __init__(self, keys: IssuerKeys, remembered: int = 10_000):
        self.keys, self.remembered = keys, remembered
        self._proofs: dict[str, str | None] = {}

    def verify(self, connection: Connection, credential: dict | str, awards_by_uid) -> Verdict:
        """Check issuer, proof, expiry and revocation, in that order."""
        document = credential if isinstance(credential, dict) else _jwt_payload(credential)
        issuer = document.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
        if issuer_id != self.keys.did:
            return Verdict("foreign", document, details=[f"issuer {issuer_id!r} is not {self.keys.did}"])
        problem = self._remembered_proof_problem(connection, credential, awards_by_uid)
        if problem:
            return Verdict("tampered", document, details=[problem])
        uid = uid_in(str(document.get("id", "")))
        award = awards_by_uid(uid) if uid else None
        if award is None:
            return Verdict("foreign", document, details=["no award of this Passeport has this id"])
        if award.revoked_at:
            return Verdict("revoked", document, uid, award.revoked_at, award.revocation_reason)
        valid_until = document.get("validUntil")
        if valid_until and datetime.fromisoformat(valid_until.replace("Z", "+00:00")) < utcnow():
            return Verdict("expired", document, uid, details=[f"valid until {valid_until}"])
        return Verdict("valid", document, uid)

    def _remembered_proof_problem(self, connection: Connection, credential: dict | str,
                                  awards_by_uid) -> str | None:
        fingerprint = hashlib.sha256(
            (credential if isinstance(credential, str) else json.dumps(credential, sort_keys=True)).encode()
        ).hexdigest()
        if fingerprint not in self._proofs:
            if len(self._proofs) >= self.remembered:
                self._proofs.clear()
            self._proofs[fingerprint] = self._proof_problem(connection, credential, awards_by_uid)
        return self._proofs[fingerprint]

    def _proof_problem(self, connection: Connection, credential: dict | str, awards_by_uid) -> str | None:
        if isinstance(credential, str):
            return self._jwt_problem(connection, credential)
        proof = credential.get("proof")
        method = proof.get("verificationMethod", "") if isinstance(proof, dict) else ""
        key = self.keys.public_pem(connection, method)
        if key is None:
            return f"the proof's key {method!r} is not one of this issuer's keys"
        uid = uid_in(str(credential.get("id", "")))
        award = awards_by_uid(uid) if uid else None
        return integrity.proof_problem(credential, key, award.credential if award else None)

    def _jwt_problem(self, connection: Connection, token: str) -> str | None:
        try:
            method = jwt.get_unverified_header(token).get("kid", "")
            key = self.keys.public_pem(connection, method)
            if key is None:
                return f"the token's key {method!r} is not one of this issuer's keys"
            jwt.decode(token, key, algorithms=["EdDSA"], options={"verify_aud": False})
        except jwt.InvalidTokenError as error:
            return f"invalid signature: {error}"
        return None


def _jwt_payload(token: str) -> dict:
    try:
        return jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError as error:
        raise Unreadable(f"not a readable VC-JWT: {error}") from error
