"""LRS credentials: HTTP Basic key/secret pairs with read/write scopes.

Secrets are 256-bit random tokens, so a SHA-256 digest protects them as well
as a slow password hash would, without costing milliseconds on every request.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from .models import Credential
from .sql import utcnow

SCOPES = ("read", "write", "all")
CREDENTIALS = Credential.__table__


@dataclass(frozen=True)
class Principal:
    key: str
    name: str
    scopes: frozenset[str]

    def may(self, action: str) -> bool:
        return "all" in self.scopes or action in self.scopes

    def authority(self, base_url: str) -> dict:
        return {"objectType": "Agent", "name": self.name, "account": {"homePage": base_url, "name": self.key}}


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def add(connection: Connection, name: str, scopes: list[str]) -> tuple[str, str]:
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ValueError(f"scopes must be among {', '.join(SCOPES)}")
    key, secret = secrets.token_hex(16), secrets.token_urlsafe(32)
    connection.execute(CREDENTIALS.insert().values(name=name, key=key, secret_hash=_digest(secret), scopes=scopes,
                                                   created_at=utcnow()))
    return key, secret


def revoke(connection: Connection, key: str) -> bool:
    result = connection.execute(update(CREDENTIALS).where(CREDENTIALS.c.key == key, CREDENTIALS.c.revoked_at.is_(None))
                                .values(revoked_at=utcnow()))
    return result.rowcount == 1


def listing(connection: Connection) -> list:
    return list(connection.execute(select(CREDENTIALS).order_by(CREDENTIALS.c.id)))


def authenticate(connection: Connection, authorization: str | None) -> Principal | None:
    """The principal behind a ``Basic`` Authorization header, or None."""
    if not authorization or not authorization.startswith("Basic "):
        return None
    try:
        key, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    row = connection.execute(select(CREDENTIALS).where(CREDENTIALS.c.key == key,
                                                       CREDENTIALS.c.revoked_at.is_(None))).first()
    if row is None or not hmac.compare_digest(row.secret_hash, _digest(secret)):
        return None
    return Principal(row.key, row.name, frozenset(row.scopes))
