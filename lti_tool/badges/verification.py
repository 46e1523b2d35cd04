"""Verifying a credential for an employer or partner: whatever they hold, one verdict on what they gave.

Accepted, as issued here: an OB 3.0 credential JSON (Data Integrity), a VC-JWT, an OB 3.0 baked PNG or
SVG, an OB 2.0 baked PNG or SVG (the hosted assertion's URL inside), an OB 2.0 assertion JSON, and a link
(verification page, credential or hosted assertion URL of this Passeport). Content is always judged as
given; a link or an id is a lookup of what this Passeport holds, and is labelled so.
Verdicts: valid, revoked, expired, tampered, unknown (not issued here).
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import jwt
from openbadgeslib import baking
from sqlalchemy.engine import Connection

from xapi.sql import utcnow

from . import integrity
from .issuer_keys import IssuerKeys

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
UID = re.compile(rf"(?:/credentials/|/verify/|/ob2/assertions/|^)({UUID})")
MAX_UPLOAD = 2 * 1024 * 1024


class Unreadable(ValueError):
    """Input that holds no credential at all: a verdict page (or problem details), not a verdict."""


@dataclass(frozen=True)
class Link:
    """A URL or an id given instead of content: what it names is looked up, not judged as given."""

    url: str


@dataclass
class Verdict:
    status: str  # valid | revoked | expired | tampered | unknown
    credential: dict | None = None
    uid: str | None = None
    revoked_at: datetime | None = None
    revocation_reason: str | None = None  # the public reason code
    details: list[str] = field(default_factory=list)
    checked_at: datetime = field(default_factory=utcnow)
    kind: str = "ob3"  # ob3 | ob2 (hosted): what was judged

    @property
    def valid(self) -> bool:
        return self.status == "valid"


def read_credential(data: bytes | str | dict) -> dict | str | Link:
    """The credential inside what was given: a JSON document, a JWT string, a baked image, or a link."""
    if isinstance(data, dict):
        return data
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_UPLOAD:
        raise Unreadable(f"more than {MAX_UPLOAD // 1024 // 1024} MB")
    if not raw.strip():
        raise Unreadable("nothing was given")
    if raw.startswith(b"\x89PNG"):
        return _from_text(_baked_png(raw))
    if b"<svg" in raw[:2048]:
        return _from_text(_baked_svg(raw))
    try:
        return _from_text(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise Unreadable("an unreadable file: neither a badge image, a credential JSON nor a VC-JWT") from error


def _baked_png(raw: bytes) -> str:
    try:
        found = baking.extract_png(raw, keyword=baking.ITXT_KEYWORD_OB3) or baking.extract_png(raw)
    except Exception as error:  # a damaged PNG: any decoding failure means the same to the verifier
        raise Unreadable(f"a damaged PNG image ({error.__class__.__name__})") from error
    return found or _no_badge()


def _baked_svg(raw: bytes) -> str:
    try:
        found = (baking.extract_svg(raw, element=baking.SVG_ELEMENT_OB3, text_fallback=True)
                 or baking.extract_svg(raw, text_fallback=True))
    except Exception as error:  # malformed XML and the like
        raise Unreadable(f"a damaged SVG image ({error.__class__.__name__})") from error
    return found or _no_badge()


def _no_badge():
    raise Unreadable("this image carries no Open Badge (neither 3.0 nor 2.0)")


def _from_text(text: str) -> dict | str | Link:
    text = text.strip()
    if re.fullmatch(r"https?://\S+|" + UUID, text):
        return Link(text)
    if text.count(".") == 2 and not text.startswith("{") and not re.search(r"\s", text):
        return text
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise Unreadable("neither a credential JSON, a VC-JWT, a link nor a baked badge") from error
    if not isinstance(document, dict):
        raise Unreadable("a credential is a JSON object")
    return document


def uid_in(reference: str) -> str | None:
    match = UID.search(reference.strip())
    return match.group(1) if match else None


def is_ob2_assertion(document: dict) -> bool:
    return document.get("type") == "Assertion" or "Assertion" in (document.get("type") or [])


class Verifier:
    """Proof checks are remembered by the credential's exact bytes: the same bytes under the same
    (never deleted) key always give the same answer. Revocation and expiry are checked every time."""

    def __init__(self, keys: IssuerKeys, remembered: int = 10_000):
        self.keys, self.remembered = keys, remembered
        self._proofs: dict[str, str | None] = {}

    def verify(self, connection: Connection, credential: dict | str, awards_by_uid) -> Verdict:
        """Check issuer, proof, expiry and revocation, in that order, of exactly this credential."""
        document = credential if isinstance(credential, dict) else _jwt_payload(credential)
        check_shape(document)
        issuer = document.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
        if issuer_id != self.keys.did:
            return Verdict("unknown", document, details=[f"issuer {issuer_id!r} is not {self.keys.did}"])
        problem = self._remembered_proof_problem(connection, credential, awards_by_uid)
        if problem:
            return Verdict("tampered", document, details=[problem])
        uid = uid_in(str(document.get("id", "")))
        award = awards_by_uid(uid) if uid else None
        if award is None:
            return Verdict("unknown", document, details=["no award of this Passeport has this id"])
        return self._state(document, uid, award)

    def verify_hosted(self, assertion: dict | None, uid: str | None, awards_by_uid, hosted) -> Verdict:
        """An Open Badges 2.0 assertion (hosted verification): the issuer's copy at its URL decides; a given
        assertion that differs from it was altered."""
        award = awards_by_uid(uid) if uid else None
        if award is None or award.credential is None:
            return Verdict("unknown", assertion, kind="ob2",
                           details=["no assertion of this Passeport at this address"])
        if assertion is not None and not award.revoked_at:
            ours = hosted(award)
            changed = sorted(k for k in set(ours) | set(assertion) if ours.get(k) != assertion.get(k))
            if changed:
                return Verdict("tampered", assertion, uid, kind="ob2",
                               details=[f"differs from the hosted assertion in: {', '.join(changed)}"])
        verdict = self._state(award.credential, uid, award)
        verdict.kind = "ob2"
        return verdict

    @staticmethod
    def _state(document: dict, uid: str | None, award) -> Verdict:
        if award.revoked_at:
            return Verdict("revoked", document, uid, award.revoked_at, award.revocation_reason)
        valid_until, valid_from = document.get("validUntil"), document.get("validFrom")
        if valid_until and _moment(valid_until) < utcnow():
            return Verdict("expired", document, uid, details=[f"valid until {valid_until}"])
        if valid_from and _moment(valid_from) > utcnow() + timedelta(minutes=5):
            return Verdict("expired", document, uid, details=[f"not valid before {valid_from}"])
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
            jwt.decode(token, key, algorithms=["EdDSA"], options={"verify_aud": False, "verify_exp": False,
                                                                  "verify_nbf": False})
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


def _moment(text) -> datetime:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError as error:
        raise Unreadable(f"an unreadable date: {text!r}") from error


def _jwt_payload(token: str) -> dict:
    try:
        payload = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError as error:
        raise Unreadable(f"not a readable VC-JWT: {error}") from error
    if not isinstance(payload, dict):
        raise Unreadable("not a readable VC-JWT")
    return payload
