"""The issuer's Ed25519 keys and its did:web identity.

Private keys live in files under ``instance/badge-keys/`` (outside database
dumps); the database keeps each key's public half so the DID document can list
every key ever used: a rotation retires a key but credentials signed with it
still verify.
"""
from __future__ import annotations

import secrets
import threading
from pathlib import Path
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openbadgeslib.ob3.did import multikey_from_pem
from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from xapi.sql import utcnow

from ..models import BadgeKey

KEYS = BadgeKey.__table__


def did_for(base_url: str) -> str:
    """did:web for the tool's base URL (port percent-encoded, path segments joined with ':')."""
    parts = urlsplit(base_url)
    host = quote(parts.netloc, safe="")
    path = ":".join(quote(p, safe="") for p in parts.path.strip("/").split("/") if p)
    return f"did:web:{host}" + (f":{path}" if path else "")


class IssuerKeys:
    def __init__(self, directory: Path, base_url: str):
        self.directory, self.did = directory, did_for(base_url)
        self._private: dict[str, Ed25519PrivateKey] = {}
        self._lock = threading.Lock()

    def ensure(self, connection: Connection) -> None:
        if connection.execute(select(KEYS.c.id).where(KEYS.c.status == "active")).first() is None:
            self.rotate(connection)

    def rotate(self, connection: Connection) -> str:
        """A new active key; the previous ones stay published as retired."""
        key = Ed25519PrivateKey.generate()
        fragment = "key-" + secrets.token_hex(4)
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{fragment}.pem"
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        path.chmod(0o600)
        connection.execute(update(KEYS).where(KEYS.c.status == "active").values(status="retired"))
        connection.execute(KEYS.insert().values(fragment=fragment, public_multibase=multikey_from_pem(_public_pem(key)),
                                                status="active", created_at=utcnow()))
        return fragment

    def active(self, connection: Connection) -> tuple[str, Ed25519PrivateKey]:
        fragment = connection.execute(select(KEYS.c.fragment).where(KEYS.c.status == "active")).scalar_one()
        return self.verification_method(fragment), self.private(fragment)

    def private(self, fragment: str) -> Ed25519PrivateKey:
        with self._lock:
            if fragment not in self._private:
                pem = (self.directory / f"{fragment}.pem").read_bytes()
                key = serialization.load_pem_private_key(pem, None)
                if not isinstance(key, Ed25519PrivateKey):
                    raise ValueError(f"{fragment}.pem is not an Ed25519 key")
                self._private[fragment] = key
            return self._private[fragment]

    def verification_method(self, fragment: str) -> str:
        return f"{self.did}#{fragment}"

    def listing(self, connection: Connection) -> list:
        return list(connection.execute(select(KEYS).order_by(KEYS.c.id)))

    def did_document(self, connection: Connection) -> dict:
        methods = [{"id": self.verification_method(k.fragment), "type": "Multikey", "controller": self.did,
                    "publicKeyMultibase": k.public_multibase} for k in reversed(self.listing(connection))]
        return {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": self.did,
            "verificationMethod": methods,
            "assertionMethod": [m["id"] for m in methods],
        }

    def public_pem(self, connection: Connection, verification_method: str) -> bytes | None:
        """The public key a proof names, if it is one of this issuer's keys (retired ones included)."""
        did, _, fragment = verification_method.partition("#")
        if did != self.did:
            return None
        row = connection.execute(select(KEYS.c.fragment).where(KEYS.c.fragment == fragment)).first()
        return _public_pem(self.private(fragment)) if row else None


def _public_pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
