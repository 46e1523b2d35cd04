"""Verifying a credential for an employer or partner: whatever they hold, one verdict.

Accepted: a credential JSON (Data Integrity), a VC-JWT, a baked PNG or SVG, a
verification URL or credential id of this Passeport. Verdicts: valid, revoked,
expired, not issued by this Passeport, tampered.
"""
from __future__ import annotations

import hashlib
import json
import re
import struct
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError

import jwt
import png  # type: ignore[import-untyped]
from openbadgeslib import baking
from openbadgeslib.errors import LibOpenBadgesException
from sqlalchemy.engine import Connection

from xapi.sql import utcnow

from . import integrity
from .issuer_keys import IssuerKeys

UID = re.compile(r"(?:/credentials/|/verify/|^)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
MAX_UPLOAD = 2 * 1024 * 1024
UNREADABLE_IMAGE = (ValueError, TypeError, KeyError, IndexError, AttributeError, struct.error, zlib.error, EOFError,
                    RecursionError, ParseError, ExpatError, png.Error, LibOpenBadgesException)
"""What the baking library raises on a truncated, bombed, mis-encoded or hostile (XXE) image: all mean unreadable."""


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
    try:
        if raw.startswith(b"\x89PNG"):
            baked = baking.extract_png(raw, keyword=baking.ITXT_KEYWORD_OB3)
        elif b"<svg" in raw[:2048]:
            baked = baking.extract_svg(raw, element=baking.SVG_ELEMENT_OB3, text_fallback=True)
        else:
            return _from_text(raw.decode("utf-8", "replace"))
    except UNREADABLE_IMAGE as error:
        raise Unreadable(f"this image cannot be read ({error.__class__.__name__})") from error
    return _from_text(baked or _no_badge())


def _no_badge():
    raise Unreadable("this image carries no Open Badges 3.0 credential")


def _from_text(text: str) -> dict | str:
    text = text.strip()
    if text.count(".") == 2 and not text.startswith("{"):
        return text
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
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
        check_shape(document)
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


SHAPE: dict[str, type | tuple[type, ...]] = {
    "id": str, "name": str, "validFrom": str, "validUntil": str, "issuer": (str, dict), "credentialSubject": dict,
    "evidence": list, "proof": (dict, list)}
SUBJECT_SHAPE: dict[str, type | tuple[type, ...]] = {"achievement": dict, "identifier": list}


def check_shape(document: dict) -> None:
    """The fields the verdict and its page read have the JSON types they must have: anything else is
    unreadable (400), checked here once rather than wherever they are read."""
    wrong = [k for k, kind in SHAPE.items() if k in document and not isinstance(document[k], kind)]
    subject = document.get("credentialSubject")
    if isinstance(subject, dict):
        wrong += [f"credentialSubject.{k}" for k, kind in SUBJECT_SHAPE.items()
                  if k in subject and not isinstance(subject[k], kind)]
        if isinstance(subject.get("identifier"), list) and not all(isinstance(i, dict) for i in subject["identifier"]):
            wrong.append("credentialSubject.identifier[]")
        if isinstance(subject.get("achievement"), dict) and not isinstance(subject["achievement"].get("name", ""),
                                                                          (str, dict)):
            wrong.append("credentialSubject.achievement.name")
    if isinstance(document.get("issuer"), dict) and not isinstance(document["issuer"].get("id", ""), str):
        wrong.append("issuer.id")
    if isinstance(document.get("evidence"), list) and not all(isinstance(e, dict) for e in document["evidence"]):
        wrong.append("evidence[]")
    if isinstance(document.get("validUntil"), str):
        try:
            datetime.fromisoformat(document["validUntil"].replace("Z", "+00:00"))
        except ValueError:
            wrong.append("validUntil")
    if wrong:
        raise Unreadable(f"wrong type or format for: {', '.join(wrong)}")


def _jwt_payload(token: str) -> dict:
    try:
        return jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError as error:
        raise Unreadable(f"not a readable VC-JWT: {error}") from error
