"""The tool's RSA signing keys: stored in the database, parsed once per process."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timezone

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ToolKey

KEY_BITS = 2048


def generate_key() -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    jwk = JWK.from_pem(pem.encode())
    public = json.loads(jwk.export_public())
    public.update(kid=jwk.thumbprint(), alg="RS256", use="sig")
    return ToolKey(kid=public["kid"], private_pem=pem, public_jwk=public, status="active")


def rotate(session: Session) -> ToolKey:
    """Retire the active key and activate a new one; retired keys stay in the JWKS."""
    now = datetime.now(timezone.utc)
    for key in session.scalars(select(ToolKey).where(ToolKey.status == "active")):
        key.status, key.retired_at = "retired", now
    key = generate_key()
    session.add(key)
    return key


def ensure_active_key(session: Session) -> ToolKey:
    key = session.scalars(select(ToolKey).where(ToolKey.status == "active")).first()
    if key is None:
        key = generate_key()
        session.add(key)
    return key


def select_keys():
    return select(ToolKey).order_by(ToolKey.id)


def public_jwks(session: Session) -> dict:
    keys = session.scalars(select_keys()).all()
    return {"keys": [k.public_jwk for k in keys]}


class KeyRing:
    """Parsed private keys by kid: parsing a PEM costs ~45 ms, so it happens once per key."""

    def __init__(self) -> None:
        self._parsed: dict[str, rsa.RSAPrivateKey] = {}
        self._lock = threading.Lock()

    def active(self, session: Session) -> tuple[str, rsa.RSAPrivateKey, str]:
        """(kid, private key object, public PEM) of the active key."""
        key = session.scalars(select(ToolKey).where(ToolKey.status == "active")).first()
        if key is None:
            raise LookupError("no active tool key: run `passeport keys rotate`")
        with self._lock:
            if key.kid not in self._parsed:
                self._parsed[key.kid] = serialization.load_pem_private_key(key.private_pem.encode(), None)
        private = self._parsed[key.kid]
        public_pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
        return key.kid, private, public_pem
