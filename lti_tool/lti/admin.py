"""Who may administer platform registrations from the browser, and the one-time tokens that let them in.

An administrator arrives either by an LTI launch carrying an institution or system administrator
role from an already registered platform, or with a one-time token printed by `passeport admin token`.
"""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy.engine import Connection

from .storage import DatabaseLaunchDataStorage

TOKEN_LIFETIME_SECONDS = 900


def _key(token: str) -> str:
    return "admin-token-" + hashlib.sha256(token.encode()).hexdigest()  # only the hash is stored


def issue_token(storage: DatabaseLaunchDataStorage) -> str:
    token = secrets.token_urlsafe(32)
    storage.set_value(_key(token), True, exp=TOKEN_LIFETIME_SECONDS)
    return token


def redeem_token(storage: DatabaseLaunchDataStorage, connection: Connection, token: str) -> bool:
    """True once for a live token, whatever the worker."""
    return bool(token) and storage.consume(connection, _key(token))

