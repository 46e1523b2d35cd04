"""pylti1p3 launch data kept in the database, so every worker sees the same nonces and state."""
from __future__ import annotations

import random
from datetime import timedelta

from pylti1p3.contrib.flask import FlaskSessionService
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from xapi.sql import utcnow

from ..db import Database
from ..models import LaunchState

DEFAULT_LIFETIME = 86400


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
            row = connection.execute(
                select(LaunchState.value, LaunchState.expires_at).where(LaunchState.key == self._prepare_key(key))
            ).first()
        if row is None or row.expires_at <= utcnow():
            return None
        return row.value

    def set_value(self, key: str, value, exp: int | None = None) -> None:
        """Login-time data (nonces). On PostgreSQL the commit does not wait for the WAL flush:
        a crash can only lose a login in flight, which the learner restarts with one click."""
        with self.database.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            self.put(connection, key, value, exp)

    def put(self, connection: Connection, key: str, value, exp: int | None = None) -> None:
        """Keys are fresh random values (nonces, launch ids): a plain insert, never an update."""
        expires = utcnow() + timedelta(seconds=exp or DEFAULT_LIFETIME)
        connection.execute(insert(LaunchState).values(key=self._prepare_key(key), value=value, expires_at=expires))
        if random.random() < 0.01:
            connection.execute(delete(LaunchState).where(LaunchState.expires_at <= utcnow()))

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None

    def consume(self, connection: Connection, key: str) -> bool:
        """Delete the key if it is live: True for exactly one transaction, whatever the worker."""
        result = connection.execute(
            delete(LaunchState).where(LaunchState.key == self._prepare_key(key), LaunchState.expires_at > utcnow())
        )
        return result.rowcount == 1


class SingleUseNonceSessionService(FlaskSessionService):
    """pylti1p3 only checks that a nonce exists; here a launch consumes it (see PasseportMessageLaunch)."""

    nonce_lifetime = 600

    def save_nonce(self, nonce: str) -> None:
        self.data_storage.set_value(self.nonce_key(nonce), True, exp=self.nonce_lifetime)

    def nonce_key(self, nonce: str) -> str:
        return self._get_key("nonce", nonce)
