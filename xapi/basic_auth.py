"""LRS credentials: HTTP Basic key/secret pairs with read/write scopes.

Secrets are 256-bit random tokens, so a SHA-256 digest protects them as well
as a slow password hash would, without costing milliseconds on every request.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
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


def key_of(authorization: str | None) -> str | None:
    """The key an Authorization header names (checked or not): what failures are counted against."""
    if not authorization or not authorization.startswith("Basic "):
        return None
    try:
        return base64.b64decode(authorization[6:]).decode().partition(":")[0]
    except (ValueError, UnicodeDecodeError):
        return None


class Throttle:
    """Per-key failure counter with exponential backoff: after ``free`` wrong secrets for a key,
    each further attempt must wait 2, 4, 8… seconds (at most ``ceiling``). A success resets it.
    Secrets are 256-bit, so this only stops a client hammering the database."""

    def __init__(self, free: int = 10, ceiling: float = 300.0, clock=time.monotonic):
        self.free, self.ceiling, self.clock = free, ceiling, clock
        self._failures: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def wait(self, key: str) -> float:
        """Seconds before ``key`` may try again (0: now)."""
        with self._lock:
            count, last = self._failures.get(key, (0, 0.0))
        if count < self.free:
            return 0.0
        delay = min(self.ceiling, 2.0 ** (count - self.free + 1))
        return max(0.0, last + delay - self.clock())

    def failed(self, key: str) -> None:
        with self._lock:
            count, _ = self._failures.get(key, (0, 0.0))
            self._failures[key] = (count + 1, self.clock())
            if len(self._failures) > 10_000:  # unknown keys must not grow memory without bound
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


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
