"""Secrets kept at rest (external LRS passwords): sealed with Fernet under a key derived from the host's secret.

A sealed value reads ``sealed:v1:<token>``; anything else is a value stored before sealing existed,
read as is and sealed by ``passeport xapi lrs reseal``. Rotation: set the new secret, then reseal
with the previous one given, which opens what it sealed.
"""
from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "sealed:v1:"


def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"passeport-xapi-sealing",
               info=b"external LRS passwords").derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


class Unsealable(ValueError):
    """A sealed value no known key opens (the key changed without a reseal)."""


class Sealer:
    def __init__(self, secret: str, *previous: str):
        if not secret:
            raise ValueError("sealing needs a non-empty secret")
        self._secrets = (secret, *previous)
        self._current = _fernet(secret)
        self._any = MultiFernet([self._current, *(_fernet(p) for p in previous if p)])

    def with_previous(self, *previous: str) -> Sealer:
        """This sealer, also able to open what ``previous`` secrets sealed."""
        return Sealer(*self._secrets, *previous)

    def seal(self, value: str | None) -> str | None:
        return None if value is None else PREFIX + self._current.encrypt(value.encode()).decode()

    def open(self, stored: str | None) -> str | None:
        if stored is None or not stored.startswith(PREFIX):
            return stored  # stored before sealing existed
        try:
            return self._any.decrypt(stored[len(PREFIX):].encode()).decode()
        except InvalidToken as error:
            raise Unsealable("a stored password was sealed with another key: reseal with --previous-key") from error

    def reseal(self, stored: str | None) -> str | None:
        """``stored`` sealed under the current key (plain values included)."""
        return self.seal(self.open(stored))
