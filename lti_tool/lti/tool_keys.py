"""The tool's RSA signing keys: stored in the database, parsed once per process."""
from __future__ import annotations

import json
import threading
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from sqlalchemy import select
from sqlalchemy.orm import Session

from xapi.sql import utcnow

from ..db import Database
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
    now = utcnow()
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
    """The active key, parsed once: parsing a PEM costs ~45 ms.

    The active kid is re-read at most every ``ttl`` seconds, so a rotation made by
    another process is picked up soon; a key retired meanwhile stays in the JWKS,
    so what was signed with it still verifies.
    """

    def __init__(self, ttl: float = 60.0) -> None:
        self.ttl = ttl
        self._active: tuple[float, tuple[str, rsa.RSAPrivateKey, str]] | None = None
        self._lock = threading.Lock()

    def active(self, database: Database) -> tuple[str, rsa.RSAPrivateKey, str]:
        """(kid, private key object, public PEM) of the active key."""
        cached = self._active
        if cached and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        with database.sessions() as session:
            key = session.scalars(select(ToolKey).where(ToolKey.status == "active")).first()
        if key is None:
            raise LookupError("no active tool key: run `passeport keys rotate`")
        with self._lock:
            if not cached or cached[1][0] != key.kid:
                private = serialization.load_pem_private_key(key.private_pem.encode(), None)
                if not isinstance(private, rsa.RSAPrivateKey):
                    raise ValueError(f"tool key {key.kid} is not an RSA key")
                public_pem = private.public_key().public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                ).decode()
                entry = (key.kid, private, public_pem)
            else:
                entry = cached[1]
            self._active = (time.monotonic(), entry)
        return entry
