"""pylti1p3 launch data kept in the database, so every worker sees the same nonces and state."""
from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from pylti1p3.contrib.flask import FlaskSessionService
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.engine import Connection

from xapi.sql import utcnow

from ..db import Database
from ..models import LaunchState

DEFAULT_LIFETIME = 86400
STATES = LaunchState.__table__
_INSERT = insert(STATES)
_GET = select(STATES.c.value, STATES.c.expires_at).where(STATES.c.key == bindparam("key"))
_CONSUME = delete(STATES).where(STATES.c.key == bindparam("key"), STATES.c.expires_at > bindparam("now"))
_PURGE = delete(STATES).where(STATES.c.expires_at <= bindparam("now"))


class DatabaseLaunchDataStorage(LaunchDataStorage):
    """Keys are global (no session cookie): nonces and states are random and unguessable."""

    _session_cookie_name = None  # type: ignore[assignment]  # pylti1p3 reads None as "no session cookie"

    def __init__(self, database: Database):
        super().__init__()
        self.database = database

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str):
        with self.database.read() as connection:
            row = connection.execute(_GET, {"key": self._prepare_key(key)}).first()
        if row is None or row.expires_at <= utcnow():
            return None
        return row.value

    def set_value(self, key: str, value, exp: int | None = None) -> None:
        self.set_values([(key, value, exp)])

    def set_values(self, items: list[tuple[str, Any, int | None]]) -> None:
        """Login-time data (a nonce, the pending login), in one statement whose commit does not wait for the
        WAL flush: a crash can only lose a login in flight, which the learner restarts with one click."""
        with self.database.write_volatile() as connection:
            self.put_many(connection, items)

    def put(self, connection: Connection, key: str, value, exp: int | None = None) -> None:
        self.put_many(connection, [(key, value, exp)])

    def put_many(self, connection: Connection, items: list[tuple[str, Any, int | None]]) -> None:
        """Keys are fresh random values (nonces, states, launch ids): plain inserts, never updates."""
        now = utcnow()
        connection.execute(_INSERT, [{"key": self._prepare_key(key), "value": value,
                                      "expires_at": now + timedelta(seconds=exp or DEFAULT_LIFETIME)}
                                     for key, value, exp in items])
        if random.random() < 0.01:
            connection.execute(_PURGE, {"now": now})

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None

    def consume(self, connection: Connection, key: str) -> bool:
        """Delete the key if it is live: True for exactly one transaction, whatever the worker."""
        return connection.execute(_CONSUME, {"key": self._prepare_key(key), "now": utcnow()}).rowcount == 1


class SingleUseNonceSessionService(FlaskSessionService):
    """pylti1p3 only checks that a nonce exists; here a launch consumes it (see PasseportMessageLaunch).

    The login keeps the nonce in ``unsaved`` and writes it with the pending login, in one transaction."""

    nonce_lifetime = 600

    def __init__(self, request):
        super().__init__(request)
        self.unsaved: list[tuple[str, Any, int | None]] = []

    def save_nonce(self, nonce: str) -> None:
        self.unsaved.append((self.nonce_key(nonce), True, self.nonce_lifetime))

    def nonce_key(self, nonce: str) -> str:
        return self._get_key("nonce", nonce)
